/**
 * Issue 7's per-request encode benchmarks, pixserve against the FastAPI peer
 * (`../shared/peers/fastapi_reference.py`, run as its header says), in one run:
 *
 * 1. `POST /render.png` with a 512×512 `.npy` body that changes every request;
 * 2. `GET /image.png?width=W&height=H` with sizes around 512×512 that miss pixserve's cache,
 *    against the peer's `GET /image.png`, which builds and encodes 512×512 every time.
 *
 * Responsiveness under encode load is `responsive_load.ts`.
 *
 * Run: `deno run -A bench/render_load.ts [seconds] [connections]`
 * (needs wrk and Debian's python3-fastapi, -uvicorn, -pil, -numpy, -uvloop, -httptools)
 *
 * @module
 */

import {
  type BenchServer,
  fmt,
  freePort,
  missScript,
  npyPostScript,
  startFastApi,
  startPixserve,
  wrk,
  type WrkResult,
} from "./_wrk.ts";

const seconds = Number(Deno.args[0] ?? 10);
const connections = Number(Deno.args[1] ?? 16);

function line(name: string, r: WrkResult): string {
  return `${name.padEnd(34)} ${fmt(r.rps).padStart(7)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  ` +
    `non-2xx ${r.errors}`;
}

const render512 = await npyPostScript("/render.png", 512, 512, 64);
const miss = await missScript();

const servers: Record<string, BenchServer> = {};
try {
  servers["pixserve (2 isolates)"] = await startPixserve(freePort(), ["--quiet"]);
  servers["pixserve --workers 1"] = await startPixserve(freePort(), ["--quiet", "--workers", "1"]);
  servers["fastapi --workers 1"] = await startFastApi(freePort(), 1);
  servers["fastapi --workers 2"] = await startFastApi(freePort(), 2);

  for (
    const [title, script, path] of [
      ["POST /render.png (512×512 .npy, new body each request)", render512, "/render.png"],
      ["GET /image.png?width=W&height=H (cache miss; peer: GET /image.png)", miss, "/image.png"],
    ] as const
  ) {
    console.log(`\n${title}, ${connections} connections, ${seconds} s`);
    const results: Record<string, WrkResult> = {};
    for (const [name, server] of Object.entries(servers)) {
      const isPeer = name.startsWith("fastapi");
      const url = `${server.base}${path}`;
      const options = {
        seconds,
        connections,
        script: isPeer && path === "/image.png" ? undefined : script,
      };
      await wrk(url, { ...options, seconds: 2 });
      results[name] = await wrk(url, options);
      console.log(line(name, results[name]));
    }
    for (const name of Object.keys(servers).filter((n) => n.startsWith("pixserve"))) {
      console.log(
        `${name} / fastapi --workers 1: ${
          (results[name].rps / results["fastapi --workers 1"].rps).toFixed(2)
        }×, ` +
          `/ fastapi --workers 2: ${
            (results[name].rps / results["fastapi --workers 2"].rps).toFixed(2)
          }×`,
      );
    }
  }
} finally {
  for (const server of Object.values(servers)) await server.stop();
}
