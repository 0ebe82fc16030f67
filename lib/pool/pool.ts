/**
 * A bounded pool of Web Workers that encode images off the main event loop.
 *
 * At most `size` workers encode at once, one job each; at most `queue` more jobs wait.
 * A job past that is refused at once with a 503 (`Retry-After: 1`), so memory stays
 * bounded under any load. Pixels are moved to the worker (their buffer is transferred,
 * not copied) and the encoded bytes are moved back. A worker that dies fails only its own
 * job (a JSON 500, `encoder_crashed`) and is replaced by a fresh one for the next job.
 * Workers start on demand and stop after `idleMs` without work, or, with `warm`, all start
 * at once and stay (a server's choice: a worker started from a worker isolate takes about
 * a second to start in Deno 2.9, too long to pay on a request).
 *
 * @module
 */

import { HttpError, ServiceUnavailable } from "../errors.ts";
import {
  type ChannelPixels,
  checkQuality,
  checkSize,
  type EncoderBackend,
  type RgbaPixels,
} from "../image/encode.ts";
import { CodecError } from "../codec_error.ts";
import type { DisplayJob } from "../image/display_job.ts";
import type { AnimationTiming } from "../image/animate.ts";
import { type EncodeJob, type EncodeReply, PING, type PONG, runEncodeJob } from "./encode_job.ts";
import type { ImageFormat } from "../image/format.ts";
import { RELEASE, type RELEASED } from "../memory.ts";

/** Options of {@linkcode EncodePool}. */
export interface EncodePoolOptions {
  /** Workers encoding at once. @default {navigator.hardwareConcurrency} */
  size?: number;
  /** Jobs that may wait for a worker; more are refused with 503. @default {32} */
  queue?: number;
  /** Who writes JPEG and many-coloured GIF. @default {"native"} */
  backend?: EncoderBackend;
  /** Milliseconds an idle worker lives, unless `warm`. @default {30000} */
  idleMs?: number;
  /**
   * With `warm`: milliseconds after which a worker idle since its last job is told to give
   * memory back (see `memory.ts`); none: never. @default {undefined}
   */
  releaseIdleMs?: number;
  /**
   * The largest PNG, in bytes of pixels, encoded on the calling isolate instead of a worker,
   * because handing it over costs more CPU than encoding it; 0: every image goes to a worker.
   * @default {INLINE_PNG_BYTES}
   */
  inlineBytes?: number;
  /**
   * Such PNGs encoded on the calling isolate in one turn of its event loop; the turn's others
   * go to the workers, whose lower priority (`ENCODE_NICE`) keeps the isolate answering quick
   * requests such as `/health` first. 0: none. @default {INLINE_PER_TURN}
   */
  inlinePerTurn?: number;
  /** Start every worker now, keep them all, and replace a dead one at once. @default {false} */
  warm?: boolean;
  /** The module workers run; tests swap it. @default {encode_worker.ts} */
  workerUrl?: URL;
  /** Told about each worker that died. @default {console.error} */
  onCrash?: (error: unknown) => void;
}

/**
 * PNGs of up to this many bytes of pixels (a 724×724 RGB image, about 1 ms to encode) are
 * encoded where they are asked for: below it, handing an image to a worker costs more CPU than
 * encoding it (the transfer, the worker's wake-up, its own collector). Server CPU per
 * `POST /render.png` of an RGB `.npy` on one core, worker → here: 256×256 0.75 → 0.46 ms,
 * 512×512 1.29 → 0.98 ms, 724×724 3.04 → 2.17 ms, but 880×880 4.13 → 5.30 ms and 1920×1080
 * 10.9 → 15.1 ms (`bench/README.md`). A serving isolate then pauses for at most about 1 ms.
 */
export const INLINE_PNG_BYTES = 1536 * 1024;

/**
 * Small PNGs (`INLINE_PNG_BYTES`) a serving isolate encodes itself in one turn of its event
 * loop. Everything a turn runs, runs before the loop next looks for requests: with every such
 * PNG encoded where it was asked for, `/health` waited behind a turn's renders (p99 54 ms on
 * one core under 16 connections of 512×512 renders). With one per turn and the rest on the
 * workers it measured p99 7–14 ms at 712–970 renders a second, two per turn 18–21 ms at
 * 908–975, every render on a worker 15–17 ms at 622–884 (`bench/README.md`). A turn ends when
 * the timers run (`setTimeout` of 0), after the loop has looked for I/O.
 */
export const INLINE_PER_TURN = 1;

/** Seconds a refused client is asked to wait. */
export const RETRY_AFTER_SECONDS = 1;

const WORKER_URL = new URL("./encode_worker.ts", import.meta.url);

interface Job {
  readonly message: EncodeJob;
  readonly resolve: (bytes: Uint8Array<ArrayBuffer>) => void;
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
 * Encodes on a bounded set of workers behind a bounded queue.
 *
 * @example
 * ```ts
 * import { EncodePool } from "./pool.ts";
 *
 * const pool = new EncodePool({ size: 2 });
 * const png = await pool.encode({ width: 1, height: 1, rgba: new Uint8Array(4) }, "png");
 * pool.close();
 * ```
 */
export class EncodePool {
  /** Workers encoding at once. */
  readonly size: number;
  /** Jobs that may wait. */
  readonly queue: number;
  readonly #backend: EncoderBackend;
  readonly #idleMs: number;
  readonly #releaseIdleMs: number | undefined;
  readonly #inlineBytes: number;
  readonly #inlinePerTurn: number;
  #inlineThisTurn = 0;
  #turnEnd: ReturnType<typeof setTimeout> | undefined;
  #released = 0;
  readonly #warm: boolean;
  readonly #workerUrl: URL;
  readonly #onCrash: (error: unknown) => void;
  readonly #slots = new Set<Slot>();
  readonly #idle: Slot[] = [];
  readonly #waiting: Job[] = [];
  #closed = false;

  /**
   * Creates a `EncodePool`.
   *
   * @param options Size, queue, backend, idle time, worker module, crash log.
   */
  constructor(options: EncodePoolOptions = {}) {
    this.size = options.size ?? navigator.hardwareConcurrency;
    this.queue = options.queue ?? 32;
    if (!Number.isInteger(this.size) || this.size < 1) {
      throw new RangeError(`pool size must be a positive integer, got ${this.size}`);
    }
    if (!Number.isInteger(this.queue) || this.queue < 0) {
      throw new RangeError(`pool queue must be a non-negative integer, got ${this.queue}`);
    }
    this.#backend = options.backend ?? "native";
    this.#idleMs = options.idleMs ?? 30_000;
    this.#releaseIdleMs = options.releaseIdleMs;
    this.#inlineBytes = options.inlineBytes ?? INLINE_PNG_BYTES;
    this.#inlinePerTurn = options.inlinePerTurn ?? INLINE_PER_TURN;
    this.#warm = options.warm ?? false;
    this.#workerUrl = options.workerUrl ?? WORKER_URL;
    this.#onCrash = options.onCrash ?? ((error) => console.error("encode worker died:", error));
    if (this.#warm) this.#fill();
  }

  /** Workers alive now, busy or idle. */
  get workers(): number {
    return this.#slots.size;
  }

  /** Times a worker gave memory back after `releaseIdleMs` idle, so far. */
  get released(): number {
    return this.#released;
  }

  /** Jobs encoding now. */
  get running(): number {
    return this.#slots.size - this.#idle.length;
  }

  /** Jobs waiting for a worker. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Encodes pixels on a worker, which also expands gray or RGB to RGBA. The pixel buffer
   * is moved there when the view covers all of it (the caller's view is then detached),
   * or with `moveBuffer` (the caller gives up the whole buffer, e.g. a request body the
   * pixels are a view of); else the pixels are copied. A still PNG of up to `inlineBytes`
   * of pixels is encoded here instead, `inlinePerTurn` in a turn of the event loop, from the
   * caller's bytes, which stay the caller's.
   *
   * @param pixels Width, height and RGBA bytes, or bytes of 1 to 4 channels.
   * @param format The target format.
   * @param options Quality for JPEG and WebP; `moveBuffer` to move a view's whole buffer;
   *   `display` to map an array on the worker first (`pixels.data` then holds its element
   *   bytes, and `channels` is ignored).
   * @returns The encoded bytes.
   * @throws {CodecError} malformed `invalid_quality`: a bad quality.
   * @throws {CodecError} unprocessable `too_large_for_format`: a size the format cannot hold.
   * @throws {ServiceUnavailable} `encoder_busy`: every worker busy and the queue full;
   *   `shutting_down` after {@linkcode EncodePool.close}.
   * @throws {HttpError} 500 `encoder_crashed`: the worker died during this job.
   * @throws {RangeError} Pixel bytes that do not match the size.
   * @example
   * ```ts
   * import { pixelsOf } from "../image/encode.ts";
   * import { sampleImage } from "../image/sample.ts";
   * import { EncodePool } from "./pool.ts";
   *
   * const pool = new EncodePool({ size: 1 });
   * const jpeg = await pool.encode(pixelsOf(sampleImage(64, 64)), "jpeg", { quality: 80 });
   * console.log(jpeg.subarray(0, 3)); // Uint8Array [255, 216, 255]
   * pool.close();
   * ```
   */
  encode(
    pixels: RgbaPixels | ChannelPixels,
    format: ImageFormat,
    options: {
      quality?: number;
      effort?: number;
      moveBuffer?: boolean;
      display?: DisplayJob;
      timing?: AnimationTiming;
    } = {},
  ): Promise<Uint8Array<ArrayBuffer>> {
    try {
      const quality = checkQuality(format, options.quality);
      checkSize(pixels.width, pixels.height, format);
      if (this.#closed) throw shuttingDown();
      const { width, height } = pixels;
      const { channels, data, bits, frames } = "rgba" in pixels
        ? { channels: 4 as const, data: pixels.rgba, bits: undefined, frames: undefined }
        : pixels;
      const size = width * height * channels * (frames ?? 1) * (bits === 16 ? 2 : 1);
      if (options.display === undefined && data.byteLength !== size) {
        throw new RangeError(`${width}x${height}x${channels} pixels need ${size} bytes`);
      }
      const here = format === "png" && options.display === undefined && frames === undefined &&
        size <= this.#inlineBytes && this.#inlineTurn();
      if (here) {
        const job = { width, height, channels, data, format, bits, backend: this.#backend };
        return runEncodeJob(job).then(replyBytes);
      }
      this.#admit();
      const message = {
        width,
        height,
        channels,
        data: movable(data, options.moveBuffer === true),
        format,
        quality,
        display: options.display,
        bits,
        frames,
        timing: options.timing,
        effort: options.effort,
      };
      return new Promise((resolve, reject) => {
        const job = { message: { ...message, backend: this.#backend }, resolve, reject };
        const slot = this.#idle.pop() ?? this.#spawn();
        if (slot === undefined) this.#waiting.push(job);
        else this.#start(slot, job);
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Stops every worker; jobs waiting or encoding are refused with `shutting_down`.
   *
   * @example
   * ```ts
   * import { EncodePool } from "./pool.ts";
   *
   * const pool = new EncodePool({ size: 1 });
   * pool.close();
   * ```
   */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#turnEnd);
    for (const job of this.#waiting.splice(0)) job.reject(shuttingDown());
    for (const slot of this.#slots) {
      slot.job?.reject(shuttingDown());
      this.#retire(slot);
    }
  }

  /** Whether one more PNG may be encoded here in this turn of the event loop; counts it. */
  #inlineTurn(): boolean {
    if (this.#inlineThisTurn >= this.#inlinePerTurn) return false;
    this.#inlineThisTurn++;
    this.#turnEnd ??= setTimeout(() => {
      this.#inlineThisTurn = 0;
      this.#turnEnd = undefined;
    }, 0);
    return true;
  }

  /** Throws unless a worker or a queue place is free. */
  #admit(): void {
    const free = this.#idle.length > 0 || this.#slots.size < this.size;
    if (free || this.#waiting.length < this.queue) return;
    throw new ServiceUnavailable(
      "encoder_busy",
      `all ${this.size} encode workers are busy and ${this.queue} images wait; ` +
        `retry in ${RETRY_AFTER_SECONDS} s`,
      RETRY_AFTER_SECONDS,
    );
  }

  /** A new worker, when the pool may grow. */
  #spawn(): Slot | undefined {
    if (this.#slots.size >= this.size) return undefined;
    const slot: Slot = { worker: new Worker(this.#workerUrl, { type: "module" }) };
    slot.worker.onmessage = (
      { data }: MessageEvent<EncodeReply | typeof PONG | typeof RELEASED>,
    ) => {
      if ("released" in data) this.#released++;
      else if (!("pong" in data)) this.#finish(slot, data);
    };
    slot.worker.onerror = (event) => {
      event.preventDefault();
      this.#crash(slot, event.error ?? event.message);
    };
    slot.worker.onmessageerror = () => this.#crash(slot, "a reply could not be read");
    slot.worker.postMessage(PING);
    this.#slots.add(slot);
    return slot;
  }

  #start(slot: Slot, job: Job): void {
    clearTimeout(slot.idleTimer);
    slot.job = job;
    slot.used = true;
    slot.worker.postMessage(job.message, [job.message.data.buffer]);
  }

  #finish(slot: Slot, reply: EncodeReply): void {
    const job = slot.job;
    slot.job = undefined;
    try {
      job?.resolve(replyBytes(reply));
    } catch (err) {
      job?.reject(err);
    }
    this.#next(slot);
  }

  /** Gives a free worker the next waiting job, or lets it idle. */
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

  #crash(slot: Slot, error: unknown): void {
    if (!this.#slots.has(slot)) return;
    this.#onCrash(error);
    const job = slot.job;
    this.#retire(slot);
    job?.reject(
      new HttpError(
        500,
        "encoder_crashed",
        "the encode worker stopped while encoding this image; it has been replaced, retry",
      ),
    );
    if (this.#warm) return this.#fill();
    const waiting = this.#waiting.shift();
    if (waiting === undefined) return;
    const fresh = this.#spawn();
    if (fresh !== undefined) this.#start(fresh, waiting);
  }

  /** Starts workers up to `size`, each taking a waiting job or idling. */
  #fill(): void {
    for (let slot = this.#spawn(); slot !== undefined; slot = this.#spawn()) this.#next(slot);
  }

  #retire(slot: Slot): void {
    const idle = this.#idle.indexOf(slot);
    if (idle !== -1) this.#idle.splice(idle, 1);
    clearTimeout(slot.idleTimer);
    slot.worker.terminate();
    this.#slots.delete(slot);
  }
}

/** The bytes of an encoder's reply, or the error it reports. */
function replyBytes(reply: EncodeReply): Uint8Array<ArrayBuffer> {
  if (reply.ok) return reply.bytes;
  if (reply.codec !== undefined) {
    throw new CodecError(reply.codec.kind, reply.codec.code, reply.message);
  }
  throw new Error(`encoding failed: ${reply.message}`);
}

function shuttingDown(): ServiceUnavailable {
  return new ServiceUnavailable(
    "shutting_down",
    "the server is shutting down and takes no new images",
    RETRY_AFTER_SECONDS,
  );
}

/**
 * The pixels in a buffer that can be moved: the view itself when its buffer is a plain
 * one that it covers whole, or that the caller gives up (`take`); else a copy.
 */
function movable(data: Uint8Array, take: boolean): Uint8Array<ArrayBuffer> {
  const own = data.buffer instanceof ArrayBuffer &&
    (take || (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength));
  return own ? data as Uint8Array<ArrayBuffer> : data.slice();
}
