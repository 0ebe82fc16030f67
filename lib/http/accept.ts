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
