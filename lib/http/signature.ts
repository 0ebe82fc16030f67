/**
 * Signed URLs: HMAC-SHA256 (Web Crypto) over the path and the query sorted by name then
 * value, without `s`, sent base64url-encoded (no padding) in `?s=`. Any key of a list
 * verifies, so keys can be rotated: add the new one, re-sign, drop the old one.
 *
 * The signed text is the path exactly as sent (percent-encoded), then, when there is a
 * query, `?` and its pairs as `encodeURIComponent(name)=encodeURIComponent(value)` joined
 * by `&` (a flag such as `?flip` is `flip=`).
 *
 * @module
 */

import { Forbidden } from "../errors.ts";

/** The query parameter that carries the signature. */
export const SIGNATURE_PARAM = "s";

/**
 * The text a URL's signature covers.
 *
 * @param url The URL.
 * @returns The path, then `?` and the sorted query without `s` when there is one.
 * @example
 * signedText(new URL("http://x/images/a.webp?w=100&fit=cover&s=abc"));
 * // "/images/a.webp?fit=cover&w=100"
 */
export function signedText(url: URL): string {
  const pairs = [...url.searchParams]
    .filter(([name]) => name !== SIGNATURE_PARAM)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  return pairs.length === 0 ? url.pathname : `${url.pathname}?${pairs.join("&")}`;
}

/**
 * Reads a comma-separated list of hex keys.
 *
 * @param text `key1,key2`, each an even number of hex digits, at least 16 bytes.
 * @returns The keys' bytes.
 * @throws {TypeError} A key that is not hex or shorter than 16 bytes.
 * @example
 * parseSigningKeys("00112233445566778899aabbccddeeff").length; // 1
 */
export function parseSigningKeys(text: string): Uint8Array<ArrayBuffer>[] {
  return text.split(",").map((k) => k.trim()).filter((k) => k !== "").map((hex) => {
    if (!/^([0-9a-fA-F]{2}){16,}$/.test(hex)) {
      throw new TypeError("signing keys must be hex, an even number of digits, 16 bytes or more");
    }
    return new Uint8Array(hex.match(/../g)!.map((b) => parseInt(b, 16)));
  });
}

function hmacKey(key: Uint8Array<ArrayBuffer>, use: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, [use]);
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/**
 * Signs a URL: the same URL, its query as written, with `s=` last (any old `s` replaced).
 *
 * @param url The URL to sign.
 * @param key The key's bytes.
 * @returns The signed URL.
 * @example
 * const signed = await signUrl(new URL("http://x/images/a.webp?w=100"), key);
 */
export async function signUrl(url: URL, key: Uint8Array<ArrayBuffer>): Promise<URL> {
  const text = new TextEncoder().encode(signedText(url));
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(key, "sign"), text);
  const signed = new URL(url);
  // The query as written (a flag stays `flip`, not `flip=`), without any old signature.
  const kept = signed.search.slice(1).split("&")
    .filter((pair) =>
      pair !== "" && new URLSearchParams(pair).keys().next().value !== SIGNATURE_PARAM
    );
  kept.push(`${SIGNATURE_PARAM}=${base64url(new Uint8Array(mac))}`);
  signed.search = `?${kept.join("&")}`;
  return signed;
}

/**
 * Whether a URL carries a signature that one of the keys made.
 *
 * @param url The request URL.
 * @param keys The keys.
 * @returns `true` for a valid signature.
 * @example
 * await hasValidSignature(signed, [key]); // true
 */
export async function hasValidSignature(
  url: URL,
  keys: readonly Uint8Array<ArrayBuffer>[],
): Promise<boolean> {
  const given = url.searchParams.getAll(SIGNATURE_PARAM);
  const mac = given.length === 1 ? fromBase64url(given[0]) : undefined;
  if (mac === undefined || mac.byteLength !== 32) return false;
  const text = new TextEncoder().encode(signedText(url));
  for (const key of keys) {
    if (await crypto.subtle.verify("HMAC", await hmacKey(key, "verify"), mac, text)) return true;
  }
  return false;
}

/**
 * Refuses a URL without a valid signature, saying nothing about which part was wrong.
 *
 * @param url The request URL.
 * @param keys The keys; none means signatures are off and every URL passes.
 * @throws {Forbidden} `invalid_signature`.
 * @example
 * await checkSignature(new URL(request.url), config.signingKeys);
 */
export async function checkSignature(
  url: URL,
  keys: readonly Uint8Array<ArrayBuffer>[],
): Promise<void> {
  if (keys.length === 0 || await hasValidSignature(url, keys)) return;
  throw new Forbidden(
    "invalid_signature",
    "this URL needs a valid signature in ?s= (HMAC-SHA256 of the path and sorted query)",
  );
}
