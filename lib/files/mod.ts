/**
 * Files from disk as responses, free of the image and array codecs: sized
 * ({@linkcode fileResponse}: validators, conditional requests, ranges),
 * chunked ({@linkcode streamResponse}), and the lookup of a request path
 * under a media root that no request can leave ({@linkcode resolveMediaPath}).
 *
 * @example
 * ```ts
 * import { streamResponse } from "./mod.ts";
 *
 * const res = await streamResponse(new Uint8Array(3000), { chunkSize: 1024 });
 * console.log((await res.bytes()).length); // 3000
 * ```
 *
 * @module
 */

export { DEFAULT_CHUNK_SIZE } from "./disk.ts";
export {
  type FileFacts,
  type FilePlan,
  fileResponse,
  type FileResponseOptions,
  planFileResponse,
} from "./sized.ts";
export {
  byteChunks,
  MAX_CHUNK_SIZE,
  MIN_CHUNK_SIZE,
  streamResponse,
  type StreamResponseOptions,
} from "./chunked.ts";
export { decodeMediaPath, type MediaFile, resolveMediaPath } from "./media_path.ts";
