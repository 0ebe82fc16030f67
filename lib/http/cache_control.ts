/**
 * `Cache-Control` of the answers that any cache may keep.
 *
 * @module
 */

/**
 * `public, max-age=N`, with `s-maxage=M` for shared caches when one is given.
 *
 * @param maxAge Seconds a client may reuse the answer.
 * @param sMaxAge Seconds a shared cache (a proxy, a CDN) may reuse it, overriding `maxAge`
 *   there; `null` or `undefined` sends none.
 * @returns The header value.
 * @example
 * publicCacheControl(3600); // "public, max-age=3600"
 * publicCacheControl(60, 86400); // "public, max-age=60, s-maxage=86400"
 */
export function publicCacheControl(maxAge: number, sMaxAge?: number | null): string {
  return sMaxAge === null || sMaxAge === undefined
    ? `public, max-age=${maxAge}`
    : `public, max-age=${maxAge}, s-maxage=${sMaxAge}`;
}
