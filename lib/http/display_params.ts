/**
 * The query parameters of the display mapping (`?cmap=`, `?vmin=`, `?vmax=`,
 * `?background=`) read into {@linkcode DisplayOptions}, and their declarations for the
 * routes that take them.
 *
 * @module
 */

import { COLORMAP_NAMES, isColormap } from "../arrays/colormaps.ts";
import { type DisplayOptions, LABELS, type Limit } from "../arrays/display.ts";
import { BadRequest } from "../errors.ts";
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
 * @throws {BadRequest} `invalid_parameter`: an unknown colormap (listing the names), a
 *   limit that is neither a finite number nor `p0`–`p100`, a malformed colour, or
 *   `background` without `cmap=labels`.
 * @example
 * displayParams(new URL("http://x/render.png?cmap=viridis&vmin=p2"));
 * // { cmap: "viridis", vmin: { percentile: 2 } }
 */
export function displayParams(url: URL): DisplayOptions {
  const query = url.searchParams;
  const cmap = query.get("cmap") ?? undefined;
  if (cmap !== undefined && cmap !== LABELS && !isColormap(cmap)) {
    throw new BadRequest(
      "invalid_parameter",
      `cmap ${JSON.stringify(cmap)} is not a colormap; use one of ${LABELS}, ` +
        COLORMAP_NAMES.join(", "),
    );
  }
  const background = query.get("background");
  if (background !== null && cmap !== LABELS) {
    throw new BadRequest(
      "invalid_parameter",
      "background is the colour of label 0 with cmap=labels",
    );
  }
  const options: {
    cmap?: string;
    vmin?: Limit;
    vmax?: Limit;
    background?: [number, number, number, number];
  } = {};
  if (cmap !== undefined) options.cmap = cmap;
  const vmin = limitParam(url, "vmin");
  if (vmin !== undefined) options.vmin = vmin;
  const vmax = limitParam(url, "vmax");
  if (vmax !== undefined) options.vmax = vmax;
  if (background !== null) options.background = parseColor(background);
  return options;
}

/**
 * A limit: a finite number, or `pN` with N from 0 to 100.
 *
 * @param url The request URL.
 * @param name `vmin` or `vmax`.
 * @returns The limit, or `undefined` when absent.
 * @throws {BadRequest} `invalid_parameter` for anything else.
 * @example
 * limitParam(new URL("http://x/?vmax=p98"), "vmax"); // { percentile: 98 }
 */
export function limitParam(url: URL, name: string): Limit | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  const text = raw.trim();
  if (/^p\d/.test(text)) {
    const percentile = Number(text.slice(1));
    if (/^\d+(\.\d+)?$/.test(text.slice(1)) && percentile >= 0 && percentile <= 100) {
      return { percentile };
    }
  } else if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    const value = Number(text);
    if (Number.isFinite(value)) return { value };
  }
  throw new BadRequest(
    "invalid_parameter",
    `${name} must be a finite number or pN for a percentile from p0 to p100, ` +
      `got ${JSON.stringify(raw)}`,
  );
}

/**
 * An RGBA colour from `transparent`, `#rrggbb` or `#rrggbbaa` (the `#` optional).
 *
 * @param text The parameter value.
 * @returns `[r, g, b, a]`.
 * @throws {BadRequest} `invalid_parameter` for anything else.
 * @example
 * parseColor("#ff000080"); // [255, 0, 0, 128]
 */
export function parseColor(text: string): [number, number, number, number] {
  if (text === "transparent") return [0, 0, 0, 0];
  const hex = text.startsWith("#") ? text.slice(1) : text;
  if (!/^([0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/.test(hex)) {
    throw new BadRequest(
      "invalid_parameter",
      `background must be transparent, #rrggbb or #rrggbbaa, got ${JSON.stringify(text)}`,
    );
  }
  const byte = (i: number) => i < hex.length ? parseInt(hex.slice(i, i + 2), 16) : 255;
  return [byte(0), byte(2), byte(4), byte(6)];
}
