/**
 * pixserve's HTTP pieces, free of the image and array codecs: byte ranges,
 * conditional requests, `Content-Disposition`, media types, representation
 * headers and the typed HTTP errors with their one mapping to responses.
 *
 * @example
 * ```ts
 * import { parseRange } from "./mod.ts";
 *
 * console.log(parseRange("bytes=0-99", 1000)); // { kind: "partial", ranges: [{ start: 0, end: 99 }] }
 * ```
 *
 * @module
 */

export {
  type ByteRange,
  coalesceRanges,
  contentRange,
  type IgnoredRangeReason,
  MAX_RANGES,
  parseRange,
  type RangeDecision,
  unsatisfiedRange,
} from "./range.ts";
export { type BytePart, type ByterangesLayout, byterangesLayout } from "./multipart.ts";
export {
  type ConditionOutcome,
  etagOf,
  evaluatePreconditions,
  fileEtag,
  httpDate,
  ifMatchHolds,
  ifNoneMatchHits,
  ifRangeHolds,
  parseEtagList,
  parseHttpDate,
  strongMatch,
  type Validators,
  weakMatch,
} from "./conditional.ts";
export {
  asciiFallback,
  checkFilename,
  contentDisposition,
  type DispositionType,
} from "./disposition.ts";
export { mediaTypeOf } from "./mime.ts";
export {
  notModified,
  notModifiedHeaders,
  publicCache,
  representationHeaders,
  type RepresentationOptions,
  representationResponse,
  RETAINED_304_HEADERS,
} from "./representation.ts";
export {
  BadRequest,
  CODEC_ERROR_STATUS,
  type ErrorBody,
  HttpError,
  MethodNotAllowed,
  NotFound,
  PayloadTooLarge,
  PreconditionFailed,
  RangeNotSatisfiable,
  ServiceUnavailable,
  toErrorResponse,
  Unprocessable,
  UnsupportedMediaType,
} from "../errors.ts";
