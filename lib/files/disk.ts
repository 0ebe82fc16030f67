/**
 * Files on disk as the responses need them: `stat` and `open` with every way of
 * not finding a file as a 404, and streams over spans of an open file that own
 * and close it.
 *
 * @module
 */

import { NotFound } from "../errors.ts";
import { OPEN_FILE_STREAMS } from "../metrics/open_files.ts";
import type { ByteRange } from "../http/range.ts";

/** Bytes read from disk per chunk by `fileResponse`, and the default chunk of `streamResponse`. */
export const DEFAULT_CHUNK_SIZE = 64 * 1024;

/**
 * The chunk size in which Deno reads a file's own `readable` (64 KiB); a body
 * that is `file.readable` is sent by `Deno.serve` without a JavaScript round
 * trip per chunk, so the routes use it whenever the bytes asked run to the end
 * of the file in chunks of this size.
 */
export const NATIVE_READ_SIZE = 64 * 1024;

/** The last segment of a path. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Whether a file-system error means the file cannot be served: missing, not a file, or not readable. */
export function isUnservable(err: unknown): boolean {
  return err instanceof Deno.errors.NotFound ||
    err instanceof Deno.errors.NotADirectory ||
    err instanceof Deno.errors.PermissionDenied ||
    err instanceof Deno.errors.NotCapable ||
    err instanceof Deno.errors.FilesystemLoop ||
    err instanceof Deno.errors.IsADirectory;
}

/**
 * `Deno.stat` of a regular file, with every way of not being one as a 404.
 *
 * @param path The file.
 * @returns Its metadata.
 * @throws {NotFound} Missing, a directory or other non-file, or not readable.
 * @example
 * ```ts
 * import { statFile } from "./disk.ts";
 *
 * const info = await statFile("fixtures/sample.png");
 * ```
 */
export async function statFile(path: string): Promise<Deno.FileInfo> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (isUnservable(err)) throw new NotFound(`no file at ${basename(path)}`);
    throw err;
  }
  if (!info.isFile) throw new NotFound(`${basename(path)} is not a file`);
  return info;
}

/**
 * `Deno.open` for reading, with every way of not finding the file as a 404.
 *
 * @param path The file.
 * @returns The open file; the caller closes it or hands it to a body that does.
 * @throws {NotFound} Missing or unreadable.
 * @example
 * ```ts
 * import { openFile } from "./disk.ts";
 *
 * const file = await openFile("fixtures/sample.png");
 * file.close();
 * ```
 */
export async function openFile(path: string): Promise<Deno.FsFile> {
  try {
    return await Deno.open(path, { read: true });
  } catch (err) {
    if (isUnservable(err)) throw new NotFound(`no file at ${basename(path)}`);
    throw err;
  }
}

/** Bytes sent as they are, or a range of the file read from disk. */
export type Span = Uint8Array | ByteRange | { readonly start: number; readonly end?: undefined };

/**
 * Reads up to `length` bytes from the file's position, looping over short reads.
 *
 * @param file An open file.
 * @param length Bytes wanted.
 * @returns The bytes read (fewer only at the end of the file), or `null` at the end.
 * @example
 * ```ts
 * import { readUpTo } from "./disk.ts";
 *
 * using file = await Deno.open("fixtures/sample.png");
 * const head = await readUpTo(file, 8);
 * console.log(head); // the PNG signature: Uint8Array [137, 80, 78, 71, 13, 10, 26, 10]
 * ```
 */
export async function readUpTo(file: Deno.FsFile, length: number): Promise<Uint8Array | null> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const n = await file.read(buffer.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  if (filled === 0) return null;
  return filled === length ? buffer : buffer.subarray(0, filled);
}

async function* readSpans(
  file: Deno.FsFile,
  spans: readonly Span[],
  chunkSize: number,
): AsyncGenerator<Uint8Array> {
  for (const span of spans) {
    if (span instanceof Uint8Array) {
      yield span;
      continue;
    }
    await file.seek(span.start, Deno.SeekMode.Start);
    let left = span.end === undefined ? Infinity : span.end - span.start + 1;
    while (left > 0) {
      const chunk = await readUpTo(file, Math.min(chunkSize, left));
      if (chunk === null) {
        if (span.end === undefined) break;
        throw new Error("the file shrank while it was being sent");
      }
      left -= chunk.byteLength;
      yield chunk;
    }
  }
}

/**
 * A stream over spans of an open file that owns the file: it closes it when
 * the last span is sent, when a read fails, and when the reader cancels, even
 * before the first pull.
 */
export function spanStream(
  file: Deno.FsFile,
  spans: readonly Span[],
  chunkSize: number,
): ReadableStream<Uint8Array> {
  const chunks = readSpans(file, spans, chunkSize);
  let open = true;
  OPEN_FILE_STREAMS.count++;
  const close = () => {
    if (open) {
      open = false;
      OPEN_FILE_STREAMS.count--;
      file.close();
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (err) {
        close();
        throw err;
      }
      if (next.done) {
        close();
        controller.close();
      } else {
        controller.enqueue(next.value);
      }
    },
    cancel() {
      close();
    },
  }, { highWaterMark: 0 });
}
