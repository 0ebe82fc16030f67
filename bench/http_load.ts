/**
 * Issue 3's load benchmark: `GET /image.png` (cached bytes) from pixserve on one isolate,
 * logging every request (to /dev/null), against a bare `deno serve` returning the same
 * bytes with pixserve's six headers and with `Content-Type` only, in one run. Rounds
 * alternate between the servers; the medians of the rounds are reported, as requests per
 * second and as server CPU time per request (steadier on a shared machine). With two or
 * more CPUs every server runs on CPU 0 and wrk on CPU 1.
 *
 * Run: `deno run -A bench/http_load.ts [seconds] [connections] [rounds]`
 *
 * @module
 */

import { type BenchServer, fmt, freePort, PINNED, startBare, startPixserve, wrk } from "./_wrk.ts";

const seconds = Number(Deno.args[0] ?? 5);
const connections = Number(Deno.args[1] ?? 32);
const rounds = Number(Deno.args[2] ?? 6);

const PIXSERVE = "pixserve --workers 1";
const SAME = "bare, same six headers";
const TYPE = "bare, Content-Type only";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const servers: Record<string, BenchServer> = {};
try {
  servers[SAME] = await startBare("full", 1, PINNED.server);
  servers[TYPE] = await startBare("type", 1, PINNED.server);
  servers[PIXSERVE] = await startPixserve(freePort(), ["--workers", "1"], PINNED.server);
  servers[`${PIXSERVE} --quiet`] = await startPixserve(
    freePort(),
    ["--workers", "1", "--quiet"],
    PINNED.server,
  );
  const rps: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  for (const [name, server] of Object.entries(servers)) {
    await wrk(`${server.base}/image.png`, { seconds: 2, connections, cpus: PINNED.load });
    rps[name] = [];
    cpu[name] = [];
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, server] of Object.entries(servers)) {
      const before = await server.cpuSeconds();
      const result = await wrk(`${server.base}/image.png`, {
        seconds,
        connections,
        cpus: PINNED.load,
      });
      rps[name].push(result.rps);
      cpu[name].push((await server.cpuSeconds() - before) * 1e6 / result.requests);
    }
  }
  console.log(
    `GET /image.png, ${connections} connections, ${rounds} × ${seconds} s rounds, ` +
      (PINNED.server === undefined ? "unpinned" : "server on CPU 0, wrk on CPU 1"),
  );
  for (const name of Object.keys(servers)) {
    console.log(
      `${name.padEnd(30)} median ${fmt(median(rps[name])).padStart(7)} req/s ` +
        `${median(cpu[name]).toFixed(1).padStart(5)} µs CPU/request  ` +
        `(${rps[name].map(fmt).join(", ")})`,
    );
  }
  for (const name of [PIXSERVE, `${PIXSERVE} --quiet`]) {
    for (const base of [SAME, TYPE]) {
      console.log(
        `${name} / ${base}: ${(median(rps[name]) / median(rps[base])).toFixed(2)}× req/s, ` +
          `${(median(cpu[base]) / median(cpu[name])).toFixed(2)}× by CPU/request`,
      );
    }
  }
} finally {
  for (const server of Object.values(servers)) await server.stop();
}
