/**
 * The display mapping's settings read from text — `cmap`, `vmin`, `vmax`, `background` as a
 * query string or command-line flags give them — into {@linkcode DisplayOptions}.
 *
 * @module
 */

import { CodecError } from "../codec_error.ts";
import { COLORMAP_NAMES, isColormap } from "./colormaps.ts";
import { type DisplayOptions, LABELS, type Limit } from "./display.ts";

/** The display settings as text, each absent when not given. */
export interface DisplayText {
  /** A colormap name, or `labels`. */
  readonly cmap?: string;
  /** A number or `pN`. */
  readonly vmin?: string;
  /** A number or `pN`. */
  readonly vmax?: string;
  /** `transparent`, `#rrggbb` or `#rrggbbaa`. */
  readonly background?: string;
}

/**
 * Reads display settings given as text.
 *
 * @param text The settings as given.
 * @returns The options; empty when none is given.
 * @throws {CodecError} malformed `invalid_parameter`: an unknown colormap (listing the names),
 *   a limit that is neither a finite number nor `p0`–`p100`, a malformed colour, or
 *   `background` without `cmap=labels`.
 * @example
 * ```ts
 * import { parseDisplayText } from "./display_text.ts";
 *
 * parseDisplayText({ cmap: "viridis", vmin: "p2" }); // { cmap: "viridis", vmin: { percentile: 2 } }
 * ```
 */
export function parseDisplayText(text: DisplayText): DisplayOptions {
  const { cmap, background } = text;
  if (cmap !== undefined && cmap !== LABELS && !isColormap(cmap)) {
    throw invalid(
      `cmap ${JSON.stringify(cmap)} is not a colormap; use one of ${LABELS}, ` +
        COLORMAP_NAMES.join(", "),
    );
  }
  if (background !== undefined && cmap !== LABELS) {
    throw invalid("background is the colour of label 0 with cmap=labels");
  }
  const options: {
    cmap?: string;
    vmin?: Limit;
    vmax?: Limit;
    background?: [number, number, number, number];
  } = {};
  if (cmap !== undefined) options.cmap = cmap;
  if (text.vmin !== undefined) options.vmin = parseLimit("vmin", text.vmin);
  if (text.vmax !== undefined) options.vmax = parseLimit("vmax", text.vmax);
  if (background !== undefined) options.background = parseColor(background);
  return options;
}

/**
 * A limit: a finite number, or `pN` with N from 0 to 100.
 *
 * @param name `vmin` or `vmax`, for the message.
 * @param raw The text.
 * @returns The limit.
 * @throws {CodecError} malformed `invalid_parameter` for anything else.
 * @example
 * ```ts
 * import { parseLimit } from "./display_text.ts";
 *
 * parseLimit("vmax", "p98"); // { percentile: 98 }
 * ```
 */
export function parseLimit(name: string, raw: string): Limit {
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
  throw invalid(
    `${name} must be a finite number or pN for a percentile from p0 to p100, ` +
      `got ${JSON.stringify(raw)}`,
  );
}

/**
 * An RGBA colour from `transparent`, `#rrggbb` or `#rrggbbaa` (the `#` optional).
 *
 * @param text The value.
 * @returns `[r, g, b, a]`.
 * @throws {CodecError} malformed `invalid_parameter` for anything else.
 * @example
 * ```ts
 * import { parseColor } from "./display_text.ts";
 *
 * parseColor("#ff000080"); // [255, 0, 0, 128]
 * ```
 */
export function parseColor(text: string): [number, number, number, number] {
  if (text === "transparent") return [0, 0, 0, 0];
  const hex = text.startsWith("#") ? text.slice(1) : text;
  if (!/^([0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/.test(hex)) {
    throw invalid(
      `background must be transparent, #rrggbb or #rrggbbaa, got ${JSON.stringify(text)}`,
    );
  }
  const byte = (i: number) => i < hex.length ? parseInt(hex.slice(i, i + 2), 16) : 255;
  return [byte(0), byte(2), byte(4), byte(6)];
}

function invalid(detail: string): CodecError {
  return new CodecError("malformed", "invalid_parameter", detail);
}
