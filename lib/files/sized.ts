/**
 * A file from disk as a sized response ({@linkcode fileResponse}): validators,
 * conditional requests, ranges, streamed and never read whole.
 *
 * Handles: everything that needs no bytes (404, 304, 412, 416, HEAD) is
 * decided from `Deno.stat` before `Deno.open`. Once open, the file is handed
 * to the body at once; the body owns it and closes it when read to the end,
 * cancelled by the client, or failed.
 *
 * @module
 */

import { PreconditionFailed, RangeNotSatisfiable, ServiceUnavailable } from "../errors.ts";
import {
  evaluatePreconditions,
  fileEtag,
  httpDate,
  ifRangeHolds,
  type Validators,
} from "../http/conditional.ts";
import type { DispositionType } from "../http/disposition.ts";
import { mediaTypeOf } from "../http/mime.ts";
import { type BytePart, byterangesLayout } from "../http/multipart.ts";
import { type ByteRange, contentRange, parseRange, type RangeDecision } from "../http/range.ts";
import { notModifiedHeaders, publicCache, representationHeaders } from "../http/representation.ts";
import { basename, DEFAULT_CHUNK_SIZE, openFile, type Span, spanStream, statFile } from "./disk.ts";

const OPEN_ATTEMPTS = 3;

/** `Retry-After` of a 503 for a file that kept changing while it was opened. */
const FILE_CHANGING_RETRY_SECONDS = 1;

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
  /** `s-maxage` of `Cache-Control` for shared caches, in seconds; none when absent. */
  sMaxAge?: number | null;
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

/**
 * The headers every answer about a file carries (200, 206 and, filtered, 304).
 *
 * @param info The file's size and modification time.
 * @param options Name, disposition, type, caching.
 * @returns `Content-Type`, `Last-Modified`, `ETag`, `Accept-Ranges`,
 *   `Cache-Control`, `Content-Disposition`, `X-Content-Type-Options`.
 * @throws {BadRequest} `invalid_filename` for a name `contentDisposition` refuses.
 * @example
 * ```ts ignore
 * fileHeaders({ size: 3, mtime: new Date(0) }, { filename: "a.png" }).get("etag"); // `W/"0-3"`
 * ```
 */
function fileHeaders(
  info: FileFacts,
  options: FileResponseOptions & { filename: string },
): Headers {
  const headers = new Headers(representationHeaders({
    contentType: options.contentType ?? mediaTypeOf(options.filename),
    etag: fileEtag(info),
    filename: options.filename,
    disposition: options.disposition,
    cacheControl: publicCache(options.maxAge ?? 3600, options.sMaxAge),
  }));
  headers.set("accept-ranges", "bytes");
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
 * ```ts
 * import { planFileResponse } from "./sized.ts";
 *
 * const plan = planFileResponse({ size: 1000, mtime: new Date(0) },
 *   new Request("http://x/", { headers: { range: "bytes=0-9" } }), { filename: "a.bin" });
 * plan.status; // 206
 * ```
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
 * @throws {ServiceUnavailable} `file_changing` (with `Retry-After: 1`) when the file changes under three opens in a row.
 * @example
 * ```ts
 * import { fileResponse } from "./sized.ts";
 *
 * const request = new Request("http://localhost/sample.png", { headers: { range: "bytes=0-7" } });
 * const res = await fileResponse("fixtures/sample.png", request);
 * console.log(res.status, await res.bytes()); // 206, the eight bytes of the PNG signature
 * ```
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
      throw new ServiceUnavailable(
        "file_changing",
        `${named.filename} kept changing while opened`,
        FILE_CHANGING_RETRY_SECONDS,
      );
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
