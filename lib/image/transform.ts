/**
 * Geometric transforms of 8-bit pixels, as image servers offer them: crop, flip, flop,
 * rotate by quarter turns, then resize to a box with CSS's and sharp's `fit` modes.
 *
 * The output size is pixserve's own arithmetic ({@linkcode planResize}, pure), so that it is
 * the same whatever resolution the pixels arrive at (a JPEG shrunk on load, a full
 * decode); libvips (through sharp) resamples to that size with the Lanczos-3 kernel.
 *
 * Order: `crop` (in the upright image's coordinates), then `flip` (rows reversed) and `flop`
 * (columns reversed), then `rotate` (clockwise), then the resize, whose `width` and `height`
 * are those of the final image.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { CodecError } from "../codec_error.ts";
import type { ChannelPixels } from "./encode.ts";

/** How an image fits a box of both sides (CSS `object-fit` and sharp's `fit`). */
export type Fit = "cover" | "contain" | "fill" | "inside" | "outside";

/** The fit modes, in the order they are listed to users. */
export const FITS: readonly Fit[] = ["cover", "contain", "fill", "inside", "outside"];

/** Where `cover` crops and `contain` places: an edge or corner, or a libvips strategy. */
export type Position =
  | "centre"
  | "top"
  | "bottom"
  | "left"
  | "right"
  | "top_left"
  | "top_right"
  | "bottom_left"
  | "bottom_right"
  | "entropy"
  | "attention";

/** The positions, in the order they are listed to users. */
export const POSITIONS: readonly Position[] = [
  "centre",
  "top",
  "bottom",
  "left",
  "right",
  "top_left",
  "top_right",
  "bottom_left",
  "bottom_right",
  "entropy",
  "attention",
];

/** A rectangle of pixels: its top-left corner and its size. */
export interface Rect {
  /** Column of the left edge. */
  readonly x: number;
  /** Row of the top edge. */
  readonly y: number;
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
}

/** Everything a transform asks, already checked. */
export interface TransformSpec {
  /** Width of the box in pixels (DPR applied); absent: follows the height. */
  readonly width?: number;
  /** Height of the box in pixels (DPR applied); absent: follows the width. */
  readonly height?: number;
  /** How the image fits a box of both sides. @default {"inside"} */
  readonly fit: Fit;
  /** Where `cover` crops and `contain` places. @default {"centre"} */
  readonly position: Position;
  /** RGBA of `contain`'s bars. @default {[0, 0, 0, 0]} */
  readonly background: readonly [number, number, number, number];
  /** Scale up past the source's own size. @default {false} */
  readonly enlarge: boolean;
  /** A region of the upright source, cut first. */
  readonly crop?: Rect;
  /** Clockwise quarter turns, in degrees. @default {0} */
  readonly rotate: 0 | 90 | 180 | 270;
  /** Reverse the rows (upside down). @default {false} */
  readonly flip: boolean;
  /** Reverse the columns (mirror). @default {false} */
  readonly flop: boolean;
  /** Keep the source's ICC profile (everything else is always stripped). @default {false} */
  readonly keepMeta: boolean;
}

/** The transform that changes nothing. */
export const IDENTITY_TRANSFORM: TransformSpec = Object.freeze(
  {
    fit: "inside",
    position: "centre",
    background: [0, 0, 0, 0],
    enlarge: false,
    rotate: 0,
    flip: false,
    flop: false,
    keepMeta: false,
  } as const,
);

/** What a resize makes of an image: the scaled size, then the box it is cut or padded to. */
export interface ResizePlan {
  /** Columns the image is scaled to. */
  readonly scaledWidth: number;
  /** Rows the image is scaled to. */
  readonly scaledHeight: number;
  /** Columns of the output (smaller for `cover`, larger for `contain`). */
  readonly width: number;
  /** Rows of the output. */
  readonly height: number;
}

/**
 * The output size of a resize, by sharp's documented rules: `cover` fills the box and
 * crops, `contain` fits inside and pads to the box, `fill` stretches, `inside` fits
 * inside, `outside` covers without cropping; one side alone keeps the aspect ratio.
 * Without `enlarge` no scale exceeds 1 (a 100-px source asked at 800 px stays 100 px; a
 * `cover` box larger than the source is cut to the source's size, `contain` still pads).
 *
 * @param width Columns of the image being resized (after crop and rotation).
 * @param height Rows of that image.
 * @param spec The box, fit and enlarge.
 * @returns The scaled size and the output size.
 * @example
 * planResize(4000, 3000, { ...IDENTITY_TRANSFORM, width: 800 });
 * // { scaledWidth: 800, scaledHeight: 600, width: 800, height: 600 }
 */
export function planResize(width: number, height: number, spec: TransformSpec): ResizePlan {
  const bw = spec.width;
  const bh = spec.height;
  const cap = (s: number) => (spec.enlarge ? s : Math.min(1, s));
  const side = (n: number, s: number) => Math.max(1, Math.round(n * s));
  if (bw === undefined && bh === undefined) {
    return { scaledWidth: width, scaledHeight: height, width, height };
  }
  if (bw === undefined || bh === undefined) {
    const s = cap(bw !== undefined ? bw / width : bh! / height);
    const w = side(width, s);
    const h = side(height, s);
    return { scaledWidth: w, scaledHeight: h, width: w, height: h };
  }
  const sx = bw / width;
  const sy = bh / height;
  switch (spec.fit) {
    case "fill": {
      const w = side(width, cap(sx));
      const h = side(height, cap(sy));
      return { scaledWidth: w, scaledHeight: h, width: w, height: h };
    }
    case "inside":
    case "outside": {
      const s = cap(spec.fit === "inside" ? Math.min(sx, sy) : Math.max(sx, sy));
      const w = side(width, s);
      const h = side(height, s);
      return { scaledWidth: w, scaledHeight: h, width: w, height: h };
    }
    case "cover": {
      const s = cap(Math.max(sx, sy));
      const w = side(width, s);
      const h = side(height, s);
      return { scaledWidth: w, scaledHeight: h, width: Math.min(bw, w), height: Math.min(bh, h) };
    }
    case "contain": {
      const s = cap(Math.min(sx, sy));
      return { scaledWidth: side(width, s), scaledHeight: side(height, s), width: bw, height: bh };
    }
  }
}

/**
 * The size of the image after crop and rotation, before the resize.
 *
 * @param width Columns of the upright source.
 * @param height Rows of the upright source.
 * @param spec The crop and rotation.
 * @returns Columns and rows.
 * @example
 * orientedSize(40, 30, { ...IDENTITY_TRANSFORM, rotate: 90 }); // [30, 40]
 */
export function orientedSize(
  width: number,
  height: number,
  spec: TransformSpec,
): [number, number] {
  const w = spec.crop?.width ?? width;
  const h = spec.crop?.height ?? height;
  return spec.rotate === 90 || spec.rotate === 270 ? [h, w] : [w, h];
}

/**
 * Checks that a crop lies inside the image.
 *
 * @param width Columns of the upright source.
 * @param height Rows of the upright source.
 * @param crop The region.
 * @throws {CodecError} `unprocessable` `crop_outside_image` naming the region and the size.
 * @example
 * checkCrop(64, 64, { x: 60, y: 0, width: 10, height: 10 }); // throws: crop 60,0,10,10 …
 */
export function checkCrop(width: number, height: number, crop: Rect): void {
  if (crop.x + crop.width <= width && crop.y + crop.height <= height) return;
  throw new CodecError(
    "unprocessable",
    "crop_outside_image",
    `crop ${crop.x},${crop.y},${crop.width},${crop.height} reaches column ` +
      `${crop.x + crop.width} and row ${crop.y + crop.height}, outside the ` +
      `${width}x${height} image`,
  );
}

/**
 * The JPEG shrink-on-load factor a transform allows: the largest of 8, 4 and 2 that still
 * leaves at least as many pixels as the resize asks for (sharp's `fastShrinkOnLoad` rule);
 * 1 when a crop needs the full resolution or nothing shrinks.
 *
 * @param width Columns of the upright source.
 * @param height Rows of the upright source.
 * @param spec The transform.
 * @returns 1, 2, 4 or 8.
 * @example
 * shrinkFactor(4000, 3000, { ...IDENTITY_TRANSFORM, width: 800 }); // 4
 */
export function shrinkFactor(width: number, height: number, spec: TransformSpec): number {
  if (spec.crop !== undefined) return 1;
  const [w, h] = orientedSize(width, height, spec);
  const plan = planResize(w, h, spec);
  const factor = Math.min(w / plan.scaledWidth, h / plan.scaledHeight);
  return [8, 4, 2].find((s) => s <= factor) ?? 1;
}

/**
 * Whether a transform changes the pixels' geometry at all.
 *
 * @param spec The transform.
 * @returns `false` for one that leaves every pixel where it is.
 * @example
 * isGeometric(IDENTITY_TRANSFORM); // false
 */
export function isGeometric(spec: TransformSpec): boolean {
  return spec.width !== undefined || spec.height !== undefined || spec.crop !== undefined ||
    spec.rotate !== 0 || spec.flip || spec.flop;
}

type Sharp = typeof import("sharp").default;
type SharpInstance = ReturnType<Sharp>;
let sharpModule: Promise<Sharp> | undefined;

/**
 * sharp, imported on first use, with libvips' operation cache off (inputs rarely repeat;
 * pixserve caches encoded variants itself).
 *
 * @returns The module's default export.
 * @example
 * const sharp = await loadSharp();
 */
export function loadSharp(): Promise<Sharp> {
  sharpModule ??= import("sharp").then(({ default: sharp }) => {
    sharp.cache(false);
    return sharp;
  });
  return sharpModule;
}

const SHARP_POSITION: Readonly<Record<Position, string>> = {
  centre: "centre",
  top: "top",
  bottom: "bottom",
  left: "left",
  right: "right",
  top_left: "left top",
  top_right: "right top",
  bottom_left: "left bottom",
  bottom_right: "right bottom",
  entropy: "entropy",
  attention: "attention",
};

/** Where `contain` places the scaled image in its box: columns left of it, rows above it. */
function placement(spec: TransformSpec, plan: ResizePlan): [number, number] {
  const free = [plan.width - plan.scaledWidth, plan.height - plan.scaledHeight];
  const p = spec.position;
  const x = p.endsWith("left") ? 0 : p.endsWith("right") ? free[0] : Math.floor(free[0] / 2);
  const y = p.startsWith("top") ? 0 : p.startsWith("bottom") ? free[1] : Math.floor(free[1] / 2);
  return [x, y];
}

/**
 * Adds the transform's operations to a sharp pipeline whose input is upright.
 *
 * @param input The pipeline.
 * @param fullSize Columns and rows of the upright source at full resolution: the crop and
 *   the plan refer to them.
 * @param inputSize Columns and rows the pipeline's input has, when shrunk on load (never
 *   with a crop; the resize's targets are absolute, so only this comparison needs them).
 * @param spec The transform.
 * @returns The same pipeline.
 * @throws {CodecError} `crop_outside_image`.
 * @example
 * applyTransform(sharp(bytes, { autoOrient: true }), [4000, 3000], [4000, 3000], spec).webp();
 */
export function applyTransform(
  input: SharpInstance,
  fullSize: readonly [number, number],
  inputSize: readonly [number, number],
  spec: TransformSpec,
): SharpInstance {
  const { crop } = spec;
  if (crop !== undefined) {
    checkCrop(fullSize[0], fullSize[1], crop);
    input.extract({ left: crop.x, top: crop.y, width: crop.width, height: crop.height });
  }
  if (spec.flip) input.flip();
  if (spec.flop) input.flop();
  if (spec.rotate !== 0) input.rotate(spec.rotate);
  const [w, h] = orientedSize(fullSize[0], fullSize[1], spec);
  const [iw, ih] = orientedSize(inputSize[0], inputSize[1], { ...spec, crop: undefined });
  const plan = planResize(w, h, spec);
  const kernel = "lanczos3";
  const boxed = plan.width !== plan.scaledWidth || plan.height !== plan.scaledHeight;
  if (spec.fit === "cover" && boxed) {
    return input.resize(plan.width, plan.height, {
      fit: "cover",
      position: SHARP_POSITION[spec.position],
      kernel,
    });
  }
  const cropped = crop === undefined ? [iw, ih] : [w, h];
  if (plan.scaledWidth !== cropped[0] || plan.scaledHeight !== cropped[1]) {
    input.resize(plan.scaledWidth, plan.scaledHeight, { fit: "fill", kernel });
  }
  if (boxed) {
    const [left, top] = placement(spec, plan);
    const [r, g, b, a] = spec.background;
    input.extend({
      left,
      top,
      right: plan.width - plan.scaledWidth - left,
      bottom: plan.height - plan.scaledHeight - top,
      background: { r, g, b, alpha: a / 255 },
    });
  }
  return input;
}

/**
 * Transforms 8-bit pixels (1 to 4 channels) that are already upright.
 *
 * @param pixels The pixels.
 * @param spec The transform.
 * @param fullSize The size the crop and the plan refer to, when the pixels were shrunk on
 *   load; default their own size.
 * @returns New pixels (the input is left unchanged), or the input itself when nothing changes.
 * @throws {CodecError} `crop_outside_image`.
 * @example
 * const small = await transformPixels(pixels, { ...IDENTITY_TRANSFORM, width: 100 });
 */
export async function transformPixels(
  pixels: ChannelPixels,
  spec: TransformSpec,
  fullSize: readonly [number, number] = [pixels.width, pixels.height],
): Promise<ChannelPixels> {
  if (!isGeometric(spec)) return pixels;
  const sharp = await loadSharp();
  const { width, height, channels, data } = pixels;
  const input = sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
    raw: { width, height, channels },
  });
  const out = await applyTransform(input, fullSize, [width, height], spec).raw().toBuffer({
    resolveWithObject: true,
  });
  return rawPixels(out.data, out.info);
}

/**
 * sharp's raw output as {@linkcode ChannelPixels} (a view, no copy).
 *
 * @param data The bytes.
 * @param info Their size and channel count.
 * @returns The pixels.
 * @example
 * rawPixels(data, info).channels; // 3
 */
export function rawPixels(
  data: Uint8Array,
  info: { width: number; height: number; channels: number },
): ChannelPixels {
  return {
    width: info.width,
    height: info.height,
    channels: info.channels as 1 | 2 | 3 | 4,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}
