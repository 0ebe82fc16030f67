/**
 * Validators and conditional requests (RFC 9110 §8.8, §13): strong ETags
 * hashed from the bytes themselves, weak ETags of files from their length and
 * time, HTTP dates, and the evaluation of `If-Match`, `If-Unmodified-Since`,
 * `If-None-Match`, `If-Modified-Since` and `If-Range`.
 *
 * @module
 */

import { createHash } from "node:crypto";

/**
 * Bytes up to which a representation is hashed synchronously: a hash this size takes well
 * under a millisecond, less than the round trip of `crypto.subtle.digest` to a blocking
 * thread, which costs about 0.15 ms of the event loop's time even for a small image.
 * Larger ones are hashed off the event loop.
 */
const SYNC_HASH_BYTES = 1024 * 1024;

/**
 * A strong ETag: the first 128 bits of the bytes' SHA-256, base64url, quoted.
 *
 * @param bytes The exact representation sent.
 * @returns The tag, quotes included.
 * @example
 * ```ts
 * import { etagOf } from "./conditional.ts";
 *
 * await etagOf(new TextEncoder().encode("abc")); // "\"ungWv48Bz-pBQUDeXa4iIw\""
 * ```
 */
export async function etagOf(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = bytes.byteLength <= SYNC_HASH_BYTES
    ? createHash("sha256").update(bytes).digest()
    : new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const b64 = btoa(String.fromCharCode(...digest.subarray(0, 16)));
  return `"${b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}"`;
}

/**
 * Splits an `If-None-Match`/`If-Match` field into its entity tags.
 *
 * @param field The header value.
 * @returns `"*"`, or the tags in order, `W/` prefixes kept.
 * @example
 * ```ts
 * import { parseEtagList } from "./conditional.ts";
 *
 * parseEtagList(`W/"a", "b"`); // [`W/"a"`, `"b"`]
 * ```
 */
export function parseEtagList(field: string): "*" | string[] {
  if (field.trim() === "*") return "*";
  return field.match(/(?:W\/)?"[^"]*"/g) ?? [];
}

/**
 * Weak comparison of two entity tags (RFC 9110 §8.8.3.2): equal opaque tags,
 * whether or not either is weak.
 *
 * @param a One tag.
 * @param b Another tag.
 * @returns Whether they match weakly.
 * @example
 * ```ts
 * import { weakMatch } from "./conditional.ts";
 *
 * weakMatch(`W/"x"`, `"x"`); // true
 * ```
 */
export function weakMatch(a: string, b: string): boolean {
  return a.replace(/^W\//, "") === b.replace(/^W\//, "");
}

/**
 * Whether `If-None-Match` lets the server answer 304 for a representation with this tag.
 *
 * @param field The `If-None-Match` value, or `null` when absent.
 * @param etag The current tag.
 * @returns `true` when one listed tag (or `*`) matches weakly.
 * @example
 * ```ts
 * import { ifNoneMatchHits } from "./conditional.ts";
 *
 * ifNoneMatchHits(`"a", "b"`, `"b"`); // true
 * ```
 */
export function ifNoneMatchHits(field: string | null, etag: string): boolean {
  if (field === null) return false;
  const tags = parseEtagList(field);
  return tags === "*" || tags.some((tag) => weakMatch(tag, etag));
}

/**
 * Strong comparison of two entity tags (RFC 9110 §8.8.3.2): neither weak, same opaque tag.
 *
 * @param a One tag.
 * @param b Another tag.
 * @returns Whether they match strongly.
 * @example
 * ```ts
 * import { strongMatch } from "./conditional.ts";
 *
 * strongMatch(`"x"`, `"x"`); // true
 * strongMatch(`W/"x"`, `"x"`); // false
 * ```
 */
export function strongMatch(a: string, b: string): boolean {
  return !a.startsWith("W/") && !b.startsWith("W/") && a === b;
}

/**
 * A weak ETag for a file, from its length and modification time:
 * `W/"<mtime ms, hex>-<size, hex>"`.
 *
 * Weak, because equal length and time do not prove equal bytes (two writes in
 * one millisecond, a restored mtime); hashing a large file per request is not
 * affordable. A weak tag serves `If-None-Match` (304) fully; `If-Match` and
 * `If-Range` need strong tags, so clients resume with `If-Range: <Last-Modified>`.
 *
 * @param info The file's `size` and `mtime` (from `Deno.stat`).
 * @returns The tag, quotes and `W/` included.
 * @example
 * ```ts
 * import { fileEtag } from "./conditional.ts";
 *
 * fileEtag({ size: 3204, mtime: new Date(1700000000000) }); // `W/"18bcfe56800-c84"`
 * ```
 */
export function fileEtag(info: { size: number; mtime: Date | null }): string {
  return `W/"${(info.mtime?.getTime() ?? 0).toString(16)}-${info.size.toString(16)}"`;
}

/**
 * A date as an IMF-fixdate (RFC 9110 §5.6.7), the form every HTTP date is sent in.
 *
 * @param date The time.
 * @returns E.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
 * @example
 * ```ts
 * import { httpDate } from "./conditional.ts";
 *
 * httpDate(new Date(Date.UTC(1994, 10, 6, 8, 49, 37))); // "Sun, 06 Nov 1994 08:49:37 GMT"
 * ```
 */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850_DATE =
  /^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

function utc(
  year: number,
  month: string,
  day: string,
  time: readonly string[],
): number | undefined {
  const m = MONTHS.indexOf(month);
  const [h, min, s] = time.map(Number);
  if (m === -1 || h > 23 || min > 59 || s > 60) return undefined;
  const ms = Date.UTC(year, m, Number(day), h, min, s);
  return new Date(ms).getUTCDate() === Number(day) ? ms : undefined;
}

/**
 * Parses an HTTP date in any of the three forms recipients must accept
 * (RFC 9110 §5.6.7): IMF-fixdate, obsolete RFC 850 and asctime.
 *
 * @param value The field value.
 * @returns Milliseconds since the epoch, or `undefined` when it is not an HTTP date.
 * @example
 * ```ts
 * import { parseHttpDate } from "./conditional.ts";
 *
 * parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"); // 784111777000
 * parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"); // 784111777000
 * parseHttpDate("Sun Nov  6 08:49:37 1994"); // 784111777000
 * ```
 */
export function parseHttpDate(value: string): number | undefined {
  const v = value.trim();
  let m = IMF_FIXDATE.exec(v);
  if (m !== null) return utc(Number(m[3]), m[2], m[1], m.slice(4, 7));
  m = RFC850_DATE.exec(v);
  if (m !== null) {
    const yy = Number(m[3]);
    const year = yy + (yy + 2000 > new Date().getUTCFullYear() + 50 ? 1900 : 2000);
    return utc(year, m[2], m[1], m.slice(4, 7));
  }
  m = ASCTIME_DATE.exec(v);
  if (m !== null) return utc(Number(m[6]), m[1], m[2].trim(), m.slice(3, 6));
  return undefined;
}

/** The validators of a representation that conditional requests are compared with. */
export interface Validators {
  /** The current entity tag, quoted, `W/` when weak. */
  readonly etag: string;
  /** The last modification time in ms, or `undefined` when unknown. */
  readonly lastModified?: number;
}

/** What the preconditions of a request decide: go on, 304, or 412. */
export type ConditionOutcome = "proceed" | "not_modified" | "precondition_failed";

function seconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/**
 * Evaluates `If-Match`, `If-Unmodified-Since`, `If-None-Match` and
 * `If-Modified-Since` in the order of RFC 9110 §13.2.2, for a representation
 * that exists. `If-Range` is separate: see {@linkcode ifRangeHolds}.
 *
 * @param headers The request's headers.
 * @param method The request's method.
 * @param validators The representation's ETag and modification time.
 * @returns `"proceed"`, `"not_modified"` (GET/HEAD only) or `"precondition_failed"`.
 * @example
 * ```ts
 * import { evaluatePreconditions } from "./conditional.ts";
 *
 * const headers = new Headers({ "if-none-match": `W/"a"` });
 * evaluatePreconditions(headers, "GET", { etag: `W/"a"` }); // "not_modified"
 * ```
 */
export function evaluatePreconditions(
  headers: Headers,
  method: string,
  validators: Validators,
): ConditionOutcome {
  const safe = method === "GET" || method === "HEAD";
  const lastModified = validators.lastModified === undefined
    ? undefined
    : seconds(validators.lastModified);
  const ifMatch = headers.get("if-match");
  if (ifMatch !== null) {
    if (!ifMatchHolds(ifMatch, validators.etag)) return "precondition_failed";
  } else {
    const since = dateField(headers.get("if-unmodified-since"));
    if (since !== undefined && lastModified !== undefined && lastModified > since) {
      return "precondition_failed";
    }
  }
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== null) {
    if (!ifNoneMatchHits(ifNoneMatch, validators.etag)) return "proceed";
    return safe ? "not_modified" : "precondition_failed";
  }
  if (!safe) return "proceed";
  const since = dateField(headers.get("if-modified-since"));
  if (since !== undefined && lastModified !== undefined && lastModified <= since) {
    return "not_modified";
  }
  return "proceed";
}

function dateField(field: string | null): number | undefined {
  return field === null ? undefined : parseHttpDate(field);
}

/**
 * Whether `If-Match` lets the request proceed: `*`, or one listed tag matching strongly.
 *
 * @param field The `If-Match` value.
 * @param etag The current tag.
 * @returns `true` when the condition holds.
 * @example
 * ```ts
 * import { ifMatchHolds } from "./conditional.ts";
 *
 * ifMatchHolds(`"a", "b"`, `"b"`); // true
 * ifMatchHolds(`W/"b"`, `W/"b"`); // false: weak tags never match strongly
 * ```
 */
export function ifMatchHolds(field: string, etag: string): boolean {
  const tags = parseEtagList(field);
  return tags === "*" || tags.some((tag) => strongMatch(tag, etag));
}

/**
 * Whether `If-Range` lets a `Range` be honoured (RFC 9110 §13.1.5): an entity
 * tag must match strongly; a date must equal `Last-Modified` exactly, and
 * counts as strong only when the file was last modified at least one second
 * before `now` (it cannot have changed twice within the second the date names).
 *
 * @param field The `If-Range` value, or `null` when absent (then it holds).
 * @param validators The representation's ETag and modification time.
 * @param now The current time in ms.
 * @returns `true` when the ranges are to be served; `false` for the full 200.
 * @example
 * ```ts
 * import { ifRangeHolds } from "./conditional.ts";
 *
 * ifRangeHolds("Sun, 06 Nov 1994 08:49:37 GMT", { etag: `W/"x"`, lastModified: 784111777000 }, Date.now()); // true
 * ifRangeHolds(`W/"x"`, { etag: `W/"x"` }, Date.now()); // false
 * ```
 */
export function ifRangeHolds(
  field: string | null,
  validators: Validators,
  now: number,
): boolean {
  if (field === null) return true;
  const value = field.trim();
  if (value.startsWith('"') || value.startsWith("W/")) {
    return strongMatch(value, validators.etag);
  }
  const date = parseHttpDate(value);
  const modified = validators.lastModified;
  if (date === undefined || modified === undefined) return false;
  return seconds(modified) === date && now - modified >= 1000;
}
