/**
 * The transform query parameters (`?w=&h=&fit=&position=&background=&dpr=&enlarge&crop=`
 * `&rotate=&flip&flop&keep_meta&effort=`), declared once for every route that takes them
 * and read into a {@linkcode TransformSpec}. Reading is pure: no pixel is touched, so a box
 * past the limits is refused before any file is opened.
 *
 * @module
 */

import { BadRequest, Unprocessable } from "../errors.ts";
import { MAX_SIDE } from "../image/encode.ts";
import type { ImageFormat } from "../image/format.ts";
import {
  FITS,
  IDENTITY_TRANSFORM,
  POSITIONS,
  type Rect,
  type TransformSpec,
} from "../image/transform.ts";
import type { QueryParam } from "../router.ts";
import { choiceParam, flagParam, intParam } from "./params.ts";

/** The largest `?w=` or `?h=` read before the format's own limit is checked. */
const MAX_BOX_SIDE = 1_000_000;

/**
 * `?background=`: a colour as hex digits, `rgb`, `rgba`, `rrggbb` or `rrggbbaa`, with or
 * without a leading `#` (sent as `%23`).
 */
export const BACKGROUND_PARAM: QueryParam = {
  name: "background",
  type: "string",
  pattern: "^#?([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$",
  description: "colour of contain's bars as hex rgb, rgba, rrggbb or rrggbbaa; default transparent",
};

/** The transform parameters, as the router and the API description list them. */
export const TRANSFORM_PARAMS: readonly QueryParam[] = [
  {
    name: "w",
    type: "integer",
    minimum: 1,
    maximum: MAX_BOX_SIDE,
    description: "width of the box in CSS pixels (times dpr); alone, the height follows",
  },
  {
    name: "h",
    type: "integer",
    minimum: 1,
    maximum: MAX_BOX_SIDE,
    description: "height of the box in CSS pixels (times dpr); alone, the width follows",
  },
  {
    name: "fit",
    type: "string",
    enum: FITS,
    description: "how the image fits a box of w and h (CSS object-fit); default inside",
  },
  {
    name: "position",
    type: "string",
    enum: POSITIONS,
    description: "where cover crops and contain places; entropy and attention are cover only",
  },
  BACKGROUND_PARAM,
  {
    name: "dpr",
    type: "number",
    minimum: 1,
    maximum: 4,
    description: "device pixel ratio: multiplies w and h",
  },
  { name: "enlarge", type: "boolean", description: "scale up past the source's size" },
  {
    name: "crop",
    type: "string",
    pattern: "^\\d+,\\d+,\\d+,\\d+$",
    description: "x,y,w,h of the region kept, cut from the upright source before the rest",
  },
  {
    name: "rotate",
    type: "integer",
    minimum: 0,
    maximum: 270,
    description: "clockwise turn in degrees, 0, 90, 180 or 270, after crop, flip and flop",
  },
  { name: "flip", type: "boolean", description: "reverse the rows (upside down)" },
  { name: "flop", type: "boolean", description: "reverse the columns (mirror)" },
  { name: "keep_meta", type: "boolean", description: "keep the source's ICC profile" },
  {
    name: "effort",
    type: "integer",
    minimum: 0,
    maximum: 9,
    description: "AVIF encoder effort, 0 fast to 9 small; default 2",
  },
];

/** The names of {@linkcode TRANSFORM_PARAMS}. */
export const TRANSFORM_PARAM_NAMES: ReadonlySet<string> = new Set(
  TRANSFORM_PARAMS.map((p) => p.name),
);

/**
 * Reads a hex colour.
 *
 * @param text `#rgb`, `rgba`, `rrggbb` or `rrggbbaa`, `#` optional.
 * @returns RGBA, 0–255 each.
 * @throws {BadRequest} `invalid_parameter` naming `background`.
 * @example
 * parseColor("#ff000080"); // [255, 0, 0, 128]
 */
export function parseColor(text: string): [number, number, number, number] {
  const hex = text.replace(/^#/, "");
  if (/^[0-9a-f]{3,4}$/i.test(hex)) {
    const [r, g, b, a = 15] = [...hex].map((d) => parseInt(d, 16));
    return [r * 17, g * 17, b * 17, a * 17];
  }
  if (/^([0-9a-f]{6}|[0-9a-f]{8})$/i.test(hex)) {
    const [r, g, b, a = 255] = hex.match(/../g)!.map((d) => parseInt(d, 16));
    return [r, g, b, a];
  }
  throw new BadRequest(
    "invalid_parameter",
    `background must be hex rgb, rgba, rrggbb or rrggbbaa, got ${JSON.stringify(text)}`,
  );
}

function cropParam(url: URL): Rect | undefined {
  const raw = url.searchParams.get("crop");
  if (raw === null) return undefined;
  const parts = raw.split(",");
  const numbers = parts.map((p) => (/^\d{1,7}$/.test(p.trim()) ? Number(p.trim()) : NaN));
  if (parts.length !== 4 || numbers.some(Number.isNaN) || numbers[2] < 1 || numbers[3] < 1) {
    throw new BadRequest(
      "invalid_parameter",
      `crop must be x,y,w,h: four integers, w and h at least 1, got ${JSON.stringify(raw)}`,
    );
  }
  const [x, y, width, height] = numbers;
  return { x, y, width, height };
}

function dprParam(url: URL): number {
  const raw = url.searchParams.get("dpr");
  if (raw === null) return 1;
  const n = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 4)) {
    throw new BadRequest(
      "invalid_parameter",
      `dpr must be a number from 1 to 4, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/**
 * Reads the transform parameters of a request and checks the box against the format's
 * largest side and the pixel limit, before any source is read.
 *
 * @param url The request URL.
 * @param format The output format (its {@linkcode MAX_SIDE}).
 * @param maxPixels The pixel limit.
 * @returns The transform; {@linkcode IDENTITY_TRANSFORM}'s values where nothing is asked.
 * @throws {BadRequest} `invalid_parameter`: a malformed value, an unknown `fit` or
 *   `position` (the valid ones listed), `entropy`/`attention` without `fit=cover`.
 * @throws {Unprocessable} `too_large_for_format` past the format's side,
 *   `too_many_pixels` past `maxPixels`.
 * @example
 * readTransform(new URL("http://x/a.webp?w=400&dpr=2"), "webp", 40_000_000).width; // 800
 */
export function readTransform(url: URL, format: ImageFormat, maxPixels: number): TransformSpec {
  const dpr = dprParam(url);
  const scale = (n: number | undefined) => (n === undefined ? undefined : Math.round(n * dpr));
  const width = scale(intParam(url, "w", 1, MAX_BOX_SIDE));
  const height = scale(intParam(url, "h", 1, MAX_BOX_SIDE));
  const fit = choiceParam(url, "fit", FITS) ?? IDENTITY_TRANSFORM.fit;
  const position = choiceParam(url, "position", POSITIONS) ?? IDENTITY_TRANSFORM.position;
  if ((position === "entropy" || position === "attention") && fit !== "cover") {
    throw new BadRequest(
      "invalid_parameter",
      `position=${position} chooses what cover keeps; it needs fit=cover, not ${fit}`,
    );
  }
  const side = MAX_SIDE[format];
  for (const [name, n] of [["w", width], ["h", height]] as const) {
    if (n !== undefined && n > side) {
      throw new Unprocessable(
        "too_large_for_format",
        `${name} × dpr is ${n}; ${format} images are at most ${side} pixels a side`,
      );
    }
  }
  if (width !== undefined && height !== undefined && width * height > maxPixels) {
    throw new Unprocessable(
      "too_many_pixels",
      `${width}x${height} is ${width * height} pixels, more than MAX_PIXELS (${maxPixels})`,
    );
  }
  const rotate = intParam(url, "rotate", 0, 270) ?? 0;
  if (rotate % 90 !== 0) {
    throw new BadRequest("invalid_parameter", `rotate must be 0, 90, 180 or 270, got ${rotate}`);
  }
  const background = url.searchParams.get("background");
  return {
    width,
    height,
    fit,
    position,
    background: background === null ? IDENTITY_TRANSFORM.background : parseColor(background),
    enlarge: flagParam(url, "enlarge"),
    crop: cropParam(url),
    rotate: rotate as TransformSpec["rotate"],
    flip: flagParam(url, "flip"),
    flop: flagParam(url, "flop"),
    keepMeta: flagParam(url, "keep_meta"),
  };
}

/**
 * A transform as a short stable string, for cache keys: equal transforms, however their
 * query was written (order, `dpr=2&w=100` or `w=200`), give the same string.
 *
 * @param spec The transform.
 * @returns The key.
 * @example
 * transformKey(IDENTITY_TRANSFORM); // "-x-,inside,centre,0.0.0.0,0,-,0,0,0,0"
 */
export function transformKey(spec: TransformSpec): string {
  const crop = spec.crop === undefined
    ? "-"
    : `${spec.crop.x}.${spec.crop.y}.${spec.crop.width}.${spec.crop.height}`;
  return [
    `${spec.width ?? "-"}x${spec.height ?? "-"}`,
    spec.fit,
    spec.position,
    spec.background.join("."),
    Number(spec.enlarge),
    crop,
    spec.rotate,
    Number(spec.flip),
    Number(spec.flop),
    Number(spec.keepMeta),
  ].join(",");
}
