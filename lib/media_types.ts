/**
 * Media types that server, codecs and client share, written once: the array
 * containers and the type of bytes of no particular kind. Image formats have
 * theirs in `lib/image/format.ts`.
 *
 * @module
 */

/** Bytes of no particular type; also what pixserve reads raw pixel bytes as. */
export const OCTET_STREAM = "application/octet-stream";

/**
 * The media type of each array container pixserve reads or writes, by its file extension.
 *
 * @example
 * ```ts
 * import { ARRAY_MEDIA_TYPES } from "./media_types.ts";
 *
 * console.log(ARRAY_MEDIA_TYPES.npy); // "application/x-npy"
 * ```
 */
export const ARRAY_MEDIA_TYPES = {
  json: "application/json",
  npy: "application/x-npy",
  npz: "application/zip",
} as const;
