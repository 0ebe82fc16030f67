/**
 * Soak: `SOAK_SECONDS` (default 60) of mixed load on one server process — cached GETs,
 * renders of posted arrays, decodes of posted images, range requests and downloads aborted
 * half-way — from `SOAK_CLIENTS` (default 8) concurrent clients, sampling the server's
 * resident memory and open file descriptors every 5 s; then 20 s without load, still
 * sampling (`SOAK_QUIET_SECONDS`), with the clients' keep-alive connections closed. Prints the series and the last
 * sample against the first (taken after one warm-up round of every request kind).
 *
 * Run: `deno run -A bench/soak.ts`. The server gets what `deno task start` gives it:
 * `MALLOC_ARENA_MAX=2`, the path of `libc.so.6` and `--v8-flags=--expose-gc`, so it gives
 * memory back after `MEMORY_IDLE_SECONDS` (default 30) without requests; set
 * `SOAK_QUIET_SECONDS` past that to see it.
 *
 * @module
 */

import { encodeNpy } from "../lib/arrays/npy.ts";
import { serverEnv } from "../lib/launch.ts";
import { ownLibcPath, SERVER_V8_FLAGS } from "../lib/memory.ts";
import { startMeasured } from "./_process.ts";

const SECONDS = Number(Deno.env.get("SOAK_SECONDS") ?? 60);
const CLIENTS = Number(Deno.env.get("SOAK_CLIENTS") ?? 8);
const QUIET_SECONDS = Number(Deno.env.get("SOAK_QUIET_SECONDS") ?? 20);
const SAMPLE_MS = 5000;

const server = await startMeasured(
  ["--workers", "1"],
  serverEnv((name) => Deno.env.get(name), ownLibcPath()),
  [SERVER_V8_FLAGS],
);
const { base } = server;
const client = Deno.createHttpClient({});
const get = (url: string, init: RequestInit = {}) => fetch(url, { ...init, client });
const photo = await Deno.readFile(new URL("../fixtures/photo.jpg", import.meta.url));
const npy = encodeNpy({
  shape: [480, 640, 3],
  dtype: "uint8",
  data: new Uint8Array(480 * 640 * 3).map((_, i) => (i * 7) & 0xff),
});

/** One request of each kind, by name; each reads or cancels its whole body. */
const KINDS: Record<string, () => Promise<number>> = {
  cached: async () => {
    const res = await get(`${base}/image.png`);
    await res.arrayBuffer();
    return res.status;
  },
  render: async () => {
    const res = await get(`${base}/render.png`, {
      method: "POST",
      body: npy,
      headers: { "content-type": "application/x-npy" },
    });
    await res.arrayBuffer();
    return res.status;
  },
  decode: async () => {
    const res = await get(`${base}/decode.npy`, {
      method: "POST",
      body: photo,
      headers: { "content-type": "image/jpeg" },
    });
    await res.arrayBuffer();
    return res.status;
  },
  range: async () => {
    const res = await get(`${base}/files/photo.jpg`, { headers: { range: "bytes=100-999" } });
    await res.arrayBuffer();
    return res.status;
  },
  aborted: async () => {
    const controller = new AbortController();
    const res = await get(`${base}/stream/sample.png?chunk=1024`, { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => {});
    return res.status;
  },
};

const names = Object.keys(KINDS);
const counts: Record<string, Record<number, number>> = {};
const count = (name: string, status: number) => {
  counts[name] ??= {};
  counts[name][status] = (counts[name][status] ?? 0) + 1;
};

for (const name of names) await KINDS[name]();
const series: { t: number; rss: number; fds: number; phase: string }[] = [];
const start = performance.now();
const sample = (phase: string) =>
  series.push({
    t: Math.round((performance.now() - start) / 1000),
    rss: server.rssMiB(),
    fds: server.fds(),
    phase,
  });
sample("start");

let loading = true;
const sampler = setInterval(() => sample(loading ? "load" : "quiet"), SAMPLE_MS);
const clients = Array.from({ length: CLIENTS }, async (_, c) => {
  for (let i = c; loading; i++) {
    const name = names[i % names.length];
    try {
      count(name, await KINDS[name]());
    } catch {
      count(name, 0);
    }
  }
});
await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
loading = false;
await Promise.all(clients);
client.close();
await new Promise((resolve) => setTimeout(resolve, QUIET_SECONDS * 1000));
clearInterval(sampler);
sample("end");
await server.stop();

console.log(`soak: ${SECONDS} s of load from ${CLIENTS} clients, then ${QUIET_SECONDS} s quiet`);
console.log("requests by kind and status (0: client error):", JSON.stringify(counts));
console.log("  t(s)  phase   RSS(MiB)  fds");
for (const s of series) {
  console.log(
    `${String(s.t).padStart(6)}  ${s.phase.padEnd(6)} ${s.rss.toFixed(1).padStart(9)}  ${
      String(s.fds).padStart(4)
    }`,
  );
}
const first = series[0], last = series[series.length - 1];
const pct = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)} %`;
console.log(
  `end vs start: RSS ${first.rss.toFixed(1)} → ${last.rss.toFixed(1)} MiB (${
    pct(first.rss, last.rss)
  }), fds ${first.fds} → ${last.fds} (${pct(first.fds, last.fds)}); peak RSS ${
    Math.max(...series.map((s) => s.rss)).toFixed(1)
  } MiB`,
);
