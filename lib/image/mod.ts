/**
 * pixserve's image codecs, free of HTTP: encoders (PNG, JPEG, WebP, GIF),
 * the source decoder (PNG, JPEG, GIF, TIFF), formats and their magic bytes,
 * the conversions between arrays and images, and the byte-bounded cache.
 *
 * @example
 * ```ts
 * import { encode, sampleImage, sniffImageFormat } from "./mod.ts";
 *
 * const png = await encode(sampleImage(16, 16), "png");
 * console.log(sniffImageFormat(png)); // "png"
 * ```
 *
 * @module
 */

export { CodecError, type CodecErrorKind } from "../codec_error.ts";
export {
  type ChannelPixels,
  checkQuality,
  checkSize,
  DEFAULT_JPEG_QUALITY,
  encode,
  type EncodeOptions,
  encodePixels,
  ENCODER_BACKENDS,
  type EncoderBackend,
  MAX_SIDE,
  pixelsOf,
  type RgbaPixels,
  toRgba,
} from "./encode.ts";
export {
  fileExtension,
  FORMAT_EXTENSIONS,
  formatFromExtension,
  IMAGE_FORMATS,
  type ImageFormat,
  MEDIA_TYPES,
  sniffImageFormat,
  TIFF_MEDIA_TYPE,
} from "./format.ts";
export { SAMPLE_SIZE, sampleImage } from "./sample.ts";
export { ByteLruCache, type Sized } from "./cache.ts";
export {
  decodeSourceImage,
  readSourceHeader,
  type SourceFormat,
  type SourceHeader,
} from "./source.ts";
export { encodePng, type PngColorType, pngColorType } from "./png.ts";
export { encodeGif, GIF_MAX_SIDE, type GifPalette, gifPalette } from "./gif.ts";
export {
  arrayToChannels,
  arrayToImage,
  type ArrayToImageOptions,
  imageToArray,
  type ImageToArrayOptions,
} from "../arrays/convert.ts";
export { encodeIndexedPng } from "./png_indexed.ts";
export { type DisplayJob, encodeDisplay } from "./display_job.ts";
export { type AnimationTiming, DEFAULT_TIMING } from "./animate.ts";
export { type DecodeArrayOptions, type DecodedArray, decodeImageArray } from "./decode_array.ts";
