/**
 * Display mapping: any numeric array made visible, the way `matplotlib.pyplot.imsave`
 * (3.6) shows it.
 *
 * Three mappings, chosen by {@linkcode DisplayOptions}:
 * - **colormap** (`cmap`: a name): a single-channel array through matplotlib's `Normalize`
 *   and a colormap's lookup table, pixel for pixel what
 *   `imsave(buf, arr, cmap=cmap, vmin=vmin, vmax=vmax)` writes: the arithmetic runs in the
 *   precision matplotlib uses (float32 for bool and integers of up to 16 bits, float64 for
 *   wider integers, the array's own for floats), `x * N` truncated to an index, values
 *   below `vmin` the under colour, above `vmax` the over colour, NaN the transparent bad colour;
 * - **rescale** (`vmin`/`vmax` without `cmap`): every channel of a gray, RGB or RGBA array
 *   to `round(255 * (v - vmin) / (vmax - vmin))`, clipped to 0–255, NaN → 0;
 * - **labels** (`cmap: "labels"`): integer masks, label k a fixed colour of a distinct
 *   palette (the same k always the same colour), label 0 the background (transparent by
 *   default); an indexed image when at most 256 labels occur.
 *
 * Limits are numbers or percentiles of the finite values (`np.nanpercentile`, linear).
 * A missing limit is the finite minimum or maximum. The work is split in two steps, so that
 * several frames can share one range: {@linkcode displayRange} over any number of arrays,
 * then {@linkcode mapDisplay} for each array with that range. {@linkcode renderDisplay}
 * does both for one array.
 *
 * @module
 */

import { CodecError } from "../codec_error.ts";
import { BAD, colormap, OVER, UNDER } from "./colormaps.ts";
import { finiteSummary, type NumericValues } from "./order_statistics.ts";
import { type Dtype, formatShape, type PixelArray } from "./types.ts";

/** A limit of the range: a number, or the N-th percentile of the finite values. */
export type Limit =
  | { readonly value: number }
  | { readonly percentile: number };

/** What to show and how. Without `cmap`, `vmin` or `vmax`, no display mapping applies. */
export interface DisplayOptions {
  /** A colormap name (see `COLORMAP_NAMES`), or `labels` for integer masks. */
  readonly cmap?: string;
  /** The value shown as the low end. @default {the finite minimum} */
  readonly vmin?: Limit;
  /** The value shown as the high end. @default {the finite maximum} */
  readonly vmax?: Limit;
  /** Labels: the RGBA colour of label 0. @default {[0, 0, 0, 0] (transparent)} */
  readonly background?: readonly [number, number, number, number];
}

/** The values a colormap or a rescale spans. */
export interface DisplayRange {
  /** Shown as the low end. NaN when there is nothing finite to autoscale over. */
  readonly vmin: number;
  /** Shown as the high end. */
  readonly vmax: number;
}

/** 8-bit pixels with 1 to 4 channels. */
export interface DisplayChannels {
  /** Tells this from {@linkcode DisplayIndexed}. */
  readonly kind: "channels";
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** 1 gray, 3 RGB, 4 RGBA. */
  readonly channels: 1 | 3 | 4;
  /** The pixels, row after row. */
  readonly data: Uint8Array<ArrayBuffer>;
}

/** Palette indices with their RGBA palette: what an indexed PNG holds. */
export interface DisplayIndexed {
  /** Tells this from {@linkcode DisplayChannels}. */
  readonly kind: "indexed";
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** One palette index per pixel. */
  readonly indices: Uint8Array<ArrayBuffer>;
  /** 4 bytes (RGBA) per palette entry, at most 256 entries. */
  readonly palette: Uint8Array<ArrayBuffer>;
}

/** What {@linkcode mapDisplay} makes. */
export type DisplayPixels = DisplayChannels | DisplayIndexed;

/** Name of the labels mapping in `cmap`. */
export const LABELS = "labels";

/**
 * Whether options ask for a display mapping at all.
 *
 * @param options The options.
 * @returns `true` when `cmap`, `vmin` or `vmax` is given.
 * @example
 * wantsDisplay({ cmap: "viridis" }); // true
 */
export function wantsDisplay(options: DisplayOptions): boolean {
  return options.cmap !== undefined || options.vmin !== undefined || options.vmax !== undefined;
}

/**
 * Checks that an array can be shown with these options, before any value is read.
 *
 * @param shape The array's shape.
 * @param dtype The array's dtype.
 * @param options The options.
 * @returns Height, width and channels.
 * @throws {CodecError} `unprocessable`: a colormap on 3 or 4 channels, labels of a float
 *   array or with limits, a shape that is not an image.
 * @example
 * checkDisplay([4, 4], "float32", { cmap: "viridis" }); // { height: 4, width: 4, channels: 1 }
 */
export function checkDisplay(
  shape: readonly number[],
  dtype: Dtype,
  options: DisplayOptions,
): { height: number; width: number; channels: 1 | 3 | 4 } {
  const channels = shape.length === 2 ? 1 : shape[2];
  const image = (shape.length === 2 || shape.length === 3) &&
    (channels === 1 || channels === 3 || channels === 4) && shape[0] > 0 && shape[1] > 0;
  if (!image) {
    throw new CodecError(
      "unprocessable",
      "unsupported_shape",
      `shape ${formatShape(shape)} is not an image; send H×W or H×W×1 (gray), ` +
        `H×W×3 (RGB) or H×W×4 (RGBA), each axis at least 1`,
    );
  }
  if (options.cmap !== undefined && channels !== 1) {
    throw new CodecError(
      "unprocessable",
      "cmap_needs_one_channel",
      `a colormap maps one value per pixel, but shape ${formatShape(shape)} has ${channels} ` +
        `channels; send H×W or H×W×1, or leave out cmap (vmin/vmax alone rescale every channel)`,
    );
  }
  if (options.cmap === LABELS) {
    if (isFloat(dtype)) {
      throw new CodecError(
        "unprocessable",
        "labels_need_integers",
        `labels are integers, but the array is ${dtype}; send an integer or bool mask ` +
          `(arr.astype(np.int32)) or choose a colormap`,
      );
    }
    if (options.vmin !== undefined || options.vmax !== undefined) {
      throw new CodecError(
        "unprocessable",
        "labels_take_no_range",
        "labels have fixed colours; vmin and vmax apply to colormaps and rescaling",
      );
    }
  }
  return { height: shape[0], width: shape[1], channels: channels as 1 | 3 | 4 };
}

/**
 * The range shared by one or more arrays: each limit that is a number is taken as it is, a
 * percentile is taken over the finite values of all the arrays together, a missing limit
 * is their finite minimum or maximum.
 *
 * @param arrays The frames the range is for (one for a single image).
 * @param options `vmin` and `vmax`.
 * @returns The range. Both ends are NaN when a limit is autoscaled and no value is finite
 *   (a colormap then shows every pixel as the bad colour, as matplotlib does).
 * @throws {CodecError} `unprocessable` `invalid_range` when a limit was given and
 *   `vmin >= vmax`, or a percentile is asked of arrays without finite values;
 *   `unrepresentable_value` for int64/uint64 values beyond ±2^53.
 * @example
 * const a = { shape: [1, 3], dtype: "float32", data: new Float32Array([0, 5, 10]) } as const;
 * displayRange([a], { vmax: { percentile: 50 } }); // { vmin: 0, vmax: 5 }
 */
export function displayRange(
  arrays: readonly PixelArray[],
  options: Pick<DisplayOptions, "vmin" | "vmax">,
): DisplayRange {
  const { vmin: low, vmax: high } = options;
  if (low !== undefined && "value" in low && high !== undefined && "value" in high) {
    return checkedRange(low.value, high.value, options);
  }
  const asked = [options.vmin, options.vmax].flatMap((l) =>
    l !== undefined && "percentile" in l ? [l.percentile] : []
  );
  const dtype = arrays[0]?.dtype ?? "float64";
  const round = dtype === "float16"
    ? Math.f16round
    : dtype === "float32"
    ? Math.fround
    : (x: number) => x;
  const finite = finiteSummary(arrays.map(numericValues), asked, round);
  if (asked.length > 0 && finite.count === 0) {
    throw new CodecError(
      "unprocessable",
      "invalid_range",
      `p${asked[0]} needs finite values, but the array has none`,
    );
  }
  const limit = (given: Limit | undefined, fallback: number): number =>
    given === undefined
      ? fallback
      : "value" in given
      ? given.value
      : finite.percentiles.get(given.percentile) as number;
  return checkedRange(limit(options.vmin, finite.min), limit(options.vmax, finite.max), options);
}

/** The range, refused when a limit was given and `vmin >= vmax`. */
function checkedRange(
  vmin: number,
  vmax: number,
  options: Pick<DisplayOptions, "vmin" | "vmax">,
): DisplayRange {
  const given = options.vmin !== undefined || options.vmax !== undefined;
  if (given && !(vmin < vmax)) {
    throw new CodecError(
      "unprocessable",
      "invalid_range",
      `vmin (${vmin}) must be less than vmax (${vmax})${describeLimits(options)}`,
    );
  }
  return { vmin, vmax };
}

function describeLimits(options: Pick<DisplayOptions, "vmin" | "vmax">): string {
  const parts: string[] = [];
  for (const [name, limit] of [["vmin", options.vmin], ["vmax", options.vmax]] as const) {
    if (limit === undefined) parts.push(`${name} is the finite ${name.slice(1)}imum`);
    else if ("percentile" in limit) parts.push(`${name} is p${limit.percentile}`);
  }
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
}

/**
 * Maps one array to pixels with a range from {@linkcode displayRange}.
 *
 * @param array The array (checked by {@linkcode checkDisplay}).
 * @param range The range; ignored for labels.
 * @param options `cmap` and `background`.
 * @returns Indexed pixels for a colormap or labels (RGBA when more than 256 colours
 *   occur: a 256-colour map with NaN in an array that uses every colour), 8-bit channels
 *   for a rescale.
 * @throws {CodecError} As {@linkcode checkDisplay}; `unrepresentable_value` for int64
 *   and uint64 values beyond ±2^53.
 * @example
 * const a = { shape: [1, 2], dtype: "float64", data: new Float64Array([0, 1]) } as const;
 * mapDisplay(a, { vmin: 0, vmax: 1 }, { cmap: "gray" }).kind; // "indexed"
 */
export function mapDisplay(
  array: PixelArray,
  range: DisplayRange,
  options: DisplayOptions,
): DisplayPixels {
  const { width, height, channels } = checkDisplay(array.shape, array.dtype, options);
  if (options.cmap === LABELS) {
    return mapLabels(array, width, height, options.background ?? [0, 0, 0, 0]);
  }
  if (options.cmap !== undefined) return mapColormap(array, range, options.cmap, width, height);
  return { kind: "channels", width, height, channels, data: rescale(array, range) };
}

/**
 * {@linkcode displayRange} and {@linkcode mapDisplay} for one array.
 *
 * @param array The array.
 * @param options The mapping.
 * @returns The pixels.
 * @throws {CodecError} As the two steps.
 * @example
 * const a = { shape: [1, 2], dtype: "int16", data: new Int16Array([0, 20]) } as const;
 * renderDisplay(a, { cmap: "viridis" }).kind; // "channels"
 */
export function renderDisplay(array: PixelArray, options: DisplayOptions): DisplayPixels {
  const range = options.cmap === LABELS ? { vmin: NaN, vmax: NaN } : displayRange([array], options);
  return mapDisplay(array, range, options);
}

/** The precision matplotlib's `Normalize` computes in for a dtype. */
type WorkType = "float16" | "float32" | "float64";

/**
 * `Normalize.process_value`: float32 for bool and integers of up to 16 bits, float64 for
 * wider integers, the dtype itself for floats.
 */
function workType(dtype: Dtype): WorkType {
  switch (dtype) {
    case "float16":
    case "float32":
    case "float64":
      return dtype;
    case "int32":
    case "int64":
    case "uint32":
    case "uint64":
      return "float64";
    default:
      return "float32";
  }
}

function isFloat(dtype: Dtype): boolean {
  return dtype === "float16" || dtype === "float32" || dtype === "float64";
}

const TWO_32 = 2 ** 32;
/** int64 high words from -2^21 up to 2^21 - 1 hold exactly the values in [-2^53, 2^53). */
const HIGH_LIMIT = 2 ** 21;

/**
 * The values of an array as numbers; int64 and uint64 are converted exactly.
 *
 * @throws {CodecError} `unrepresentable_value` for a 64-bit value outside [-2^53, 2^53).
 */
function numericValues(array: PixelArray): NumericValues {
  const data = array.data;
  if (!(data instanceof BigInt64Array || data instanceof BigUint64Array)) return data;
  const words = new Int32Array(data.buffer, data.byteOffset, data.length * 2);
  const out = new Float64Array(data.length);
  const signed = array.dtype === "int64";
  for (let i = 0, w = 0; i < out.length; i++, w += 2) {
    const low = words[w] >>> 0;
    const high = signed ? words[w + 1] : words[w + 1] >>> 0;
    if (high >= HIGH_LIMIT || high < -HIGH_LIMIT) throw unrepresentable(array, i);
    out[i] = high * TWO_32 + low;
  }
  return out;
}

function unrepresentable(array: PixelArray, index: number): CodecError {
  return new CodecError(
    "unprocessable",
    "unrepresentable_value",
    `element ${index} of the ${array.dtype} array is ${array.data[index]}, beyond ±2^53 ` +
      `where a float64 (what matplotlib maps with) would change it; subtract an offset first`,
  );
}

/**
 * `cmap(Normalize(vmin, vmax)(x), bytes=True)` as matplotlib 3.6 computes it: each pixel's
 * row of the table (`n` colours, then under, over, bad). The rows used are then given
 * palette slots by colour (matplotlib's under and over colours are its first and last),
 * so that the image is indexed whenever at most 256 colours occur, else RGBA. A float32
 * array with a table whose colours all fit in a palette (viridis and most others) is written
 * as slots in the same pass, the palette holding every colour of the table: half the time of
 * finding the rows first, on a 1920×1080 depth map.
 */
function mapColormap(
  array: PixelArray,
  range: DisplayRange,
  name: string,
  width: number,
  height: number,
): DisplayPixels {
  const { n, lut } = colormap(name);
  const values = numericValues(array);
  const { vmin, vmax } = range;
  const whole = wholeTable(name, lut);
  if (whole !== undefined && values instanceof Float32Array && vmin !== vmax) {
    const indices = new Uint8Array(values.length);
    float32Slots(values, vmin, vmax, n, whole.slots, indices);
    return { kind: "indexed", width, height, indices, palette: whole.palette.slice() };
  }
  const rows = new Uint16Array(values.length);
  const used = new Uint8Array(n + 3);
  if (vmin === vmax) {
    // Normalize fills the result with 0 when the limits are equal: every pixel, NaN too.
    used[0] = 1;
  } else if (values instanceof Float32Array) {
    float32Rows(values, vmin, vmax, n, rows, used);
  } else {
    const work = workType(array.dtype);
    if (work === "float64") float64Rows(values, vmin, vmax, n, rows, used);
    else if (work === "float32") float32Rows(values, vmin, vmax, n, rows, used);
    else float16Rows(values, vmin, vmax, n, rows, used);
  }
  return tablePixels(rows, used, lut, width, height);
}

/**
 * Rows in float64, as `Normalize` computes for float64 and wide integers: `floor(x * n)` of
 * the normalized value `x`, `n - 1` at exactly 1, else under, over or bad. This loop and the
 * three below differ only in their rounding or in what they store; they are written out rather
 * than sharing one loop with the rounding passed in, which measured about a third slower on a
 * 1920×1080 map, or one function for a value's row, which measured 1.5 to 2 times slower.
 */
function float64Rows(
  values: NumericValues,
  vmin: number,
  vmax: number,
  n: number,
  rows: Uint16Array,
  used: Uint8Array,
): void {
  const under = n + UNDER;
  const over = n + OVER;
  const bad = n + BAD;
  const last = n - 1;
  const span = vmax - vmin;
  for (let i = 0; i < values.length; i++) {
    const x = ((values[i] - vmin) / span) * n;
    const r = x >= 0 && x < n ? x | 0 : x !== x ? bad : x < 0 ? under : x === n ? last : over;
    rows[i] = r;
    used[r] = 1;
  }
}

/** Rows in float32, each step rounded as NumPy's float32 arithmetic rounds it. */
function float32Rows(
  values: NumericValues,
  vmin: number,
  vmax: number,
  n: number,
  rows: Uint16Array,
  used: Uint8Array,
): void {
  const under = n + UNDER;
  const over = n + OVER;
  const bad = n + BAD;
  const last = n - 1;
  const low = Math.fround(vmin);
  const span = Math.fround(vmax - vmin);
  for (let i = 0; i < values.length; i++) {
    const x = Math.fround(Math.fround(Math.fround(values[i] - low) / span) * n);
    const r = x >= 0 && x < n ? x | 0 : x !== x ? bad : x < 0 ? under : x === n ? last : over;
    rows[i] = r;
    used[r] = 1;
  }
}

/** The rows of {@linkcode float32Rows}, written as their palette slots. */
function float32Slots(
  values: Float32Array,
  vmin: number,
  vmax: number,
  n: number,
  slots: Uint8Array,
  indices: Uint8Array,
): void {
  const under = n + UNDER;
  const over = n + OVER;
  const bad = n + BAD;
  const last = n - 1;
  const low = Math.fround(vmin);
  const span = Math.fround(vmax - vmin);
  for (let i = 0; i < values.length; i++) {
    const x = Math.fround(Math.fround(Math.fround(values[i] - low) / span) * n);
    const r = x >= 0 && x < n ? x | 0 : x !== x ? bad : x < 0 ? under : x === n ? last : over;
    indices[i] = slots[r];
  }
}

/** Rows in float16, for float16 arrays. */
function float16Rows(
  values: NumericValues,
  vmin: number,
  vmax: number,
  n: number,
  rows: Uint16Array,
  used: Uint8Array,
): void {
  const under = n + UNDER;
  const over = n + OVER;
  const bad = n + BAD;
  const last = n - 1;
  const low = Math.f16round(vmin);
  const span = Math.f16round(vmax - vmin);
  for (let i = 0; i < values.length; i++) {
    const x = Math.f16round(Math.f16round(Math.f16round(values[i] - low) / span) * n);
    const r = x >= 0 && x < n ? x | 0 : x !== x ? bad : x < 0 ? under : x === n ? last : over;
    rows[i] = r;
    used[r] = 1;
  }
}

/** A palette for some rows of a table: a slot per row used, equal colours sharing one. */
interface TablePalette {
  readonly slots: Uint8Array;
  readonly palette: Uint8Array<ArrayBuffer>;
}

/** Slots for the rows `used` marks, in row order, or undefined past 256 colours. */
function paletteFor(used: Uint8Array, lut: Uint8Array): TablePalette | undefined {
  const words = new Uint32Array(lut.buffer, lut.byteOffset, used.length);
  const slotOf = new Map<number, number>();
  const slots = new Uint8Array(used.length);
  for (let r = 0; r < used.length; r++) {
    if (used[r] === 0) continue;
    let slot = slotOf.get(words[r]);
    if (slot === undefined) {
      slot = slotOf.size;
      slotOf.set(words[r], slot);
    }
    slots[r] = slot;
  }
  if (slotOf.size > 256) return undefined;
  const palette = new Uint8Array(slotOf.size * 4);
  const paletteWords = new Uint32Array(palette.buffer);
  for (const [colour, slot] of slotOf) paletteWords[slot] = colour;
  return { slots, palette };
}

const wholeTables = new Map<string, TablePalette | undefined>();

/** The palette of every row of a colormap's table, when it fits (kept per colormap). */
function wholeTable(name: string, lut: Uint8Array): TablePalette | undefined {
  if (!wholeTables.has(name)) {
    wholeTables.set(name, paletteFor(new Uint8Array(lut.length / 4).fill(1), lut));
  }
  return wholeTables.get(name);
}

/** Pixels given as rows of an RGBA table: indexed when at most 256 colours are used. */
function tablePixels(
  rows: Uint16Array,
  used: Uint8Array,
  lut: Uint8Array,
  width: number,
  height: number,
): DisplayPixels {
  const table = paletteFor(used, lut);
  if (table === undefined) {
    const words = new Uint32Array(lut.buffer, lut.byteOffset, used.length);
    const rgba = new Uint32Array(rows.length);
    for (let i = 0; i < rows.length; i++) rgba[i] = words[rows[i]];
    return { kind: "channels", width, height, channels: 4, data: new Uint8Array(rgba.buffer) };
  }
  const { slots, palette } = table;
  const indices = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) indices[i] = slots[rows[i]];
  return { kind: "indexed", width, height, indices, palette };
}

/** `round(255 * (v - vmin) / (vmax - vmin))` clipped to 0–255, half to even; NaN → 0. */
function rescale(array: PixelArray, range: DisplayRange): Uint8Array<ArrayBuffer> {
  const values = numericValues(array);
  const out = new Uint8Array(values.length);
  const { vmin, vmax } = range;
  const scale = 255 / (vmax - vmin);
  for (let i = 0; i < values.length; i++) {
    const x = (values[i] - vmin) * scale;
    if (!(x > 0)) continue;
    if (x >= 255) {
      out[i] = 255;
      continue;
    }
    const r = Math.round(x);
    out[i] = r - x === 0.5 && (r & 1) === 1 ? r - 1 : r;
  }
  return out;
}

/** Colours of labels 1 to 20: matplotlib's tab10, then the lighter half of tab20. */
const LABEL_COLORS: readonly number[] = [
  0x1f77b4,
  0xff7f0e,
  0x2ca02c,
  0xd62728,
  0x9467bd,
  0x8c564b,
  0xe377c2,
  0x7f7f7f,
  0xbcbd22,
  0x17becf,
  0xaec7e8,
  0xffbb78,
  0x98df8a,
  0xff9896,
  0xc5b0d5,
  0xc49c94,
  0xf7b6d2,
  0xc7c7c7,
  0xdbdb8d,
  0x9edae5,
];

const GOLDEN = 0.6180339887498949;

/**
 * The opaque colour of a label other than 0: labels 1–20 take {@linkcode LABEL_COLORS};
 * any other k a hue stepped by the golden ratio from k, so neighbours differ.
 *
 * @param label The label.
 * @returns `[r, g, b]`.
 * @example
 * labelColor(1); // [31, 119, 180]
 */
export function labelColor(label: number): [number, number, number] {
  if (label >= 1 && label <= LABEL_COLORS.length) {
    const c = LABEL_COLORS[label - 1];
    return [c >> 16, (c >> 8) & 255, c & 255];
  }
  const h = (((label * GOLDEN) % 1) + 1) % 1;
  const s = 0.55 + 0.3 * (((label % 3) + 3) % 3) / 2;
  const v = 0.95 - 0.15 * (((label % 2) + 2) % 2);
  return hsvToRgb(h, s, v);
}

function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  const [r, g, b] = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]][i % 6];
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}

/** Labels to palette indices (at most 256 distinct labels) or RGBA. */
function mapLabels(
  array: PixelArray,
  width: number,
  height: number,
  background: readonly [number, number, number, number],
): DisplayPixels {
  const values = numericValues(array);
  const order: number[] = [];
  const seen = new Map<number, number>();
  const indices = new Uint8Array(values.length);
  let last = NaN;
  let lastIndex = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== last) {
      let index = seen.get(v);
      if (index === undefined) {
        index = order.length;
        seen.set(v, index);
        order.push(v);
      }
      last = v;
      lastIndex = index;
    }
    indices[i] = lastIndex;
  }
  const palette = new Uint8Array(order.length * 4);
  order.forEach((label, i) => {
    if (label === 0) palette.set(background, i * 4);
    else palette.set([...labelColor(label), 255], i * 4);
  });
  if (order.length <= 256) return { kind: "indexed", width, height, indices, palette };
  const rgba = new Uint32Array(values.length);
  const colours = new Uint32Array(palette.buffer);
  for (let i = 0; i < values.length; i++) rgba[i] = colours[seen.get(values[i]) ?? 0];
  return { kind: "channels", width, height, channels: 4, data: new Uint8Array(rgba.buffer) };
}

/**
 * RGBA pixels of indexed ones.
 *
 * @param pixels Indices and palette.
 * @returns `width * height * 4` bytes.
 * @example
 * expandIndexed({ kind: "indexed", width: 1, height: 1, indices: new Uint8Array([0]),
 *   palette: new Uint8Array([1, 2, 3, 255]) }); // Uint8Array [1, 2, 3, 255]
 */
export function expandIndexed(pixels: DisplayIndexed): Uint8Array<ArrayBuffer> {
  const colours = new Uint32Array(256);
  new Uint8Array(colours.buffer).set(pixels.palette);
  const out = new Uint32Array(pixels.indices.length);
  for (let i = 0; i < out.length; i++) out[i] = colours[pixels.indices[i]];
  return new Uint8Array(out.buffer);
}
