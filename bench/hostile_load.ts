/**
 * `/health` latency and the server's memory while hostile requests are refused or admitted:
 *
 * 1. bombs, `HOSTILE_SECONDS` (default 20) from 4 clients: a 1×1 TIFF whose deflate strip
 *    inflates to 256 MiB, the same strip listed twice, a 35-byte GIF with a 20000×20000
 *    frame, a 630-byte JPEG whose frame says 6000×6000 (within `MAX_PIXELS`: decoded, on a
 *    decode worker), and rounds of 16 concurrent `/image.png` at distinct ~6000×6500 sizes;
 * 2. 160 concurrent `/image.png` renders at distinct 1080p-like sizes.
 *
 * One more client asks `GET /health` back to back throughout and reports p50, p99 and max;
 * the server's RSS is sampled every 100 ms (peak) and 10 s after the load.
 *
 * Run: `deno run -A bench/hostile_load.ts` (default settings: `WORKERS` one per core,
 * `MAX_INFLIGHT_BYTES` 512 MiB, the server with `MALLOC_ARENA_MAX=2`).
 *
 * @module
 */

import { gifWithFrame, grayTiff, jpegWithFrame, zlibZeros } from "../tests/_bombs.ts";
import { quantile, startMeasured } from "./_process.ts";

const SECONDS = Number(Deno.env.get("HOSTILE_SECONDS") ?? 20);

const server = await startMeasured([], { MALLOC_ARENA_MAX: "2" });
const { base } = server;
const strip = zlibZeros(256 * 1024 * 1024);
const bombs: [string, string, Uint8Array<ArrayBuffer>][] = [
  ["tiff_inflation", "image/tiff", grayTiff(1, 1, 8, { data: strip, entries: 1 })],
  ["tiff_two_strips", "image/tiff", grayTiff(1, 1, 8, { data: strip, entries: 2 })],
  ["gif_frame", "image/gif", gifWithFrame([1, 1], [0, 0, 20000, 20000])],
  ["jpeg_6000", "image/jpeg", await jpegWithFrame(6000, 6000)],
];

const statuses: Record<string, Record<number, number>> = {};
const count = (name: string, status: number) => {
  statuses[name] ??= {};
  statuses[name][status] = (statuses[name][status] ?? 0) + 1;
};

let peak = 0;
const sampler = setInterval(() => peak = Math.max(peak, server.rssMiB()), 100);

/** Asks /health back to back until `until` resolves; the latencies in ms. */
async function healthLatencies(until: Promise<unknown>): Promise<number[]> {
  let done = false;
  until.finally(() => done = true);
  const latencies: number[] = [];
  while (!done) {
    const t = performance.now();
    const res = await fetch(`${base}/health`);
    await res.arrayBuffer();
    latencies.push(performance.now() - t);
  }
  return latencies;
}

async function post(name: string, type: string, body: Uint8Array<ArrayBuffer>): Promise<void> {
  try {
    const res = await fetch(`${base}/decode.npy`, {
      method: "POST",
      body,
      headers: { "content-type": type },
    });
    await res.arrayBuffer();
    count(name, res.status);
  } catch {
    count(name, 0);
  }
}

async function image(name: string, width: number, height: number): Promise<void> {
  try {
    const res = await fetch(`${base}/image.png?width=${width}&height=${height}`);
    await res.arrayBuffer();
    count(name, res.status);
  } catch {
    count(name, 0);
  }
}

const report = (label: string, latencies: number[]) =>
  console.log(
    `${label}: /health n=${latencies.length} p50=${quantile(latencies, 0.5).toFixed(1)} ms ` +
      `p99=${quantile(latencies, 0.99).toFixed(1)} ms max=${quantile(latencies, 1).toFixed(1)} ms`,
  );

const startRss = server.rssMiB();
const deadline = performance.now() + SECONDS * 1000;
let round = 0;
const bombing = Promise.all(Array.from({ length: 4 }, async (_, c) => {
  for (let i = c; performance.now() < deadline; i++) {
    if (i % 5 === 4) {
      const r = round++;
      await Promise.all(
        Array.from(
          { length: 16 },
          (_, k) => image("image_6000x6500", 6000, 6500 - ((r * 16 + k) % 600)),
        ),
      );
    } else {
      const [name, type, body] = bombs[i % 4];
      await post(name, type, body);
    }
  }
}));
report("bombs", await healthLatencies(bombing));
const bombPeak = peak;

peak = 0;
const renders = Promise.all(
  Array.from({ length: 160 }, (_, k) => image("render_1080p", 1920 + k, 1080)),
);
report("160 renders", await healthLatencies(renders));
const renderPeak = peak;
await new Promise((resolve) => setTimeout(resolve, 10_000));
clearInterval(sampler);
const after = server.rssMiB();
await server.stop();

console.log("statuses by request (0: connection error):", JSON.stringify(statuses));
console.log(
  `RSS: start ${startRss.toFixed(0)} MiB, peak during bombs ${bombPeak.toFixed(0)} MiB, ` +
    `peak during renders ${renderPeak.toFixed(0)} MiB, 10 s after ${after.toFixed(0)} MiB`,
);
