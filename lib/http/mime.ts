/**
 * Media types from file extensions, looked up in `npm:mime` (the IANA and
 * Apache databases of `mime-db`), never a hand-written list.
 *
 * @module
 */

import mime from "mime";

/** The type sent when the extension is unknown or absent. */
export const FALLBACK_MEDIA_TYPE = "application/octet-stream";

/**
 * The `Content-Type` for a file name, from its extension (any case).
 *
 * @param name A file name or path.
 * @returns The media type, or {@linkcode FALLBACK_MEDIA_TYPE}.
 * @example
 * mediaTypeOf("scan.TIFF"); // "image/tiff"
 * mediaTypeOf("data.unknownext"); // "application/octet-stream"
 */
export function mediaTypeOf(name: string): string {
  return mime.getType(name) ?? FALLBACK_MEDIA_TYPE;
}
