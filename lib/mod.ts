/**
 * pixserve as a library: serve pixel arrays and image files correctly from
 * your own `Deno.serve` handler.
 *
 * @example
 * ```ts
 * import { imageResponse, sampleImage } from "./mod.ts";
 *
 * const handler = (request: Request) =>
 *   imageResponse(sampleImage(), { format: "png", filename: "test.png", request });
 * const res = await handler(new Request("http://localhost/test.png"));
 * console.log(res.headers.get("content-type")); // "image/png"
 * ```
 *
 * @module
 */

export * from "./http/mod.ts";
export * from "./arrays/mod.ts";
export * from "./image/mod.ts";
export * from "./files/mod.ts";
export {
  encodedHeaders,
  type EncodedImage,
  encodedResponse,
  encodeImage,
  type ImageHeaderOptions,
  imageResponse,
  type ImageResponseOptions,
  tagBytes,
} from "./responses.ts";
export { readBody, type ReadBodyOptions } from "./body.ts";
export { DecodePool, type DecodePoolOptions } from "./pool/decode_pool.ts";
export { declaredBodyBytes, InflightBytes, OpenResponses, rgbaBytes } from "./inflight.ts";
export {
  checkQueryNames,
  createRouter,
  type Handler,
  type Method,
  type QueryParam,
  type Route,
  type RouteContext,
  type RouteDoc,
  type RouteResponse,
  type RouterOptions,
} from "./router.ts";
export {
  type ApiInfo,
  type ExpandedPath,
  expandPath,
  type Json,
  openApiDocument,
} from "./openapi.ts";
export { type MetricsShare, RequestMetrics } from "./metrics/metrics.ts";
export {
  type BoardTotals,
  MetricsBoard,
  type Observation,
  type Scalar,
  SCALARS,
} from "./metrics/board.ts";
export { type MemoEntry, type MemoHit, ResponseMemo } from "./response_memo.ts";
export { type AppOptions, createApp } from "./app.ts";
export type { LogEntry } from "./log.ts";
export { type Config, ConfigError, loadConfig } from "./config.ts";
export {
  createServices,
  type Encoder,
  type PixelEncoder,
  type Services,
  type ServicesOptions,
} from "./services.ts";
export { type IsolateServer, serveAll, serveIsolate, stopAll } from "./serve.ts";
export {
  type HubLink,
  type HubMessage,
  type LiveFrame,
  STREAM_NAME,
  StreamHub,
  StreamHubError,
  type StreamHubErrorReason,
  type StreamHubOptions,
  type StreamStatus,
  StreamViewer,
} from "./streams/hub.ts";
export {
  boundaryOf,
  MJPEG_BOUNDARY,
  MJPEG_CONTENT_TYPE,
  mjpegEnd,
  type MjpegPart,
  mjpegPart,
  MjpegReader,
  mjpegStart,
} from "./streams/mjpeg.ts";
export { mjpegBody } from "./streams/watch.ts";
export { TooManyRequests } from "./errors.ts";
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
