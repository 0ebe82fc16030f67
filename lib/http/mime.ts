/**
 * Media types from file extensions, looked up in `npm:mime` (the IANA and
 * Apache databases of `mime-db`), never a hand-written list.
 *
 * @module
 */

import mime from "mime";
import { OCTET_STREAM } from "../media_types.ts";

/**
 * The `Content-Type` for a file name, from its extension (any case).
 *
 * @param name A file name or path.
 * @returns The media type, or `application/octet-stream` when the extension is unknown or absent.
 * @example
 * ```ts
 * import { mediaTypeOf } from "./mime.ts";
 *
 * mediaTypeOf("scan.TIFF"); // "image/tiff"
 * mediaTypeOf("data.unknownext"); // "application/octet-stream"
 * ```
 */
export function mediaTypeOf(name: string): string {
  return mime.getType(name) ?? OCTET_STREAM;
}
