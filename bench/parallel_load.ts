/**
 * Issue 7's multi-core benchmark: `GET /image.png` (cached bytes) from pixserve on N
 * isolates (`--workers N`, logging to /dev/null) against a bare `deno serve --parallel`
 * with `DENO_JOBS=N` returning the same bytes (with `Content-Type` only, and with pixserve's
 * six headers), for N = 1 and 2, in one run (rounds alternate; medians reported).
 *
 * Run: `deno run -A bench/parallel_load.ts [seconds] [connections] [rounds]`
 *
 * @module
 */

import { type BenchServer, fmt, freePort, startBare, startPixserve, wrk } from "./_wrk.ts";

const seconds = Number(Deno.args[0] ?? 10);
const connections = Number(Deno.args[1] ?? 64);
const rounds = Number(Deno.args[2] ?? 3);

const servers: Record<string, BenchServer> = {};
try {
  for (const n of [1, 2]) {
    servers[`bare deno serve, ${n} isolate(s)`] = await startBare("type", n);
    servers[`bare, 6 headers, ${n} isolate(s)`] = await startBare("full", n);
    servers[`pixserve --workers ${n}`] = await startPixserve(freePort(), ["--workers", String(n)]);
  }
  const rps: Record<string, number[]> = {};
  for (const [name, server] of Object.entries(servers)) {
    await wrk(`${server.base}/image.png`, { seconds: 2, connections, threads: 2 });
    rps[name] = [];
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, server] of Object.entries(servers)) {
      const r = await wrk(`${server.base}/image.png`, { seconds, connections, threads: 2 });
      rps[name].push(r.rps);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    `GET /image.png, ${connections} connections, wrk -t2, ${rounds} × ${seconds} s rounds`,
  );
  for (const [name, xs] of Object.entries(rps)) {
    console.log(
      `${name.padEnd(30)} median ${fmt(median(xs)).padStart(7)} req/s  (${xs.map(fmt).join(", ")})`,
    );
  }
  for (const n of [1, 2]) {
    const pix = median(rps[`pixserve --workers ${n}`]);
    const type = pix / median(rps[`bare deno serve, ${n} isolate(s)`]);
    const full = pix / median(rps[`bare, 6 headers, ${n} isolate(s)`]);
    console.log(
      `N=${n}: pixserve / bare: ${type.toFixed(2)}×, / bare with 6 headers: ${full.toFixed(2)}×`,
    );
  }
  console.log(
    `scaling 1→2: bare ${
      (median(rps["bare deno serve, 2 isolate(s)"]) / median(rps["bare deno serve, 1 isolate(s)"]))
        .toFixed(2)
    }×, bare with 6 headers ${
      (median(rps["bare, 6 headers, 2 isolate(s)"]) / median(rps["bare, 6 headers, 1 isolate(s)"]))
        .toFixed(2)
    }×, pixserve ${
      (median(rps["pixserve --workers 2"]) / median(rps["pixserve --workers 1"])).toFixed(2)
    }×`,
  );
} finally {
  for (const server of Object.values(servers)) await server.stop();
}
