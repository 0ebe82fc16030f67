/**
 * What the decode pool's workers do: decode a source image (PNG, JPEG, GIF, TIFF) after
 * its pixel checks, and give back either its RGBA pixels or, for the `/decode` routes, the
 * array NumPy would hold. Errors cross the worker boundary as plain data and are rebuilt
 * as the same {@linkcode CodecError} or {@linkcode HttpError} on the serving side.
 *
 * @module
 */

import type { PixelArray } from "../arrays/types.ts";
import { CodecError, type CodecErrorKind } from "../codec_error.ts";
import { HttpError } from "../errors.ts";
import { decodeImageArray } from "../image/decode_array.ts";
import { decodeSourceImage } from "../image/source.ts";

/** A decode job: the file and its pixel limit; with `array`, the layout of the array wanted. */
export interface DecodeJob {
  /** The whole file; its buffer is moved to the worker. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** The largest width × height decoded. */
  readonly maxPixels: number;
  /**
   * Give back the array the image holds (its own channels and depth, frames first for an
   * animation) instead of RGBA pixels, within this many frames, or only frame `frame`.
   */
  readonly array?: { readonly maxFrames: number; readonly frame?: number };
}

/** A failure, as data. */
export type DecodeFailure =
  | { readonly codec: CodecErrorKind; readonly code: string; readonly message: string }
  | { readonly status: number; readonly code: string; readonly message: string }
  | { readonly message: string };

/** A worker's answer. */
export type DecodeReply =
  | {
    readonly ok: true;
    readonly width: number;
    readonly height: number;
    readonly rgba?: Uint8Array;
    readonly array?: PixelArray;
    /** Samples per pixel of `array` (1 for gray, which has no channel axis). */
    readonly channels?: number;
  }
  | { readonly ok: false; readonly failure: DecodeFailure };

/**
 * Runs a decode job.
 *
 * @param job The file, the limit and what to give back.
 * @returns The pixels or the array, or the failure as data.
 * @example
 * const reply = await runDecodeJob({ bytes, maxPixels: 40_000_000 });
 */
export async function runDecodeJob(job: DecodeJob): Promise<DecodeReply> {
  try {
    if (job.array !== undefined) {
      const { maxFrames, frame } = job.array;
      const decoded = await decodeImageArray(job.bytes, {
        maxPixels: job.maxPixels,
        maxFrames,
        frame,
      });
      const { array, channels } = decoded;
      const [height, width] = array.shape.slice(array.shape.length - (channels === 1 ? 2 : 3));
      return { ok: true, width, height, array, channels };
    }
    const image = await decodeSourceImage(job.bytes, job.maxPixels);
    const { width, height } = image;
    const b = image.bitmap;
    return { ok: true, width, height, rgba: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) };
  } catch (err) {
    return { ok: false, failure: failureOf(err) };
  }
}

/**
 * The buffers a reply moves back to the serving isolate.
 *
 * @param reply A worker's answer.
 * @returns The buffers to transfer.
 * @example
 * scope.postMessage(reply, transfersOf(reply));
 */
export function transfersOf(reply: DecodeReply): Transferable[] {
  if (!reply.ok) return [];
  const data = reply.rgba ?? reply.array?.data;
  return data !== undefined && data.buffer instanceof ArrayBuffer ? [data.buffer] : [];
}

function failureOf(err: unknown): DecodeFailure {
  if (err instanceof CodecError) return { codec: err.kind, code: err.code, message: err.message };
  if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message };
  return { message: err instanceof Error ? err.message : String(err) };
}

/**
 * The error a failure stands for, rebuilt on the serving side.
 *
 * @param failure From a {@linkcode DecodeReply}.
 * @returns A {@linkcode CodecError}, an {@linkcode HttpError}, or an `Error` (a fault).
 * @example
 * throw errorOf({ codec: "too_large", code: "inflation_limit", message: "…" });
 */
export function errorOf(failure: DecodeFailure): Error {
  if ("codec" in failure) return new CodecError(failure.codec, failure.code, failure.message);
  if ("status" in failure) return new HttpError(failure.status, failure.code, failure.message);
  return new Error(`decoding failed: ${failure.message}`);
}
