/**
 * pixserve as a library: serve pixel arrays and image files correctly from
 * your own `Deno.serve` handler.
 *
 * @example
 * ```ts
 * import { imageResponse, sampleImage } from "./lib/mod.ts";
 *
 * Deno.serve((req) =>
 *   imageResponse(sampleImage(), { format: "png", filename: "test.png", request: req })
 * );
 * ```
 *
 * @module
 */

export {
  encodedHeaders,
  type EncodedImage,
  encodedResponse,
  encodeImage,
  type ImageHeaderOptions,
  imageResponse,
  type ImageResponseOptions,
  notModified,
  notModifiedHeaders,
  RETAINED_304_HEADERS,
  tagBytes,
} from "./responses.ts";
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
} from "./image/encode.ts";
export {
  formatFromExtension,
  type ImageFormat,
  MEDIA_TYPES,
  sniffImageFormat,
} from "./image/format.ts";
export { sampleImage } from "./image/sample.ts";
export { ByteLruCache } from "./image/cache.ts";
export {
  asciiFallback,
  checkFilename,
  contentDisposition,
  type DispositionType,
} from "./http/disposition.ts";
export { etagOf, ifNoneMatchHits, parseEtagList, weakMatch } from "./http/conditional.ts";
export {
  BadRequest,
  type ErrorBody,
  HttpError,
  MethodNotAllowed,
  NotFound,
  PayloadTooLarge,
  toErrorResponse,
  Unprocessable,
  UnsupportedMediaType,
} from "./errors.ts";
export { createRouter, type Handler, type Route, type RouteContext } from "./router.ts";
export { type MemoEntry, type MemoHit, ResponseMemo } from "./response_memo.ts";
export { createApp } from "./app.ts";
export { type Config, loadConfig } from "./config.ts";
export {
  arrayToChannels,
  arrayToImage,
  type ArrayToImageOptions,
  imageToArray,
  type ImageToArrayOptions,
} from "./arrays/convert.ts";
export {
  allocate,
  checkDtype,
  type Dtype,
  DTYPES,
  elementCount,
  type PixelArray,
} from "./arrays/types.ts";
export {
  type ArrayMode,
  type ChannelOrder,
  type ImageShape,
  imageShape,
  toUint8,
} from "./arrays/layout.ts";
export { encodeArrayJson, parseArrayJson } from "./arrays/json.ts";
export { encodeNpy, isNpy, npyHeader, parseNpy } from "./arrays/npy.ts";
export { isZip, listNpz, type NpzMember, type NpzOptions, parseNpz } from "./arrays/npz.ts";
export { parseRawArray, parseShapeParam } from "./arrays/raw.ts";
export { readBody } from "./body.ts";
export {
  byteChunks,
  DEFAULT_CHUNK_SIZE,
  fileResponse,
  type FileResponseOptions,
  MAX_CHUNK_SIZE,
  type MediaFile,
  MIN_CHUNK_SIZE,
  planFileResponse,
  resolveMediaPath,
  streamResponse,
  type StreamResponseOptions,
} from "./files.ts";
export {
  type ByteRange,
  coalesceRanges,
  contentRange,
  MAX_RANGES,
  parseRange,
  type RangeDecision,
  unsatisfiedRange,
} from "./http/range.ts";
export { type ByterangesLayout, byterangesLayout } from "./http/multipart.ts";
export {
  type ConditionOutcome,
  evaluatePreconditions,
  fileEtag,
  httpDate,
  ifMatchHolds,
  ifRangeHolds,
  parseHttpDate,
  strongMatch,
  type Validators,
} from "./http/conditional.ts";
export { mediaTypeOf } from "./http/mime.ts";
export { decodeSourceImage, readSourceHeader } from "./image/source.ts";
export { PreconditionFailed, RangeNotSatisfiable } from "./errors.ts";
export {
  type ArrayBodyKind,
  arrayBodyKind,
  type ArrayBodyOptions,
  parseArrayBody,
} from "./arrays/parse.ts";
export { crc32, encodePng, packPixels, type PngColorType, pngColorType } from "./image/png.ts";
export { encodeGif, GIF_MAX_SIDE, type GifPalette, gifPalette } from "./image/gif.ts";
export { EncodePool, type EncodePoolOptions, RETRY_AFTER_SECONDS } from "./image/pool.ts";
export { ServiceUnavailable } from "./errors.ts";
export { createServices, type Services, type ServicesOptions } from "./services.ts";
export { type IsolateServer, serveAll, serveIsolate, stopAll } from "./serve.ts";
export {
  type Fit,
  FITS,
  IDENTITY_TRANSFORM,
  planResize,
  type Position,
  POSITIONS,
  type Rect,
  type ResizePlan,
  transformPixels,
  type TransformSpec,
} from "./image/transform.ts";
export { hasValidSignature, signedText, signUrl } from "./http/signature.ts";
export { readTransform, TRANSFORM_PARAMS, transformKey } from "./http/transform_params.ts";
export { decodeUpright, probeSource, type SourceInfo } from "./image/variant.ts";
export type { SourceFormat } from "./image/source.ts";
export type { QueryParam } from "./router.ts";
