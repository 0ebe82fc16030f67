/**
 * A bounded pool of Web Workers that decode source images off the serving event loop,
 * admitted like encoding: at most `size` decodes at once, at most `queue` waiting, and a
 * 503 `decoder_busy` with `Retry-After: 1` past that. The file's buffer is moved to the
 * worker and the pixels (or the array) moved back. A worker that dies fails only its own
 * job (500 `decoder_crashed`) and is replaced.
 *
 * @module
 */

import type { DecodedArray } from "../image/decode_array.ts";
import { HttpError, ServiceUnavailable } from "../errors.ts";
import { type DecodeJob, type DecodeReply, errorOf } from "./decode_job.ts";
import type { RgbaPixels } from "../image/encode.ts";
import { RELEASE, type RELEASED } from "../memory.ts";

/** Options of {@linkcode DecodePool}. */
export interface DecodePoolOptions {
  /** Workers decoding at once. @default {2} */
  size?: number;
  /** Jobs that may wait for a worker; more are refused with 503. @default {32} */
  queue?: number;
  /** Start every worker now and keep them (a server). @default {false} */
  warm?: boolean;
  /** Milliseconds an idle worker lives, unless `warm`. @default {30000} */
  idleMs?: number;
  /**
   * With `warm`: milliseconds after which a worker idle since its last job is told to give
   * memory back (see `memory.ts`); none: never. @default {undefined}
   */
  releaseIdleMs?: number;
}

const WORKER_URL = new URL("./decode_worker.ts", import.meta.url);
const RETRY_AFTER_SECONDS = 1;

type Success = Extract<DecodeReply, { ok: true }>;

interface Job {
  readonly message: DecodeJob;
  readonly resolve: (reply: Success) => void;
  readonly reject: (err: unknown) => void;
}

interface Slot {
  readonly worker: Worker;
  job?: Job;
  idleTimer?: ReturnType<typeof setTimeout>;
  /** Whether it has run a job since it started or last gave memory back. */
  used?: boolean;
}

/**
 * Decodes source images on a bounded set of workers behind a bounded queue.
 *
 * @example
 * const pool = new DecodePool({ size: 2 });
 * const { width, height } = await pool.decode(await Deno.readFile("fixtures/photo.jpg"), 4e7);
 * pool.close();
 */
export class DecodePool {
  /** Workers decoding at once. */
  readonly size: number;
  /** Jobs that may wait. */
  readonly queue: number;
  readonly #warm: boolean;
  readonly #idleMs: number;
  readonly #releaseIdleMs: number | undefined;
  #released = 0;
  readonly #slots = new Set<Slot>();
  readonly #idle: Slot[] = [];
  readonly #waiting: Job[] = [];
  #closed = false;

  /**
   * Creates a `DecodePool`.
   *
   * @param options Size, queue, warm start, idle time, release time.
   */
  constructor(options: DecodePoolOptions = {}) {
    this.size = options.size ?? 2;
    this.queue = options.queue ?? 32;
    this.#warm = options.warm ?? false;
    this.#idleMs = options.idleMs ?? 30_000;
    this.#releaseIdleMs = options.releaseIdleMs;
    if (this.#warm) {
      for (let slot = this.#spawn(); slot !== undefined; slot = this.#spawn()) this.#next(slot);
    }
  }

  /** Workers alive now, busy or idle. */
  get workers(): number {
    return this.#slots.size;
  }

  /** Times a worker gave memory back after `releaseIdleMs` idle, so far. */
  get released(): number {
    return this.#released;
  }

  /**
   * Decodes a source image to RGBA pixels on a worker.
   *
   * @param bytes The file (its buffer is moved when the view covers it whole).
   * @param maxPixels The largest width × height decoded.
   * @returns The pixels.
   * @throws {ServiceUnavailable} `decoder_busy` when every worker is busy and the queue full.
   * @throws {CodecError} What the decoder throws, e.g. `too_many_pixels`.
   * @throws {HttpError} What the decoder throws (415 for what is not an image); 500
   *   `decoder_crashed` when the worker died.
   * @example
   * const pixels = await pool.decode(bytes, 40_000_000);
   */
  async decode(bytes: Uint8Array, maxPixels: number): Promise<RgbaPixels> {
    const reply = await this.#run({ bytes: movable(bytes), maxPixels });
    return { width: reply.width, height: reply.height, rgba: reply.rgba ?? new Uint8Array() };
  }

  /**
   * Decodes an image on a worker to the array it holds: its own channels and bit depth,
   * frames first for an animation.
   *
   * @param bytes The file.
   * @param maxPixels The largest frames × width × height decoded.
   * @param frames The most frames decoded, or the one frame wanted.
   * @returns The array and its samples per pixel.
   * @throws {ServiceUnavailable} As {@linkcode DecodePool.decode}.
   * @example
   * const { array } = await pool.decodeToArray(bytes, 40_000_000, { maxFrames: 1000 });
   */
  async decodeToArray(
    bytes: Uint8Array,
    maxPixels: number,
    frames: { maxFrames: number; frame?: number },
  ): Promise<DecodedArray> {
    const reply = await this.#run({ bytes: movable(bytes), maxPixels, array: frames });
    if (reply.array === undefined || reply.channels === undefined) {
      throw new Error("the decode worker sent no array");
    }
    return { array: reply.array, channels: reply.channels };
  }

  /**
   * Stops every worker; jobs waiting or decoding are refused with `shutting_down`.
   *
   * @example
   * pool.close();
   */
  close(): void {
    this.#closed = true;
    for (const job of this.#waiting.splice(0)) job.reject(shuttingDown());
    for (const slot of this.#slots) {
      slot.job?.reject(shuttingDown());
      this.#retire(slot);
    }
  }

  #run(message: DecodeJob): Promise<Success> {
    if (this.#closed) return Promise.reject(shuttingDown());
    const free = this.#idle.length > 0 || this.#slots.size < this.size;
    if (!free && this.#waiting.length >= this.queue) {
      return Promise.reject(
        new ServiceUnavailable(
          "decoder_busy",
          `all ${this.size} decode workers are busy and ${this.queue} images wait; ` +
            `retry in ${RETRY_AFTER_SECONDS} s`,
          RETRY_AFTER_SECONDS,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const job = { message, resolve, reject };
      const slot = this.#idle.pop() ?? this.#spawn();
      if (slot === undefined) this.#waiting.push(job);
      else this.#start(slot, job);
    });
  }

  #spawn(): Slot | undefined {
    if (this.#slots.size >= this.size) return undefined;
    const slot: Slot = { worker: new Worker(WORKER_URL, { type: "module" }) };
    slot.worker.onmessage = ({ data }: MessageEvent<DecodeReply | typeof RELEASED>) => {
      if ("released" in data) this.#released++;
      else this.#finish(slot, data);
    };
    slot.worker.onerror = (event) => {
      event.preventDefault();
      this.#crash(slot);
    };
    slot.worker.onmessageerror = () => this.#crash(slot);
    this.#slots.add(slot);
    return slot;
  }

  #start(slot: Slot, job: Job): void {
    clearTimeout(slot.idleTimer);
    slot.job = job;
    slot.used = true;
    slot.worker.postMessage(job.message, [job.message.bytes.buffer]);
  }

  #finish(slot: Slot, reply: DecodeReply): void {
    const job = slot.job;
    slot.job = undefined;
    if (reply.ok) job?.resolve(reply);
    else job?.reject(errorOf(reply.failure));
    this.#next(slot);
  }

  #next(slot: Slot): void {
    const job = this.#waiting.shift();
    if (job !== undefined) return this.#start(slot, job);
    this.#idle.push(slot);
    if (this.#warm && (!slot.used || this.#releaseIdleMs === undefined)) return;
    const timer = this.#warm
      ? setTimeout(() => this.#release(slot), this.#releaseIdleMs)
      : setTimeout(() => this.#retire(slot), this.#idleMs);
    Deno.unrefTimer(timer);
    slot.idleTimer = timer;
  }

  /**
   * Tells an idle worker to give memory back (rather than replacing it: a terminated worker
   * that loaded npm packages leaves two descriptors open in Deno 2.9).
   */
  #release(slot: Slot): void {
    if (this.#closed || slot.job !== undefined || !this.#slots.has(slot)) return;
    slot.used = false;
    slot.worker.postMessage(RELEASE);
  }

  #crash(slot: Slot): void {
    if (!this.#slots.has(slot)) return;
    const job = slot.job;
    this.#retire(slot);
    job?.reject(
      new HttpError(
        500,
        "decoder_crashed",
        "the decode worker stopped while decoding this image; it has been replaced, retry",
      ),
    );
    const fresh = this.#waiting.length > 0 || this.#warm ? this.#spawn() : undefined;
    if (fresh !== undefined) this.#next(fresh);
  }

  #retire(slot: Slot): void {
    const idle = this.#idle.indexOf(slot);
    if (idle !== -1) this.#idle.splice(idle, 1);
    clearTimeout(slot.idleTimer);
    slot.worker.terminate();
    this.#slots.delete(slot);
  }
}

function shuttingDown(): ServiceUnavailable {
  return new ServiceUnavailable(
    "shutting_down",
    "the server is shutting down and takes no new images",
    RETRY_AFTER_SECONDS,
  );
}

/** The bytes in a buffer of their own, so it can be moved to the worker. */
function movable(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const whole = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength;
  return whole ? bytes as Uint8Array<ArrayBuffer> : bytes.slice();
}
