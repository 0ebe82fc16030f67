/**
 * Live-stream load: pixserve alone on one core (`--workers 1`, pinned to CPU 0 with its
 * encode workers), the viewers in this process and the producer of scenario 1 in a process
 * of its own (`bench/_stream_producer.ts`), as a camera is, both on the other core:
 *
 * 1. 640×480 frames pushed at 30 fps to 50 viewers (after one second of frames with the
 *    viewers reading, which warms the encode workers and the fan-out up): frames per second
 *    each viewer receives, push-to-receive latency (from the start of the PUT to the end of
 *    the part, matched by `X-Frame-Number`, on a clock both processes share) and the part of
 *    it after the PUT's 204, server CPU per frame;
 * 2. (run last) 100 viewers that stop reading for 10 s while 300 frames are pushed: RSS growth
 *    (peak during the pushes minus before), rounds alternating with the same pushes and no
 *    viewers, each on a new server, and how soon each viewer, resuming one after the other,
 *    has the newest frame once it reads again (through the stale parts the socket buffers
 *    still hold);
 * 3. 1,000 viewers that connect, take a frame and disconnect: open descriptors and the
 *    `viewers` count against their baseline, and how soon the count is back.
 *
 * Run: `deno run -A bench/streams_load.ts [seconds] [rounds]` (10 s of scenario 1, 3 rounds of
 * scenario 2 by default; it moves itself to CPU 1 with `taskset`)
 *
 * @module
 */

import { MjpegReader } from "../lib/streams/mjpeg.ts";
import { FPS, HEIGHT, now, produce, push, type Pushes, WIDTH } from "./_stream_producer.ts";
import { freePort, median, PINNED, startPixserve } from "./_wrk.ts";

const seconds = Number(Deno.args[0] ?? 10);
const rounds = Number(Deno.args[1] ?? 3);
/**
 * Runs {@linkcode produce} as a process of its own (`bench/_stream_producer.ts`), on this
 * process's CPU, so that the viewers read in this one while the pushes keep their schedule:
 * `count` frames from frame number `first`, of which those from `measured` on are returned
 * (the ones before warm the producer, its connection and the server up).
 */
async function producerProcess(
  base: string,
  name: string,
  count: number,
  first: number,
  measured: number,
): Promise<Pushes> {
  const script = new URL("./_stream_producer.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, base, name, String(count), String(first)],
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("bench/_stream_producer.ts failed");
  const pushes: { started: [number, number][]; puts: number[] } = JSON.parse(
    new TextDecoder().decode(out.stdout),
  );
  const skip = measured - first;
  return {
    started: new Map(pushes.started.filter(([n]) => n >= measured)),
    puts: pushes.puts.slice(skip),
  };
}

/** Opens a viewer. */
async function open(base: string, name: string): Promise<MjpegReader> {
  const res = await fetch(`${base}/streams/${name}.mjpg`);
  if (res.status !== 200) throw new Error(`viewer answered ${res.status}`);
  return new MjpegReader(res.body!);
}

/** Reads parts until the stream ends or `until` frame number, noting when each arrived. */
async function consume(reader: MjpegReader, arrivals: Map<number, number>, until: number) {
  for (;;) {
    const part = await reader.next();
    if (part === undefined) return;
    const n = Number(part.headers["x-frame-number"]);
    arrivals.set(n, now());
    if (n >= until) return;
  }
}

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function rssMiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

function fds(pid: number): number {
  return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
}

async function viewersOf(base: string, name: string): Promise<number> {
  return (await (await fetch(`${base}/streams/${name}`)).json()).viewers;
}

/** Polls (this is a benchmark) until `check` holds; the milliseconds it took, or -1. */
async function until(check: () => Promise<boolean> | boolean, limitMs = 10_000): Promise<number> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > limitMs) return -1;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - t0;
}

const f1 = (n: number) => n.toFixed(1);

async function fanOut(base: string, pid: number, cpuSeconds: () => Promise<number>) {
  const VIEWERS = 50;
  const count = seconds * FPS;
  // One frame to open the stream, then the producer's process pushes a second of frames with
  // the viewers reading before the measured ones: each encode worker's first JPEG loads
  // libjpeg-turbo, and the fan-out's code and the producer's connection warm up.
  await produce(base, "fan", 1);
  const readers = await Promise.all(Array.from({ length: VIEWERS }, () => open(base, "fan")));
  const arrivals = readers.map(() => new Map<number, number>());
  const first = FPS + 2;
  const reading = readers.map((r, i) => consume(r, arrivals[i], first + count - 1));
  const cpu0 = await cpuSeconds();
  const pushed = FPS + count;
  const { started, puts } = await producerProcess(base, "fan", pushed, 2, first);
  await Promise.all(reading);
  const cpu = (await cpuSeconds()) - cpu0;
  // The producer's wall time, one frame interval added for the last frame's own slot.
  const span = (started.get(first + count - 1)! - started.get(first)! + 1000 / FPS) / 1000;
  const latencies: number[] = [];
  const afterPut: number[] = [];
  const rates: number[] = [];
  for (const got of arrivals) {
    for (const [n, at] of got) {
      if (!started.has(n)) continue;
      latencies.push(at - started.get(n)!);
      afterPut.push(at - started.get(n)! - puts[n - first]);
    }
    const pushed = [...got.keys()].filter((n) => started.has(n)).length;
    rates.push(pushed / span);
  }
  console.log(
    `1. ${WIDTH}×${HEIGHT} at ${FPS} fps to ${VIEWERS} viewers for ${seconds} s (${count} frames)`,
  );
  const delivered = arrivals.map((got) => [...got.keys()].filter((n) => started.has(n)).length);
  console.log(
    `   producer: ${count} frames in ${f1(span)} s (${f1(count / span)} fps achieved); ` +
      `frames received per viewer: min ${Math.min(...delivered)}, median ${median(delivered)}`,
  );
  console.log(
    `   PUT to its 204 (decode the .npy, encode the JPEG): p50 ${f1(percentile(puts, 0.5))} ms, ` +
      `p99 ${f1(percentile(puts, 0.99))} ms`,
  );
  console.log(
    `   fps received per viewer: min ${f1(Math.min(...rates))}, median ${
      f1(median(rates))
    } (target ≥ 28 each)`,
  );
  console.log(
    `   push-to-receive latency: p50 ${f1(percentile(latencies, 0.5))} ms, ` +
      `p99 ${f1(percentile(latencies, 0.99))} ms, max ${f1(Math.max(...latencies))} ms ` +
      `(${latencies.length} deliveries; target p50 < 15, p99 < 50)`,
  );
  console.log(
    `   of which after the PUT's 204 (the fan-out alone): p50 ${f1(percentile(afterPut, 0.5))} ` +
      `ms, p99 ${f1(percentile(afterPut, 0.99))} ms`,
  );
  console.log(
    `   server CPU: ${f1((cpu * 1000) / pushed)} ms per frame (${f1(cpu)} s for the ${pushed} ` +
      `frames the producer pushed, ${f1((cpu * 1e6) / (pushed * VIEWERS))} µs per delivery); ` +
      `RSS ${f1(await rssMiB(pid))} MiB`,
  );
}

/** What one round of {@linkcode stalled} measured. */
interface StallRound {
  /** Peak RSS during the pushes minus RSS before them, MiB. */
  readonly growth: number;
  /** Milliseconds from reading again to the newest frame, per viewer. */
  readonly delays: number[];
  /** Stale parts each viewer read before the newest. */
  readonly stale: number[];
}

/**
 * RSS while 300 frames are pushed to a new stream with `viewers` viewers that stop reading,
 * then how soon each, reading again one after the other, has the newest frame.
 */
async function stalled(base: string, pid: number, viewers: number, round: number) {
  const count = 300;
  const name = `stall${viewers}-${round}`;
  // A second of frames first, as in scenario 1: the encode workers load libjpeg-turbo once.
  await produce(base, name, FPS);
  const readers = await Promise.all(Array.from({ length: viewers }, () => open(base, name)));
  for (const reader of readers) await reader.next();
  const before = await rssMiB(pid);
  let peak = before;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await rssMiB(pid));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  await produce(base, name, count, FPS + 1);
  const after = await rssMiB(pid);
  sampling = false;
  await sampler;
  const newest = count + FPS;
  const delays: number[] = [];
  const stale: number[] = [];
  for (const reader of readers) {
    const resumed = now();
    const got = new Map<number, number>();
    await consume(reader, got, newest);
    delays.push(got.get(newest)! - resumed);
    stale.push(got.size - 1);
  }
  for (const reader of readers) await reader.cancel();
  const resumed = viewers === 0
    ? ""
    : `; newest frame after reading again: median ${f1(median(delays))} ms, ` +
      `max ${f1(Math.max(...delays))} ms, after ${median(stale)} stale parts (max ${
        Math.max(...stale)
      })`;
  console.log(
    `   round ${round}, ${viewers} viewers: RSS ${f1(before)} MiB before, peak ${f1(peak)} ` +
      `(+${f1(peak - before)}), ${f1(after)} after${resumed}`,
  );
  await fetch(`${base}/streams/${name}`, { method: "DELETE" }).then((res) => res.body?.cancel());
  return { growth: peak - before, delays, stale };
}

/**
 * Rounds of {@linkcode stalled}, alternating no viewers (the producer's own cost) and 100
 * stalled viewers, each on a new server: on a server that has run before, memory its
 * allocator kept from earlier work would hide growth. The medians against the targets.
 */
async function stalls(rounds: number) {
  console.log(
    `2. 100 viewers stop reading while 300 frames (${WIDTH}×${HEIGHT}) are pushed at ${FPS} fps, ` +
      `${rounds} rounds alternating with no viewers, each on a server of its own`,
  );
  const alone: StallRound[] = [];
  const watched: StallRound[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const [viewers, rs] of [[0, alone], [100, watched]] as const) {
      const server = await startStreamServer();
      try {
        rs.push(await stalled(server.base, server.pid, viewers, round));
      } finally {
        await server.stop();
      }
    }
  }
  const growths = (rs: StallRound[]) => rs.map((r) => r.growth);
  const worst = watched.map((r) => Math.max(...r.delays));
  console.log(
    `   server RSS growth (peak − before), median of ${rounds}: ` +
      `${f1(median(growths(watched)))} MiB with 100 stalled viewers (target < 32; rounds ` +
      `${growths(watched).map(f1).join(", ")}), ${f1(median(growths(alone)))} MiB with none`,
  );
  console.log(
    `   newest frame after reading again, slowest viewer: median of ${rounds} ` +
      `${f1(median(worst))} ms (target < 100; rounds ${worst.map(f1).join(", ")})`,
  );
}

async function churn(base: string, pid: number) {
  const TOTAL = 1000;
  const AT_ONCE = 50;
  await push(base, "churn", 0);
  const baseFds = fds(pid);
  const baseViewers = await viewersOf(base, "churn");
  let peakViewers = 0;
  for (let done = 0; done < TOTAL; done += AT_ONCE) {
    const readers = await Promise.all(
      Array.from({ length: AT_ONCE }, () => open(base, "churn")),
    );
    for (const reader of readers) await reader.next();
    peakViewers = Math.max(peakViewers, await viewersOf(base, "churn"));
    for (const reader of readers) await reader.cancel();
  }
  const backMs = await until(async () => (await viewersOf(base, "churn")) === baseViewers);
  const fdsMs = await until(() => fds(pid) <= baseFds);
  console.log(`3. ${TOTAL} viewers connect, take a frame and disconnect, ${AT_ONCE} at a time`);
  console.log(
    `   viewers: baseline ${baseViewers}, ${peakViewers} while a batch watched, ` +
      `${await viewersOf(base, "churn")} after (back ${f1(backMs)} ms after the last disconnect)`,
  );
  console.log(
    `   open descriptors: baseline ${baseFds}, ${fds(pid)} after (back in ${f1(fdsMs)} ms)`,
  );
}

/** pixserve as every scenario runs it. */
function startStreamServer() {
  return startPixserve(
    freePort(),
    ["--quiet", "--workers", "1", "--max-viewers", "1000"],
    PINNED.server,
  );
}

if (PINNED.load !== undefined) {
  await new Deno.Command("taskset", { args: ["-a", "-p", "-c", PINNED.load, String(Deno.pid)] })
    .output();
}
console.log(
  `pixserve --workers 1 pinned to CPU ${PINNED.server ?? "(none)"}, ` +
    `producer and viewers to CPU ${PINNED.load ?? "(none)"}`,
);
const server = await startStreamServer();
try {
  await fanOut(server.base, server.pid, server.cpuSeconds);
  await churn(server.base, server.pid);
} finally {
  await server.stop();
}
await stalls(rounds);
