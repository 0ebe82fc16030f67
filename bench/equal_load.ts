/**
 * Speed on equal resources, in one run:
 *
 * 1. **One core each.** pixserve (`--workers 1`) and the FastAPI peer
 *    (`../shared/peers/fastapi_reference.py`, `--workers 1`) both pinned to CPU 0, wrk on
 *    CPU 1, rounds alternating between them, medians of requests per second and of server
 *    CPU time per request:
 *    - `POST /render.png` with a 512×512×3 `.npy` that changes every request;
 *    - `GET /image.png?width=W&height=H` at a new size near 512×512 every request (a cache
 *      miss), against the peer's `GET /image.png`, which builds and encodes 512×512 each time;
 *    - `POST /render.png` with a 1920×1080×3 `.npy`;
 *    - `/health` latency while wrk loads pixserve with the 512×512 renders;
 *    - cached `GET /image.png` against a bare `Deno.serve` returning the same bytes with the
 *      same headers (`bench/_bare_server.ts`), pinned the same way.
 * 2. **Two isolates.** pixserve `--workers 2` with its request log appended to a regular
 *    file (as `> server.log` or a service manager does) against a bare
 *    `deno serve --parallel` with `DENO_JOBS=2` returning the same bytes: cached
 *    `GET /image.png`, both up at once, nothing pinned, `wrk -t2 -c64`, alternating rounds.
 *
 * Run: `deno run -A bench/equal_load.ts [seconds] [rounds]`
 * (needs taskset, wrk and Debian's python3-fastapi, -uvicorn, -pil, -numpy, -uvloop,
 * -httptools; the log file is in a temporary folder, removed at the end)
 *
 * @module
 */

import {
  alternateRounds,
  type BenchServer,
  freePort,
  median,
  missScript,
  npyPostScript,
  probe,
  ratioLine,
  roundsLine,
  type RoundsResult,
  startBare,
  startFastApi,
  startPixserve,
  wrk,
} from "./_wrk.ts";

const seconds = Number(Deno.args[0] ?? 5);
const rounds = Number(Deno.args[1] ?? 4);
const SERVER_CPU = "0";
const LOAD_CPU = "1";
const CONNECTIONS = 16;

/** Prints each server's rounds and pixserve's ratio to the baseline, with the target. */
function report(
  title: string,
  results: Record<string, RoundsResult>,
  baseName: string,
  target: string,
): void {
  console.log(`\n${title}`);
  for (const [name, result] of Object.entries(results)) console.log(roundsLine(name, result));
  for (const [name, result] of Object.entries(results)) {
    if (name !== baseName) {
      console.log(`${ratioLine(name, result, baseName, results[baseName])} (target ${target})`);
    }
  }
}

const render512 = await npyPostScript("/render.png", 512, 512, 64);
const render1080 = await npyPostScript("/render.png", 1920, 1080, 8);
const miss = await missScript();
const logDir = await Deno.makeTempDir({ prefix: "pixserve-bench-log-" });

const pinned: Record<string, BenchServer> = {};
try {
  pinned["pixserve --workers 1"] = await startPixserve(
    freePort(),
    ["--quiet", "--workers", "1"],
    SERVER_CPU,
  );
  pinned["fastapi --workers 1"] = await startFastApi(freePort(), 1, SERVER_CPU);
  const oneCore = { connections: CONNECTIONS, seconds, rounds, cpus: LOAD_CPU };
  for (
    const [title, path, script, peerScript, target] of [
      [
        "POST /render.png, 512×512×3 .npy, new body each request",
        "/render.png",
        render512,
        render512,
        "≥ 5×",
      ],
      [
        "GET /image.png?width&height (cache miss; peer: GET /image.png)",
        "/image.png",
        miss,
        undefined,
        "≥ 5×",
      ],
      ["POST /render.png, 1920×1080×3 .npy", "/render.png", render1080, render1080, "≥ 4×"],
    ] as const
  ) {
    const results = await alternateRounds(pinned, {
      "pixserve --workers 1": { path, script },
      "fastapi --workers 1": { path, script: peerScript },
    }, oneCore);
    report(
      `${title}, one core each, ${CONNECTIONS} connections`,
      results,
      "fastapi --workers 1",
      target,
    );
  }

  const pixserve = pinned["pixserve --workers 1"];
  const [, health] = await Promise.all([
    wrk(`${pixserve.base}/render.png`, {
      seconds,
      connections: CONNECTIONS,
      script: render512,
      cpus: LOAD_CPU,
    }),
    probe(`${pixserve.base}/health`, seconds - 1),
  ]);
  console.log(
    `\n/health under the 512×512 render load: p50 ${health.p50.toFixed(2)} ms, p99 ` +
      `${health.p99.toFixed(2)} ms, max ${health.max.toFixed(2)} ms over ${health.count} ` +
      `requests (target p99 < 20 ms)`,
  );
  await pinned["fastapi --workers 1"].stop();
  delete pinned["fastapi --workers 1"];
  pinned["bare Deno.serve, 6 headers"] = await startBare("full", 1, SERVER_CPU);
  report(
    `cached GET /image.png, one core each, 64 connections`,
    await alternateRounds(pinned, "/image.png", { ...oneCore, connections: 64 }),
    "bare Deno.serve, 6 headers",
    "≥ 0.9×",
  );
} finally {
  for (const server of Object.values(pinned)) await server.stop();
}

const parallel: Record<string, BenchServer> = {};
try {
  const log = `${logDir}/server.log`;
  parallel["pixserve --workers 2, log to a file"] = await startPixserve(
    freePort(),
    ["--workers", "2"],
    undefined,
    log,
  );
  parallel["bare deno serve --parallel, 2 jobs"] = await startBare("full", 2);
  const results = await alternateRounds(parallel, "/image.png", {
    connections: 64,
    seconds,
    rounds,
    threads: 2,
  });
  report(
    "cached GET /image.png, two isolates, nothing pinned, wrk -t2 -c64",
    results,
    "bare deno serve --parallel, 2 jobs",
    "≥ 0.9×",
  );
  const lines = (await Deno.readTextFile(log)).split("\n").length - 1;
  const requests = Object.values(results)[0].rps.reduce((a, b) => a + b, 0) * seconds;
  console.log(
    `request log: ${lines} lines written for about ${Math.round(requests)} requests ` +
      `(median ${Math.round(median(Object.values(results)[0].rps))} req/s)`,
  );
} finally {
  for (const server of Object.values(parallel)) await server.stop();
  await Deno.remove(logDir, { recursive: true });
}
