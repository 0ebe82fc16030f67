/**
 * Issue 3's load benchmark: `GET /image.png` (cached bytes) from pixserve on one isolate,
 * logging every request (to /dev/null), against a bare `deno serve` returning the same
 * bytes with `Content-Type` only and with pixserve's six headers, in one run. Rounds
 * alternate between the servers; the medians of the rounds are reported, as requests per
 * second and as server CPU time per request (steadier on a shared machine). With two or
 * more CPUs every server runs on CPU 0 and wrk on CPU 1.
 *
 * Run: `deno run -A bench/http_load.ts [seconds] [connections] [rounds]`
 *
 * @module
 */

import {
  alternateRounds,
  type BenchServer,
  freePort,
  PINNED,
  ratioLine,
  roundsLine,
  startBare,
  startPixserve,
} from "./_wrk.ts";

const seconds = Number(Deno.args[0] ?? 5);
const connections = Number(Deno.args[1] ?? 32);
const rounds = Number(Deno.args[2] ?? 8);

const PIXSERVE = "pixserve --workers 1";
const QUIET = "pixserve --workers 1 --quiet";
const TYPE = "bare, Content-Type only";
const SAME = "bare, same six headers";

const servers: Record<string, BenchServer> = {};
try {
  servers[TYPE] = await startBare("type", 1, PINNED.server);
  servers[SAME] = await startBare("full", 1, PINNED.server);
  servers[PIXSERVE] = await startPixserve(freePort(), ["--workers", "1"], PINNED.server);
  servers[QUIET] = await startPixserve(freePort(), ["--workers", "1", "--quiet"], PINNED.server);
  const results = await alternateRounds(servers, "/image.png", {
    connections,
    seconds,
    rounds,
    cpus: PINNED.load,
  });
  console.log(
    `GET /image.png, ${connections} connections, ${rounds} × ${seconds} s rounds, ` +
      (PINNED.server === undefined ? "unpinned" : "servers on CPU 0, wrk on CPU 1"),
  );
  for (const name of Object.keys(servers)) console.log(roundsLine(name, results[name]));
  for (const name of [PIXSERVE, QUIET]) {
    for (const base of [TYPE, SAME]) {
      console.log(ratioLine(name, results[name], base, results[base]));
    }
  }
} finally {
  for (const server of Object.values(servers)) await server.stop();
}
