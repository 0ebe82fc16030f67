/**
 * The render after an idle spell: what giving memory back (`MEMORY_IDLE_SECONDS`: garbage
 * collected in every isolate, the C heap trimmed) costs the first request that follows. For
 * `--workers 1` and `--workers 2` (encode workers then started from a serving worker
 * isolate), `ROUNDS` (default 8) rounds of: one render, a wait until the used encode worker
 * has given memory back (polling `/metrics`), then the first render after it and a second one
 * at once. The same server with `MEMORY_IDLE_SECONDS=86400` (never released) waits the same
 * spell between its renders as the reference. Each server gets what
 * `deno task start` gives it (`--v8-flags=--expose-gc`, `MALLOC_ARENA_MAX=2`, libc named).
 * Prints the median times in milliseconds.
 *
 * Run: `deno run -A bench/idle_render.ts`
 *
 * @module
 */

import { encodeNpy } from "../lib/arrays/npy.ts";
import { serverEnv } from "../lib/launch.ts";
import { ownLibcPath, SERVER_V8_FLAGS } from "../lib/memory.ts";
import { quantile, startMeasured } from "./_process.ts";

const ROUNDS = Number(Deno.env.get("ROUNDS") ?? 8);
const IDLE_SECONDS = 2;

const npy = encodeNpy({
  shape: [480, 640, 3],
  dtype: "uint8",
  data: new Uint8Array(480 * 640 * 3).map((_, i) => (i * 7) & 0xff),
});

async function render(base: string): Promise<number> {
  const start = performance.now();
  const res = await fetch(`${base}/render.png`, {
    method: "POST",
    body: npy,
    headers: { "content-type": "application/x-npy" },
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`render answered ${res.status}`);
  return performance.now() - start;
}

async function released(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("pixserve_worker_memory_releases_total "));
  return Number(line?.split(" ")[1] ?? 0);
}

async function measure(workers: number, idleSeconds: number) {
  const server = await startMeasured(
    ["--workers", String(workers)],
    {
      ...serverEnv((name) => Deno.env.get(name), ownLibcPath()),
      MEMORY_IDLE_SECONDS: String(idleSeconds),
    },
    [SERVER_V8_FLAGS],
  );
  const first: number[] = [], second: number[] = [];
  try {
    for (let i = 0; i < 3; i++) await render(server.base);
    for (let round = 0; round < ROUNDS; round++) {
      await render(server.base);
      const before = await released(server.base);
      const waitUntil = performance.now() + (IDLE_SECONDS + 1.5) * 1000;
      // The reference never gives memory back: it waits about as long.
      while (
        idleSeconds === IDLE_SECONDS
          ? await released(server.base) === before
          : performance.now() < waitUntil
      ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      first.push(await render(server.base));
      second.push(await render(server.base));
    }
  } finally {
    await server.stop();
  }
  return { first: quantile(first, 0.5), second: quantile(second, 0.5) };
}

const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
console.log(
  `render of a 640×480 uint8 RGB .npy after an idle spell; ${ROUNDS} rounds; load ${load}`,
);
console.log("workers  MEMORY_IDLE_SECONDS  first after idle (median ms)  next (median ms)");
for (const workers of [1, 2]) {
  for (const idle of [IDLE_SECONDS, 86400]) {
    const { first, second } = await measure(workers, idle);
    console.log(
      `${String(workers).padStart(7)}  ${String(idle).padStart(19)}  ${
        first.toFixed(1).padStart(28)
      }  ${second.toFixed(1).padStart(16)}`,
    );
  }
}
