/**
 * pixserve's array codecs, free of HTTP and of the image encoders: NumPy's
 * `.npy` and `.npz`, JSON nested lists, raw bytes, and the layouts that turn
 * arrays into pixels. Every failure is a {@linkcode CodecError}.
 *
 * @example
 * ```ts
 * import { encodeNpy, parseNpy } from "./mod.ts";
 *
 * const npy = encodeNpy({ shape: [2, 2], dtype: "uint8", data: new Uint8Array([0, 1, 2, 3]) });
 * console.log(parseNpy(npy).shape); // [2, 2]
 * ```
 *
 * @module
 */

export { CodecError, type CodecErrorKind } from "../codec_error.ts";
export { ARRAY_MEDIA_TYPES } from "../media_types.ts";
export {
  allocate,
  checkDtype,
  type Dtype,
  DTYPES,
  type DtypeStorage,
  elementCount,
  type PixelArray,
} from "./types.ts";
export {
  type ArrayMode,
  type ChannelOrder,
  type ImageShape,
  imageShape,
  toUint8,
} from "./layout.ts";
export { encodeArrayJson, parseArrayJson } from "./json.ts";
export { encodeNpy, isNpy, npyHeader, parseNpy } from "./npy.ts";
export { isZip, listNpz, type NpzMember, type NpzOptions, parseNpz } from "./npz.ts";
export { parseRawArray } from "./raw.ts";
export {
  type ArrayBodyKind,
  arrayBodyKind,
  type ArrayBodyOptions,
  parseArrayBody,
} from "./parse.ts";
export {
  checkDisplay,
  type DisplayChannels,
  type DisplayIndexed,
  type DisplayOptions,
  type DisplayPixels,
  type DisplayRange,
  displayRange,
  expandIndexed,
  labelColor,
  LABELS,
  type Limit,
  mapDisplay,
  renderDisplay,
  wantsDisplay,
} from "./display.ts";
export { colorbar, type Colormap, colormap, COLORMAP_NAMES, isColormap } from "./colormaps.ts";
