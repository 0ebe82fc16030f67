/**
 * What an encode worker does: the messages between {@linkcode EncodePool} and its
 * workers, and the loop that answers them. `encode_worker.ts` runs the loop; tests run it
 * with another job runner.
 *
 * @module
 */

import { setPriority } from "node:os";
import { CodecError, type CodecErrorKind } from "../codec_error.ts";
import { type DisplayJob, encodeDisplay } from "../image/display_job.ts";
import { releaseBuffer } from "../chunks.ts";
import type { EncoderBackend } from "../image/encode.ts";
import type { ImageFormat } from "../image/format.ts";
import { type RELEASE, RELEASED, releaseMemory } from "../memory.ts";
import { type AnimationTiming, encodeChannelPixels } from "../image/animate.ts";

/**
 * The nice value of encode threads. The serving isolates run at the process's own (0), so
 * when encodes keep every core busy, the scheduler still runs the event loop first and
 * cached answers stay fast; encodes take the CPU time left over.
 */
export const ENCODE_NICE = 10;

/** One image to encode, sent to a worker with its pixel buffer transferred. */
export interface EncodeJob {
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** Bytes per pixel: 1 gray, 2 gray and alpha, 3 RGB, 4 RGBA. */
  readonly channels: 1 | 2 | 3 | 4;
  /** The pixels; their buffer is moved to the worker. */
  readonly data: Uint8Array<ArrayBuffer>;
  /** The target format. */
  readonly format: ImageFormat;
  /** Quality for JPEG and WebP, already checked. */
  readonly quality?: number;
  /** AVIF effort, 0–9. */
  readonly effort?: number;
  /** Who writes JPEG and many-coloured GIF. */
  readonly backend: EncoderBackend;
  /** A display mapping to run first; `data` then holds the array's element bytes. */
  readonly display?: DisplayJob;
  /** Bits per sample: 16 for a 16-bit PNG, whose samples `data` holds. @default {8} */
  readonly bits?: 8 | 16;
  /** Frames in `data`, each `width` × `height`: an animation. */
  readonly frames?: number;
  /** The animation's frame delay and loop count. */
  readonly timing?: AnimationTiming;
}

/**
 * A worker's answer to one job: the bytes (transferred back) or why it failed, with the
 * kind and code of a {@linkcode CodecError} (a display range the array cannot have).
 */
export type EncodeReply =
  | { readonly ok: true; readonly bytes: Uint8Array<ArrayBuffer> }
  | {
    readonly ok: false;
    readonly message: string;
    readonly codec?: { readonly kind: CodecErrorKind; readonly code: string };
  };

/**
 * What the pool sends a worker first, answered with {@linkcode PONG}: a worker started
 * from a worker isolate handles its first message about a second late (Deno 2.9), so the
 * pool pays that at start, not on a request.
 */
export const PING = { ping: true } as const;

/** The answer to {@linkcode PING}. */
export const PONG = { pong: true } as const;

/** The part of a worker's global scope the loop uses. */
export interface JobScope {
  /** Receives jobs (and {@linkcode PING}, and `RELEASE` when idle). */
  onmessage: ((event: MessageEvent<EncodeJob | typeof PING | typeof RELEASE>) => void) | null;
  /** Sends replies (and {@linkcode PONG}, `RELEASED`), transferring buffers. */
  postMessage(
    message: EncodeReply | typeof PONG | typeof RELEASED,
    transfer: Transferable[],
  ): void;
}

/**
 * Encodes one job, on a worker (expanding its pixels to RGBA there, off the serving
 * isolate), or on the serving isolate for a still PNG too small to be worth the hand-off.
 *
 * @param job The job.
 * @returns The reply; an encoder error becomes `{ ok: false }`, never a throw.
 * @example
 * ```ts
 * import { runEncodeJob } from "./encode_job.ts";
 *
 * const reply = await runEncodeJob({
 *   width: 1, height: 1, channels: 4, data: new Uint8Array(4), format: "png", backend: "native",
 * });
 * ```
 */
export async function runEncodeJob(
  job: Omit<EncodeJob, "data"> & { readonly data: Uint8Array },
): Promise<EncodeReply> {
  try {
    const options = { quality: job.quality, effort: job.effort, backend: job.backend };
    const bytes = job.display !== undefined
      ? await encodeDisplay(job.data, job.display, job.format, options)
      : await encodeChannelPixels(job, job.format, { ...options, timing: job.timing });
    return { ok: true, bytes };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof CodecError) {
      return { ok: false, message, codec: { kind: err.kind, code: err.code } };
    }
    return { ok: false, message };
  }
}

/**
 * Lowers the calling thread's priority to {@linkcode ENCODE_NICE}. On Linux a nice value
 * belongs to one thread, so an encode worker calls this first and what it encodes on its
 * own thread (PNG, JPEG, small GIF, WebP) runs at that priority; sharp's libvips threads
 * (many-coloured GIF) are started elsewhere and keep theirs. Without `--allow-sys=setPriority` (or where the
 * system refuses) the thread keeps its priority: encoding still works.
 *
 * @returns Whether the priority was lowered.
 * @example
 * ```ts
 * import { lowerThreadPriority } from "./encode_job.ts";
 *
 * lowerThreadPriority(); // in a worker, before its first job
 * ```
 */
export function lowerThreadPriority(): boolean {
  try {
    setPriority(0, ENCODE_NICE);
    return true;
  } catch {
    return false;
  }
}

/**
 * Answers every job posted to a worker scope, one at a time (the pool sends a worker a
 * new job only after its reply).
 *
 * @param scope The worker's global scope (`self` in a worker).
 * @param run What encodes a job.
 * @example
 * ```ts
 * import { JobScope, serveEncodeJobs } from "./encode_job.ts";
 *
 * serveEncodeJobs(self as unknown as JobScope);
 * ```
 */
export function serveEncodeJobs(
  scope: JobScope,
  run: (job: EncodeJob) => Promise<EncodeReply> = runEncodeJob,
): void {
  scope.onmessage = async ({ data }) => {
    if ("ping" in data) return scope.postMessage(PONG, []);
    if ("release" in data) {
      releaseMemory();
      return scope.postMessage(RELEASED, []);
    }
    const reply = await run(data);
    scope.postMessage(reply, reply.ok ? [reply.bytes.buffer] : []);
    releaseBuffer(data.data);
  };
}
