/**
 * Validators and conditional requests (RFC 9110 §8.8, §13): strong ETags
 * hashed from the bytes themselves, and `If-None-Match` matching.
 *
 * @module
 */

/**
 * A strong ETag: the first 128 bits of the bytes' SHA-256, base64url, quoted.
 *
 * @param bytes The exact representation sent.
 * @returns The tag, quotes included.
 * @example
 * await etagOf(new TextEncoder().encode("abc")); // "\"ungWv48Bz-pBQUDeXa4iIw\""
 */
export async function etagOf(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const b64 = btoa(String.fromCharCode(...digest.subarray(0, 16)));
  return `"${b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}"`;
}

/**
 * Splits an `If-None-Match`/`If-Match` field into its entity tags.
 *
 * @param field The header value.
 * @returns `"*"`, or the tags in order, `W/` prefixes kept.
 * @example
 * parseEtagList(`W/"a", "b"`); // [`W/"a"`, `"b"`]
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
 * weakMatch(`W/"x"`, `"x"`); // true
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
 * ifNoneMatchHits(`"a", "b"`, `"b"`); // true
 */
export function ifNoneMatchHits(field: string | null, etag: string): boolean {
  if (field === null) return false;
  const tags = parseEtagList(field);
  return tags === "*" || tags.some((tag) => weakMatch(tag, etag));
}
