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
  type EncodedImage,
  encodedResponse,
  encodeImage,
  type ImageHeaderOptions,
  imageResponse,
  type ImageResponseOptions,
  RETAINED_304_HEADERS,
  tagBytes,
} from "./responses.ts";
export { checkQuality, encode, type EncodeOptions } from "./image/encode.ts";
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
export { createApp } from "./app.ts";
export { type Config, loadConfig } from "./config.ts";
