/**
 * Issue 3's load benchmark: `GET /image.png` (cached bytes) from pixserve on one isolate,
 * logging every request (to /dev/null), against a bare `deno serve` returning the same
 * bytes with `Content-Type` only, and with pixserve's six headers, in one run (rounds
 * alternate; the median of the rounds is reported).
 *
 * Run: `deno run -A bench/http_load.ts [seconds] [connections] [rounds]`
 *
 * @module
 */

import { type BenchServer, fmt, freePort, startBare, startPixserve, wrk } from "./_wrk.ts";

const seconds = Number(Deno.args[0] ?? 10);
const connections = Number(Deno.args[1] ?? 32);
const rounds = Number(Deno.args[2] ?? 3);

const servers: Record<string, BenchServer> = {};
try {
  servers["bare deno serve"] = await startBare("type");
  servers["bare deno serve, 6 headers"] = await startBare("full");
  servers["pixserve --workers 1"] = await startPixserve(freePort(), ["--workers", "1"]);
  servers["pixserve --workers 1 --quiet"] = await startPixserve(freePort(), [
    "--workers",
    "1",
    "--quiet",
  ]);
  const rps: Record<string, number[]> = {};
  for (const [name, server] of Object.entries(servers)) {
    await wrk(`${server.base}/image.png`, { seconds: 2, connections });
    rps[name] = [];
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, server] of Object.entries(servers)) {
      rps[name].push((await wrk(`${server.base}/image.png`, { seconds, connections })).rps);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`GET /image.png, ${connections} connections, ${rounds} × ${seconds} s rounds`);
  for (const [name, xs] of Object.entries(rps)) {
    console.log(
      `${name.padEnd(28)} median ${fmt(median(xs)).padStart(7)} req/s  (${xs.map(fmt).join(", ")})`,
    );
  }
  const pix = median(rps["pixserve --workers 1"]);
  console.log(`pixserve / bare: ${(pix / median(rps["bare deno serve"])).toFixed(2)}×`);
  console.log(
    `pixserve / bare with 6 headers: ${
      (pix / median(rps["bare deno serve, 6 headers"])).toFixed(2)
    }×`,
  );
  const quiet = median(rps["pixserve --workers 1 --quiet"]);
  console.log(
    `pixserve --quiet / bare with 6 headers: ${
      (quiet / median(rps["bare deno serve, 6 headers"])).toFixed(2)
    }×`,
  );
} finally {
  for (const server of Object.values(servers)) await server.stop();
}
