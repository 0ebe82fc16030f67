/**
 * Issue 7's multi-core benchmark: `GET /image.png` (cached bytes) from pixserve on N
 * isolates (`--workers N`, logging to /dev/null) against a bare `deno serve --parallel`
 * with `DENO_JOBS=N` returning the same bytes (with `Content-Type` only, and with pixserve's
 * six headers), for N = 1 and 2, in one run. Rounds alternate; the medians of requests per
 * second and of server CPU time per request are reported. Nothing is pinned: the servers
 * may use every core, and wrk (2 threads) shares them.
 *
 * Run: `deno run -A bench/parallel_load.ts [seconds] [connections] [rounds]`
 *
 * @module
 */

import {
  alternateRounds,
  type BenchServer,
  freePort,
  median,
  ratioLine,
  roundsLine,
  startBare,
  startPixserve,
} from "./_wrk.ts";

const seconds = Number(Deno.args[0] ?? 5);
const connections = Number(Deno.args[1] ?? 64);
const rounds = Number(Deno.args[2] ?? 8);

const type = (n: number) => `bare deno serve, ${n} isolate(s)`;
const same = (n: number) => `bare, 6 headers, ${n} isolate(s)`;
const pixserve = (n: number) => `pixserve --workers ${n}`;

const servers: Record<string, BenchServer> = {};
try {
  for (const n of [1, 2]) {
    servers[type(n)] = await startBare("type", n);
    servers[same(n)] = await startBare("full", n);
    servers[pixserve(n)] = await startPixserve(freePort(), ["--workers", String(n)]);
  }
  const results = await alternateRounds(servers, "/image.png", {
    connections,
    seconds,
    rounds,
    threads: 2,
  });
  console.log(
    `GET /image.png, ${connections} connections, wrk -t2, ${rounds} × ${seconds} s rounds`,
  );
  for (const name of Object.keys(servers)) console.log(roundsLine(name, results[name]));
  for (const n of [1, 2]) {
    for (const base of [type(n), same(n)]) {
      console.log(ratioLine(pixserve(n), results[pixserve(n)], base, results[base]));
    }
  }
  const scaling = (name: (n: number) => string) =>
    (median(results[name(2)].rps) / median(results[name(1)].rps)).toFixed(2);
  console.log(
    `scaling 1→2: bare ${scaling(type)}×, bare with 6 headers ${scaling(same)}×, ` +
      `pixserve ${scaling(pixserve)}×`,
  );
} finally {
  for (const server of Object.values(servers)) await server.stop();
}
