/**
 * The live-stream benchmark's producer: camera-like 640×480 frames `PUT` at 30 fps on an
 * absolute schedule. `bench/streams_load.ts` imports it, and runs it as a process of its own
 * for the latency scenario, so that the viewers' reading does not delay the pushes.
 *
 * Run: `deno run -A bench/_stream_producer.ts BASE NAME COUNT FIRST` prints, as JSON, when
 * each push started (`performance.timeOrigin + performance.now()`, by frame number) and how
 * long each PUT took to its 204.
 *
 * @module
 */

import { encodeNpy } from "../lib/arrays/npy.ts";

/** Frames per second pushed. */
export const FPS = 30;
/** Frame width. */
export const WIDTH = 640;
/** Frame height. */
export const HEIGHT = 480;

/** A camera-like frame: a gradient that moves with `k`, with fine texture. */
function frame(k: number): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let y = 0, i = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++, i += 3) {
      const t = ((x + y * 3 + k * 7) * 13) & 7;
      data[i] = (x + k * 4) & 255;
      data[i + 1] = (y + k * 2) & 255;
      data[i + 2] = ((x ^ y) + t * 8) & 255;
    }
  }
  return encodeNpy({ shape: [HEIGHT, WIDTH, 3], dtype: "uint8", data });
}

const FRAMES = Array.from({ length: FPS }, (_, k) => frame(k));

/** A time comparable across processes on this machine, in milliseconds. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * PUTs frame `k` of the thirty frames.
 *
 * @param base The server's base URL.
 * @param name The stream.
 * @param k The frame.
 */
export async function push(base: string, name: string, k: number): Promise<void> {
  const res = await fetch(`${base}/streams/${name}`, {
    method: "PUT",
    body: FRAMES[k % FRAMES.length],
    headers: { "content-type": "application/x-npy" },
  });
  await res.body?.cancel();
  if (res.status !== 204) throw new Error(`push answered ${res.status}`);
}

/** What {@linkcode produce} measured. */
export interface Pushes {
  /** When each push started ({@linkcode now}), by frame number. */
  readonly started: Map<number, number>;
  /** How long each PUT took to its 204, in push order, milliseconds. */
  readonly puts: number[];
}

/**
 * Pushes `count` frames at `FPS` on an absolute schedule.
 *
 * @param base The server's base URL.
 * @param name The stream.
 * @param count Frames to push.
 * @param first The frame number of the first (the first frame of a new stream is 1).
 * @returns When each push started and how long each took.
 */
export async function produce(
  base: string,
  name: string,
  count: number,
  first = 1,
): Promise<Pushes> {
  const started = new Map<number, number>();
  const puts: number[] = [];
  const t0 = now();
  for (let k = 0; k < count; k++) {
    const due = t0 + (k * 1000) / FPS;
    const wait = due - now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const at = now();
    started.set(first + k, at);
    await push(base, name, k);
    puts.push(now() - at);
  }
  return { started, puts };
}

if (import.meta.main) {
  const [base, name, count, first] = Deno.args;
  const { started, puts } = await produce(base, name, Number(count), Number(first));
  console.log(JSON.stringify({ started: [...started], puts }));
}
