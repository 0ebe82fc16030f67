/**
 * `Accept` negotiation (RFC 9110 §12.5.1), only as far as pixserve needs it.
 *
 * @module
 */

/**
 * Whether `Accept` names a media type itself (not through `*` wildcards) with q > 0.
 *
 * @param accept The `Accept` value, or `null` when absent.
 * @param mediaType A full type such as `image/webp`.
 * @returns `true` when the type is listed explicitly and not refused with `q=0`.
 * @example
 * ```ts
 * import { acceptsExplicitly } from "./accept.ts";
 *
 * acceptsExplicitly("image/avif,image/webp,*\/*;q=0.8", "image/webp"); // true
 * acceptsExplicitly("*\/*", "image/webp"); // false
 * ```
 */
export function acceptsExplicitly(
  accept: string | null,
  mediaType: string,
): boolean {
  if (accept === null) return false;
  return accept.split(",").some((range) => {
    const [type, ...params] = range.split(";").map((s) => s.trim().toLowerCase());
    if (type !== mediaType) return false;
    const q = params.find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * The format of an image answered as `format=auto`: AVIF when `Accept` lists `image/avif`,
 * else WebP when it lists `image/webp`, else the fallback (the source's own format). Three
 * answers at most, whatever the `Accept` string: a cache keyed on this choice holds three.
 *
 * @param accept The `Accept` value, or `null`.
 * @param fallback The format for clients that list neither.
 * @returns The format to send.
 * @example
 * negotiateImageFormat("image/avif,image/webp,*\/*", "jpeg"); // "avif"
 * negotiateImageFormat("*\/*", "jpeg"); // "jpeg"
 */
export function negotiateImageFormat<F extends string>(
  accept: string | null,
  fallback: F,
): "avif" | "webp" | F {
  if (acceptsExplicitly(accept, "image/avif")) return "avif";
  if (acceptsExplicitly(accept, "image/webp")) return "webp";
  return fallback;
}
