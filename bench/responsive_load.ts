/**
 * Issue 7's responsiveness benchmark: while 4 wrk connections hammer `POST /render.png` with
 * 1920×1080 `.npy` bodies, two clients ask `GET /health` and the cached `GET /image.png`
 * one request at a time (5 ms apart), and their latency percentiles are reported. Each
 * server runs alone: it is started for its runs and stopped after them, so that no other
 * server's leftover work shares the cores. The FastAPI peer is measured the same way, on its
 * `/image-cached.png`.
 *
 * Run: `deno run -A bench/responsive_load.ts [seconds] [runs]`
 * (needs wrk and Debian's python3-fastapi, -uvicorn, -pil, -numpy, -uvloop, -httptools)
 *
 * @module
 */

import {
  type BenchServer,
  fmt,
  freePort,
  median,
  npyPostScript,
  probe,
  startFastApi,
  startPixserve,
  wrk,
} from "./_wrk.ts";

const seconds = Number(Deno.args[0] ?? 10);
const runs = Number(Deno.args[1] ?? 3);

const render1080 = await npyPostScript("/render.png", 1920, 1080, 4);

const starters: [string, () => Promise<BenchServer>, string][] = [
  ["pixserve (2 isolates)", () => startPixserve(freePort(), ["--quiet"]), "/image.png"],
  [
    "pixserve --workers 1",
    () => startPixserve(freePort(), ["--quiet", "--workers", "1"]),
    "/image.png",
  ],
  ["fastapi --workers 1", () => startFastApi(freePort(), 1), "/image-cached.png"],
];

console.log(
  `4 connections POST /render.png 1920×1080 for ${seconds} s while GET /health and a cached ` +
    `image are probed; ${runs} runs per server`,
);
for (const [name, start, cached] of starters) {
  const server = await start();
  try {
    const probes = cached === "/image.png" ? ["/health", cached] : [cached];
    const p99s: Record<string, number[]> = Object.fromEntries(probes.map((p) => [p, []]));
    const rps: number[] = [];
    for (let run = 0; run < runs; run++) {
      await (await fetch(`${server.base}${cached}`)).arrayBuffer();
      const [load, ...probed] = await Promise.all([
        wrk(`${server.base}/render.png`, { seconds, connections: 4, script: render1080 }),
        ...probes.map((path) => probe(`${server.base}${path}`, seconds - 1)),
      ]);
      rps.push(load.rps);
      const parts = probed.map((r, i) => {
        p99s[probes[i]].push(r.p99);
        return `${probes[i]} p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)} max ${
          r.max.toFixed(1)
        } ms (${r.count}, ${r.failed} failed)`;
      });
      console.log(`${name} run ${run + 1}: render ${fmt(load.rps)} req/s; ${parts.join("; ")}`);
    }
    console.log(
      `${name}: median render ${fmt(median(rps))} req/s; median p99 ` +
        probes.map((p) => `${p} ${median(p99s[p]).toFixed(1)} ms`).join(", "),
    );
  } finally {
    await server.stop();
  }
}
