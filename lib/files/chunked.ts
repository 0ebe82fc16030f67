/**
 * Chunked responses ({@linkcode streamResponse}): a file, a stream or bytes in
 * memory sent without a `Content-Length`.
 *
 * @module
 */

import type { DispositionType } from "../http/disposition.ts";
import { mediaTypeOf } from "../http/mime.ts";
import { publicCache, representationHeaders } from "../http/representation.ts";
import { OCTET_STREAM } from "../media_types.ts";
import {
  basename,
  DEFAULT_CHUNK_SIZE,
  NATIVE_READ_SIZE,
  openFile,
  spanStream,
  statFile,
} from "./disk.ts";

/** Smallest chunk {@linkcode streamResponse} accepts: 1 KiB. */
export const MIN_CHUNK_SIZE = 1024;

/** Largest chunk {@linkcode streamResponse} accepts: 8 MiB. */
export const MAX_CHUNK_SIZE = 8 * 1024 * 1024;

/** Options of {@linkcode streamResponse}. */
export interface StreamResponseOptions {
  /** Bytes per chunk for a file or a `Uint8Array`, 1 KiB–8 MiB. @default {65536} */
  chunkSize?: number;
  /** `Content-Type`. @default {from `filename` or the path's extension, else `application/octet-stream`} */
  contentType?: string;
  /** Name offered in `Content-Disposition`; none sent when absent (and the source is not a path). */
  filename?: string;
  /** `inline` shows, `attachment` downloads. @default {"inline"} */
  disposition?: DispositionType;
  /** `max-age` of `Cache-Control` in seconds; `no-store` when absent. */
  maxAge?: number;
  /** `s-maxage` of `Cache-Control` for shared caches, in seconds; none when absent. */
  sMaxAge?: number | null;
  /** The request: `HEAD` gets the headers only, and a path is then not opened. */
  request?: Request;
}

/**
 * A chunked response (`Transfer-Encoding: chunked`, no `Content-Length`):
 * what FastAPI users write as `StreamingResponse(iterfile(), media_type=...)`.
 * A path is opened and read in `chunkSize` chunks (each exactly that long but
 * the last); a `Uint8Array` is sliced into `chunkSize` views and released when
 * the body ends or is cancelled; a `ReadableStream` is sent chunk for chunk as
 * it comes. `Deno.serve` frames what it sends in pieces of at most 64 KiB, so
 * a larger chunk reaches the wire as several HTTP chunks.
 *
 * @param source A file path, a `ReadableStream` of bytes, or bytes in memory.
 * @param options Chunk size, type, name, disposition, caching, request.
 * @returns The response; for `HEAD`, an empty body (`Deno.serve` sends no
 *   `Content-Length`, as for the `GET` it stands for) and a path is not opened.
 * @throws {RangeError} `chunkSize` is not an integer from 1 KiB to 8 MiB.
 * @throws {NotFound} A path that is missing, not a file, or unreadable.
 * @throws {BadRequest} `invalid_filename`.
 * @example
 * ```ts
 * import { streamResponse } from "./chunked.ts";
 *
 * const res = await streamResponse("fixtures/sample.png", { chunkSize: 16384 });
 * for await (const chunk of res.body!) console.log(chunk.length); // 16384, 16384, …, the rest
 * ```
 */
export async function streamResponse(
  source: string | ReadableStream<Uint8Array> | Uint8Array,
  options: StreamResponseOptions = {},
): Promise<Response> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
    throw new RangeError(
      `chunkSize must be an integer from ${MIN_CHUNK_SIZE} to ${MAX_CHUNK_SIZE}, got ${chunkSize}`,
    );
  }
  const name = options.filename ?? (typeof source === "string" ? basename(source) : undefined);
  const headers = new Headers(representationHeaders({
    contentType: options.contentType ??
      (name === undefined ? OCTET_STREAM : mediaTypeOf(name)),
    filename: name,
    disposition: options.disposition,
    cacheControl: options.maxAge === undefined
      ? "no-store"
      : publicCache(options.maxAge, options.sMaxAge),
  }));
  const head = options.request?.method === "HEAD";
  if (typeof source === "string") {
    await statFile(source);
    if (head) return new Response(emptyStream(), { headers });
    return new Response(await fileChunks(source, chunkSize), { headers });
  }
  if (head) {
    if (source instanceof ReadableStream) await source.cancel();
    return new Response(emptyStream(), { headers });
  }
  const body = source instanceof ReadableStream ? source : byteChunks(source, chunkSize);
  return new Response(body, { headers });
}

/**
 * An empty body that is still a stream: `Deno.serve` then answers `HEAD` with
 * neither `Content-Length: 0` (which a null body gets) nor bytes.
 */
function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.close();
    },
  });
}

async function fileChunks(path: string, chunkSize: number): Promise<ReadableStream<Uint8Array>> {
  const file = await openFile(path);
  return chunkSize === NATIVE_READ_SIZE
    ? file.readable
    : spanStream(file, [{ start: 0 }], chunkSize);
}

/**
 * Bytes in memory as a stream of `chunkSize` views; the stream drops its
 * reference to the buffer once the last chunk is taken or the reader cancels.
 *
 * @param bytes The whole body.
 * @param chunkSize Bytes per chunk (the last may be shorter).
 * @returns The stream.
 * @example
 * ```ts
 * import { byteChunks } from "./chunked.ts";
 *
 * const stream = byteChunks(new Uint8Array(10), 4); // chunks of 4, 4 and 2 bytes
 * ```
 */
export function byteChunks(bytes: Uint8Array, chunkSize: number): ReadableStream<Uint8Array> {
  let held: Uint8Array | undefined = bytes;
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (held === undefined) return;
      const end = Math.min(offset + chunkSize, held.byteLength);
      if (end > offset) controller.enqueue(held.subarray(offset, end));
      offset = end;
      if (offset >= held.byteLength) {
        held = undefined;
        controller.close();
      }
    },
    cancel() {
      held = undefined;
    },
  }, { highWaterMark: 0 });
}
