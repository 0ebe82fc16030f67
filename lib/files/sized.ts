/**
 * Files from disk as responses, streamed and never read whole: sized
 * ({@linkcode fileResponse}: validators, conditional requests, ranges) or
 * chunked ({@linkcode streamResponse}); and the lookup of a request path under
 * a media root that no request can leave ({@linkcode resolveMediaPath}).
 *
 * Handles: everything that needs no bytes (404, 304, 412, 416, HEAD) is
 * decided from `Deno.stat` before `Deno.open`. Once open, the file is handed
 * to the body at once; the body owns it and closes it when read to the end,
 * cancelled by the client, or failed.
 *
 * @module
 */

import { HttpError, NotFound, PreconditionFailed, RangeNotSatisfiable } from "./errors.ts";
import {
  evaluatePreconditions,
  fileEtag,
  httpDate,
  ifRangeHolds,
  type Validators,
} from "./http/conditional.ts";
import { contentDisposition, type DispositionType } from "./http/disposition.ts";
import { mediaTypeOf } from "./http/mime.ts";
import { type BytePart, byterangesLayout } from "./http/multipart.ts";
import { type ByteRange, contentRange, parseRange, type RangeDecision } from "./http/range.ts";
import { notModifiedHeaders } from "./responses.ts";

/** Bytes read from disk per chunk by {@linkcode fileResponse}, and the default chunk of {@linkcode streamResponse}. */
export const DEFAULT_CHUNK_SIZE = 64 * 1024;

/** Smallest chunk {@linkcode streamResponse} accepts: 1 KiB. */
export const MIN_CHUNK_SIZE = 1024;

/** Largest chunk {@linkcode streamResponse} accepts: 8 MiB. */
export const MAX_CHUNK_SIZE = 8 * 1024 * 1024;

/**
 * The chunk size in which Deno reads a file's own `readable` (64 KiB); a body
 * that is `file.readable` is sent by `Deno.serve` without a JavaScript round
 * trip per chunk, so the routes use it whenever the bytes asked run to the end
 * of the file in chunks of this size.
 */
const NATIVE_READ_SIZE = 64 * 1024;

const OPEN_ATTEMPTS = 3;

/** Options of {@linkcode fileResponse}. */
export interface FileResponseOptions {
  /** Name offered in `Content-Disposition`. @default {the path's last segment} */
  filename?: string;
  /** `inline` shows, `attachment` downloads. @default {"inline"} */
  disposition?: DispositionType;
  /** `Content-Type`. @default {from `filename`'s extension through `npm:mime`} */
  contentType?: string;
  /** `max-age` of `Cache-Control`, in seconds. @default {3600} */
  maxAge?: number;
}

/** What {@linkcode planFileResponse} decided, before any byte is read. */
export type FilePlan =
  | { readonly status: 304; readonly headers: Headers }
  | { readonly status: 200; readonly headers: Headers; readonly body: boolean }
  | { readonly status: 206; readonly headers: Headers; readonly ranges: readonly ByteRange[] };

/** The metadata of a file that its response depends on. */
export interface FileFacts {
  /** Length in bytes. */
  readonly size: number;
  /** Last modification, or `null` where the platform has none. */
  readonly mtime: Date | null;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function isMissing(err: unknown): boolean {
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
 * const info = await statFile("fixtures/sample.png");
 */
async function statFile(path: string): Promise<Deno.FileInfo> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (isMissing(err)) throw new NotFound(`no file at ${basename(path)}`);
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
 * const file = await openFile("fixtures/sample.png");
 * file.close();
 */
export async function openFile(path: string): Promise<Deno.FsFile> {
  try {
    return await Deno.open(path, { read: true });
  } catch (err) {
    if (isMissing(err)) throw new NotFound(`no file at ${basename(path)}`);
    throw err;
  }
}

/**
 * The headers every answer about a file carries (200, 206 and, filtered, 304).
 *
 * @param info The file's size and modification time.
 * @param options Name, disposition, type, caching.
 * @returns `Content-Type`, `Last-Modified`, `ETag`, `Accept-Ranges`,
 *   `Cache-Control`, `Content-Disposition`, `X-Content-Type-Options`.
 * @throws {BadRequest} `invalid_filename` for a name `contentDisposition` refuses.
 * @example
 * fileHeaders({ size: 3, mtime: new Date(0) }, { filename: "a.png" }).get("etag"); // `W/"0-3"`
 */
function fileHeaders(
  info: FileFacts,
  options: FileResponseOptions & { filename: string },
): Headers {
  const headers = new Headers({
    "content-type": options.contentType ?? mediaTypeOf(options.filename),
    "etag": fileEtag(info),
    "accept-ranges": "bytes",
    "cache-control": `public, max-age=${options.maxAge ?? 3600}`,
    "content-disposition": contentDisposition(options.filename, options.disposition ?? "inline"),
    "x-content-type-options": "nosniff",
  });
  if (info.mtime !== null) headers.set("last-modified", httpDate(info.mtime));
  return headers;
}

/**
 * Decides the answer for a file from its metadata and the request alone:
 * preconditions (RFC 9110 §13.2.2: `If-Match`, `If-Unmodified-Since`,
 * `If-None-Match`, `If-Modified-Since`), then `HEAD`, then `Range` with
 * `If-Range` (GET only).
 *
 * @param info The file's size and modification time.
 * @param request The request (method and headers are read).
 * @param options Name, disposition, type, caching.
 * @param now The current time in ms, for the strength of `Last-Modified` in `If-Range`.
 * @returns 304 with the retained headers; 200 with or without a body; or 206 with its ranges.
 * @throws {PreconditionFailed} `If-Match` or `If-Unmodified-Since` does not hold.
 * @throws {RangeNotSatisfiable} No asked range starts within the file.
 * @throws {BadRequest} `invalid_filename`.
 * @example
 * const plan = planFileResponse({ size: 1000, mtime: new Date(0) },
 *   new Request("http://x/", { headers: { range: "bytes=0-9" } }), { filename: "a.bin" });
 * plan.status; // 206
 */
export function planFileResponse(
  info: FileFacts,
  request: Request,
  options: FileResponseOptions & { filename: string },
  now: number = Date.now(),
): FilePlan {
  const headers = fileHeaders(info, options);
  const validators: Validators = {
    etag: fileEtag(info),
    lastModified: info.mtime?.getTime(),
  };
  const outcome = evaluatePreconditions(request.headers, request.method, validators);
  if (outcome === "precondition_failed") {
    throw new PreconditionFailed(
      "the file does not match If-Match or was modified after If-Unmodified-Since",
    );
  }
  if (outcome === "not_modified") return { status: 304, headers: notModifiedHeaders(headers) };
  const decision: RangeDecision = request.method === "GET" &&
      ifRangeHolds(request.headers.get("if-range"), validators, now)
    ? parseRange(request.headers.get("range"), info.size)
    : { kind: "full", reason: "absent" };
  if (decision.kind === "unsatisfiable") throw new RangeNotSatisfiable(info.size);
  if (decision.kind === "full") {
    headers.set("content-length", String(info.size));
    return { status: 200, headers, body: request.method !== "HEAD" };
  }
  return { status: 206, headers, ranges: decision.ranges };
}

function sameFile(a: Deno.FileInfo, b: Deno.FileInfo): boolean {
  return a.size === b.size && a.mtime?.getTime() === b.mtime?.getTime() && a.ino === b.ino &&
    a.dev === b.dev;
}

/**
 * A file as a response, streamed from disk through `Deno.open(...).readable`
 * and never read whole: 200 with `Content-Length`, 206 for one range (with
 * `Content-Range`) or several (`multipart/byteranges`), 304, and `HEAD`
 * without opening the file. Headers: exact `Content-Type`, `Content-Length`,
 * `Last-Modified`, a weak `ETag` (see `fileEtag`), `Accept-Ranges: bytes`,
 * `Cache-Control`, `Content-Disposition`, `X-Content-Type-Options: nosniff`.
 *
 * @param path The file; no containment is checked here (see {@linkcode resolveMediaPath}).
 * @param request The request: method, conditional headers, `Range`, `If-Range`.
 * @param options Name, disposition, type, caching.
 * @returns The response; its body, when there is one, owns and closes the file.
 * @throws {NotFound} Missing, a directory, or unreadable.
 * @throws {PreconditionFailed} `If-Match` or `If-Unmodified-Since` does not hold.
 * @throws {RangeNotSatisfiable} No asked range starts within the file (416).
 * @throws {BadRequest} `invalid_filename`.
 * @throws {HttpError} 503 `file_changing` when the file changes under three opens in a row.
 * @example
 * Deno.serve((request) => fileResponse("fixtures/sample.png", request).catch(toErrorResponse));
 */
export async function fileResponse(
  path: string,
  request: Request,
  options: FileResponseOptions = {},
): Promise<Response> {
  const named = { ...options, filename: options.filename ?? basename(path) };
  for (let attempt = 1;; attempt++) {
    const info = await statFile(path);
    const plan = planFileResponse(info, request, named);
    if (plan.status === 304 || (plan.status === 200 && !plan.body)) {
      return new Response(null, { status: plan.status, headers: plan.headers });
    }
    const file = await openSame(path, info);
    if (file !== undefined) return respondWith(file, info.size, plan);
    if (attempt === OPEN_ATTEMPTS) {
      throw new HttpError(503, "file_changing", `${named.filename} kept changing while opened`);
    }
  }
}

async function openSame(path: string, info: Deno.FileInfo): Promise<Deno.FsFile | undefined> {
  const file = await openFile(path);
  try {
    if (sameFile(info, await file.stat())) return file;
  } catch (err) {
    file.close();
    throw err;
  }
  file.close();
  return undefined;
}

async function respondWith(
  file: Deno.FsFile,
  size: number,
  plan: FilePlan & { status: 200 | 206 },
): Promise<Response> {
  try {
    if (plan.status === 200) {
      return new Response(file.readable, { status: 200, headers: plan.headers });
    }
    const { headers, ranges } = plan;
    if (ranges.length === 1) {
      const [range] = ranges;
      headers.set("content-range", contentRange(range, size));
      headers.set("content-length", String(range.end - range.start + 1));
      return new Response(await rangeBody(file, range, size), { status: 206, headers });
    }
    const layout = byterangesLayout(ranges, size, headers.get("content-type") ?? "");
    headers.set("content-type", layout.contentType);
    headers.set("content-length", String(layout.length));
    const spans: Span[] = layout.parts.flatMap((p: BytePart) => [p.head, p.range]);
    spans.push(layout.tail);
    return new Response(spanStream(file, spans, DEFAULT_CHUNK_SIZE), { status: 206, headers });
  } catch (err) {
    file.close();
    throw err;
  }
}

async function rangeBody(
  file: Deno.FsFile,
  range: ByteRange,
  size: number,
): Promise<ReadableStream<Uint8Array>> {
  if (range.end !== size - 1) return spanStream(file, [range], DEFAULT_CHUNK_SIZE);
  await file.seek(range.start, Deno.SeekMode.Start);
  return file.readable;
}

/** Bytes sent as they are, or a range of the file read from disk. */
type Span = Uint8Array | ByteRange | { readonly start: number; readonly end?: undefined };

/**
 * Reads up to `length` bytes from the file's position, looping over short reads.
 *
 * @param file An open file.
 * @param length Bytes wanted.
 * @returns The bytes read (fewer only at the end of the file), or `null` at the end.
 * @example
 * const head = await readUpTo(file, 12);
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
function spanStream(
  file: Deno.FsFile,
  spans: readonly Span[],
  chunkSize: number,
): ReadableStream<Uint8Array> {
  const chunks = readSpans(file, spans, chunkSize);
  let open = true;
  const close = () => {
    if (open) {
      open = false;
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
 * Deno.serve(async () => await streamResponse("fixtures/sample.png", { chunkSize: 16384 }));
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
  const headers = new Headers({
    "content-type": options.contentType ??
      (name === undefined ? "application/octet-stream" : mediaTypeOf(name)),
    "cache-control": options.maxAge === undefined
      ? "no-store"
      : `public, max-age=${options.maxAge}`,
    "x-content-type-options": "nosniff",
  });
  if (name !== undefined) {
    headers.set("content-disposition", contentDisposition(name, options.disposition ?? "inline"));
  }
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
 * const stream = byteChunks(new Uint8Array(10), 4); // chunks of 4, 4 and 2 bytes
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

/** Longest request path accepted under the media root, in characters. */
const MAX_PATH_LENGTH = 4096;

/** Longest single path segment, in UTF-8 bytes (the usual file-name limit). */
const MAX_SEGMENT_BYTES = 255;

/** Separators, backslashes, NUL and other control characters: never in a served name. */
// deno-lint-ignore no-control-regex
const UNSAFE_CHARACTER = /[\/\\\u0000-\u001f\u007f]/;

/** A file found under the media root. */
export interface MediaFile {
  /** Its real path: absolute, symlinks resolved, inside the root. */
  readonly path: string;
  /** The last segment of the request path, decoded: the name clients asked for. */
  readonly name: string;
}

/**
 * Splits a request path on `/` and percent-decodes each segment on its own,
 * so that an encoded `%2F` can never become a separator.
 *
 * @param raw The path below the route's prefix, as in the URL.
 * @returns The decoded segments.
 * @throws {BadRequest} `invalid_path` for malformed percent-encoding.
 * @throws {NotFound} A segment that is empty, `.`/`..` or any dotfile, or holds
 *   `/`, `\`, NUL or another control character; a path or segment too long.
 * @example
 * decodeMediaPath("nested/r%C3%A9sum%C3%A9.png"); // ["nested", "résumé.png"]
 */
export function decodeMediaPath(raw: string): string[] {
  const refuse = () => new NotFound(`nothing is served at ${JSON.stringify(raw)}`);
  if (raw.length > MAX_PATH_LENGTH) throw refuse();
  const encoder = new TextEncoder();
  return raw.split("/").map((encoded) => {
    let segment: string;
    try {
      segment = decodeURIComponent(encoded);
    } catch {
      throw new HttpError(
        400,
        "invalid_path",
        `malformed percent-encoding in ${JSON.stringify(raw)}`,
      );
    }
    const unsafe = segment === "" || segment.startsWith(".") || UNSAFE_CHARACTER.test(segment);
    if (unsafe || encoder.encode(segment).byteLength > MAX_SEGMENT_BYTES) throw refuse();
    return segment;
  });
}

/**
 * Finds a regular file under a media root from a request path, refusing every
 * way out: dot segments and dotfiles (any segment starting with `.`),
 * encoded separators, backslashes, NUL, absolute paths, and symlinks whose
 * real path is not inside the root or passes through a dotfile.
 *
 * @param root The media root: absolute and already symlink-free (`config.mediaRoot`).
 * @param raw The path below the route's prefix, percent-encoded as in the URL.
 * @returns The real path and the asked name.
 * @throws {NotFound} Anything but a regular file inside the root.
 * @throws {BadRequest} `invalid_path` for malformed percent-encoding.
 * @example
 * await resolveMediaPath("/srv/media", "nested/tile.png");
 * // { path: "/srv/media/nested/tile.png", name: "tile.png" }
 */
export async function resolveMediaPath(root: string, raw: string): Promise<MediaFile> {
  const segments = decodeMediaPath(raw);
  const prefix = root.endsWith("/") ? root : `${root}/`;
  let real: string;
  try {
    real = await Deno.realPath(prefix + segments.join("/"));
  } catch (err) {
    if (isMissing(err)) throw new NotFound(`nothing is served at ${JSON.stringify(raw)}`);
    throw err;
  }
  const inside = real.startsWith(prefix) &&
    !real.slice(prefix.length).split("/").some((s) => s.startsWith("."));
  if (!inside) throw new NotFound(`nothing is served at ${JSON.stringify(raw)}`);
  await statFile(real);
  return { path: real, name: segments[segments.length - 1] };
}
