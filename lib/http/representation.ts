/**
 * A representation's headers built in one place (type, length, ETag,
 * disposition, cache policy, `nosniff`) and the one answer to
 * `If-None-Match`: 304 with the headers RFC 9110 §15.4.5 keeps, else 200.
 *
 * @module
 */

import { ifNoneMatchHits } from "./conditional.ts";
import { contentDisposition, type DispositionType } from "./disposition.ts";

/** Headers a 304 keeps from the 200 it stands for (RFC 9110 §15.4.5). */
export const RETAINED_304_HEADERS: readonly string[] = [
  "cache-control",
  "content-location",
  "date",
  "etag",
  "expires",
  "vary",
];

/** What {@linkcode representationHeaders} builds headers from. */
export interface RepresentationOptions {
  /** Exact `Content-Type`. */
  readonly contentType: string;
  /** `Content-Length` in bytes; none sent when absent (chunked, or set later). */
  readonly length?: number;
  /** `ETag`, quoted (strong or `W/` weak); none sent when absent. */
  readonly etag?: string;
  /** Name offered in `Content-Disposition`; none sent when absent. */
  readonly filename?: string;
  /** `inline` shows, `attachment` downloads. @default {"inline"} */
  readonly disposition?: DispositionType;
  /** `Cache-Control`, e.g. from {@linkcode publicCache}, `"no-store"` or `"no-cache"`. */
  readonly cacheControl: string;
}

/**
 * `Cache-Control` for a representation any cache may keep for `maxAge` seconds, with
 * `s-maxage` for shared caches when one is given.
 *
 * @param maxAge Seconds a client may reuse the representation.
 * @param sMaxAge Seconds a shared cache (a proxy, a CDN) may reuse it, overriding `maxAge`
 *   there; `null` or `undefined` sends none.
 * @returns `public, max-age=<maxAge>`, then `, s-maxage=<sMaxAge>` when given.
 * @example
 * ```ts
 * import { publicCache } from "./representation.ts";
 *
 * console.log(publicCache(3600)); // "public, max-age=3600"
 * console.log(publicCache(60, 86400)); // "public, max-age=60, s-maxage=86400"
 * ```
 */
export function publicCache(maxAge: number, sMaxAge?: number | null): string {
  return sMaxAge === null || sMaxAge === undefined
    ? `public, max-age=${maxAge}`
    : `public, max-age=${maxAge}, s-maxage=${sMaxAge}`;
}

/**
 * The headers of a representation, with `X-Content-Type-Options: nosniff` always.
 *
 * @param options Type, length, ETag, name and disposition, cache policy.
 * @returns Header names (lower case) and values.
 * @throws {BadRequest} `invalid_filename` for a name `contentDisposition` refuses.
 * @example
 * ```ts
 * import { publicCache, representationHeaders } from "./representation.ts";
 *
 * const headers = representationHeaders({
 *   contentType: "image/png",
 *   length: 3,
 *   filename: "plot.png",
 *   cacheControl: publicCache(60),
 * });
 * console.log(headers["content-disposition"]); // `inline; filename="plot.png"`
 * ```
 */
export function representationHeaders(options: RepresentationOptions): Record<string, string> {
  const headers: Record<string, string> = { "content-type": options.contentType };
  if (options.length !== undefined) headers["content-length"] = String(options.length);
  if (options.filename !== undefined) {
    headers["content-disposition"] = contentDisposition(
      options.filename,
      options.disposition ?? "inline",
    );
  }
  if (options.etag !== undefined) headers["etag"] = options.etag;
  headers["cache-control"] = options.cacheControl;
  headers["x-content-type-options"] = "nosniff";
  return headers;
}

/**
 * The headers a 304 keeps from the 200 it stands for (RFC 9110 §15.4.5).
 *
 * @param headers The headers of the full response.
 * @returns Only {@linkcode RETAINED_304_HEADERS}.
 * @example
 * ```ts
 * import { notModifiedHeaders } from "./representation.ts";
 *
 * const kept = notModifiedHeaders({ etag: `"a"`, "content-type": "image/png" });
 * console.log(kept.has("content-type")); // false
 * ```
 */
export function notModifiedHeaders(headers: HeadersInit): Headers {
  const full = new Headers(headers);
  const kept = new Headers();
  for (const name of RETAINED_304_HEADERS) {
    const value = full.get(name);
    if (value !== null) kept.set(name, value);
  }
  return kept;
}

/**
 * A 304 for a full response's headers, without a body.
 *
 * @param headers The headers of the full response.
 * @returns The 304.
 * @example
 * ```ts
 * import { notModified } from "./representation.ts";
 *
 * console.log(notModified({ etag: `"a"`, "content-type": "image/png" }).status); // 304
 * ```
 */
export function notModified(headers: HeadersInit): Response {
  return new Response(null, { status: 304, headers: notModifiedHeaders(headers) });
}

/**
 * A representation as a response: 304 when the request's `If-None-Match` holds the
 * headers' `ETag`, else 200 with the body.
 *
 * @param body The bytes (or any body) of the 200.
 * @param headers The full response's headers; their `etag` is matched.
 * @param request The request, read for `If-None-Match`; none means a 200.
 * @returns The response.
 * @example
 * ```ts
 * import { representationResponse } from "./representation.ts";
 *
 * const request = new Request("http://x/", { headers: { "if-none-match": `"a"` } });
 * const res = representationResponse(new Uint8Array(3), { etag: `"a"` }, request);
 * console.log(res.status); // 304
 * ```
 */
export function representationResponse(
  body: BodyInit,
  headers: Headers | Readonly<Record<string, string>>,
  request?: Request,
): Response {
  const inm = request?.headers.get("if-none-match") ?? null;
  if (inm !== null) {
    const etag = (headers instanceof Headers ? headers.get("etag") : headers["etag"]) ?? null;
    if (etag !== null && ifNoneMatchHits(inm, etag)) return notModified(headers);
  }
  return new Response(body, { status: 200, headers });
}
