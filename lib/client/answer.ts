/**
 * Reading an HTTP answer's headers the way the client needs them: sizes,
 * ranges, validators, and the JSON error of a failed answer.
 *
 * @module
 */

/** A `Content-Range` of a 206 answer. */
export interface ContentRange {
  /** First byte sent. */
  readonly start: number;
  /** Last byte sent, inclusive. */
  readonly end: number;
  /** Size of the whole file, or `undefined` for `*`. */
  readonly total: number | undefined;
}

/**
 * The `Content-Length` of an answer.
 *
 * @param headers The answer's headers.
 * @returns The length, or `undefined` when absent or malformed.
 * @example
 * ```ts
 * import { contentLength } from "./answer.ts";
 *
 * contentLength(new Headers({ "content-length": "3204" })); // 3204
 * ```
 */
export function contentLength(headers: Headers): number | undefined {
  const raw = headers.get("content-length");
  return raw !== null && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/**
 * Parses `Content-Range: bytes a-b/total` (RFC 9110 §14.4).
 *
 * @param value The header value, or `null`.
 * @returns The range, or `undefined` when absent, malformed, or unsatisfied (`bytes *\/n`).
 * @example
 * ```ts
 * import { parseContentRange } from "./answer.ts";
 *
 * parseContentRange("bytes 0-99/3204"); // { start: 0, end: 99, total: 3204 }
 * ```
 */
export function parseContentRange(value: string | null): ContentRange | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? "");
  if (match === null) return undefined;
  const [start, end] = [Number(match[1]), Number(match[2])];
  const total = match[3] === "*" ? undefined : Number(match[3]);
  if (end < start || (total !== undefined && end >= total)) return undefined;
  return { start, end, total };
}

/**
 * The size a 416 answer reports: `Content-Range: bytes *\/<size>`.
 *
 * @param value The header value, or `null`.
 * @returns The size, or `undefined` when the header is not of that form.
 * @example
 * ```ts
 * import { unsatisfiedSize } from "./answer.ts";
 *
 * unsatisfiedSize("bytes *\/3204"); // 3204
 * ```
 */
export function unsatisfiedSize(value: string | null): number | undefined {
  const match = /^bytes \*\/(\d+)$/.exec(value?.trim() ?? "");
  return match === null ? undefined : Number(match[1]);
}

/**
 * The validator to send in `If-Range`: a strong `ETag`, else `Last-Modified`
 * (RFC 9110 §13.1.5 forbids weak tags there).
 *
 * @param headers The answer's headers.
 * @returns The validator, or `undefined` when the answer has neither.
 * @example
 * ```ts
 * import { rangeValidator } from "./answer.ts";
 *
 * rangeValidator(new Headers({ etag: `"abc"` })); // `"abc"`
 * ```
 */
export function rangeValidator(headers: Headers): string | undefined {
  const etag = headers.get("etag");
  if (etag !== null && etag.startsWith('"')) return etag;
  return headers.get("last-modified") ?? undefined;
}

/**
 * The line that tells what went wrong from a failed answer's body: pixserve's
 * JSON `{ error, detail }` as `error: detail`, else the status and the body's
 * first line.
 *
 * @param status The HTTP status.
 * @param statusText The reason phrase.
 * @param body The body as text.
 * @returns One line.
 * @example
 * ```ts
 * import { errorLine } from "./answer.ts";
 *
 * errorLine(404, "Not Found", `{"error":"not_found","detail":"no route for /x"}`);
 * // "not_found: no route for /x"
 * ```
 */
export function errorLine(status: number, statusText: string, body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isErrorBody(parsed)) return `${parsed.error}: ${parsed.detail}`;
  } catch {
    // Not JSON: fall through to the plain line.
  }
  const first = body.trim().split("\n")[0].slice(0, 200);
  return `error: HTTP ${status} ${statusText}`.trimEnd() + (first === "" ? "" : `: ${first}`);
}

/**
 * One line for a failed request (no answer at all): what could not be reached, and why.
 *
 * @param url The URL asked.
 * @param err What `fetch` threw.
 * @returns E.g. `network error: cannot reach 127.0.0.1:9: Connection refused (os error 111)`.
 * @example
 * ```ts
 * import { networkErrorLine } from "./answer.ts";
 *
 * networkErrorLine(new URL("http://127.0.0.1:9/"), new TypeError("fetch failed"));
 * ```
 */
export function networkErrorLine(url: URL, err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const message = cause instanceof Error ? cause.message : String(cause);
  const reason = message.split(": ").pop() ?? message;
  return `network error: cannot reach ${url.host}: ${reason}`;
}

function isErrorBody(value: unknown): value is { error: string; detail: string } {
  return typeof value === "object" && value !== null &&
    typeof (value as Record<string, unknown>).error === "string" &&
    typeof (value as Record<string, unknown>).detail === "string";
}
