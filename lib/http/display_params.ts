/**
 * The query parameters of the display mapping (`?cmap=`, `?vmin=`, `?vmax=`,
 * `?background=`) read into {@linkcode DisplayOptions}, and their declarations for the
 * routes that take them.
 *
 * @module
 */

import { COLORMAP_NAMES } from "../arrays/colormaps.ts";
import { type DisplayOptions, LABELS } from "../arrays/display.ts";
import { parseDisplayText } from "../arrays/display_text.ts";
import type { QueryParam } from "../router.ts";

/** A number (`2`, `-0.5`, `1e3`) or a percentile (`p2`, `p99.5`). */
const LIMIT_PATTERN =
  "^(p(100|[0-9]{1,2})(\\.[0-9]+)?|[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?)$";

/** `transparent`, or `#rrggbb` / `#rrggbbaa` with or without the `#`. */
const COLOR_PATTERN = "^(transparent|#?[0-9a-fA-F]{6}([0-9a-fA-F]{2})?)$";

/**
 * `?cmap=`, `?vmin=`, `?vmax=` and `?background=`, declared for a route's `query`.
 *
 * @example
 * const RENDER_PARAMS = [...DISPLAY_PARAMS];
 */
export const DISPLAY_PARAMS: readonly QueryParam[] = [
  {
    name: "cmap",
    type: "string",
    enum: [...COLORMAP_NAMES, LABELS],
    description: "single-channel arrays: a matplotlib colormap (names as matplotlib's, " +
      "_r reversed), or labels for integer masks (an indexed PNG)",
  },
  {
    name: "vmin",
    type: "string",
    pattern: LIMIT_PATTERN,
    description: "the value shown as the low end: a number, or pN for the N-th percentile " +
      "of the finite values; default the finite minimum. Without cmap, rescales every channel",
  },
  {
    name: "vmax",
    type: "string",
    pattern: LIMIT_PATTERN,
    description: "the value shown as the high end: a number or pN; default the finite maximum",
  },
  {
    name: "background",
    type: "string",
    pattern: COLOR_PATTERN,
    description: "cmap=labels: the colour of label 0, transparent (default) or #rrggbb[aa]",
  },
];

/**
 * Reads the display parameters of a request.
 *
 * @param url The request URL.
 * @returns The options; empty when none is given.
 * @throws {CodecError} malformed `invalid_parameter` (a 400), as {@linkcode parseDisplayText}.
 * @example
 * ```ts
 * import { displayParams } from "./display_params.ts";
 *
 * displayParams(new URL("http://x/render.png?cmap=viridis&vmin=p2"));
 * // { cmap: "viridis", vmin: { percentile: 2 } }
 * ```
 */
export function displayParams(url: URL): DisplayOptions {
  const query = url.searchParams;
  return parseDisplayText({
    cmap: query.get("cmap") ?? undefined,
    vmin: query.get("vmin") ?? undefined,
    vmax: query.get("vmax") ?? undefined,
    background: query.get("background") ?? undefined,
  });
}
