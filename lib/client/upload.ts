/**
 * `--data FILE`: a local array or image read for a POST, with the media type
 * pixserve reads it as.
 *
 * @module
 */

import { isNpy } from "../arrays/npy.ts";
import { isZip } from "../arrays/npz.ts";
import { fileExtension, MEDIA_TYPES, sniffImageFormat, TIFF_MEDIA_TYPE } from "../image/format.ts";
import { ARRAY_MEDIA_TYPES, OCTET_STREAM } from "../media_types.ts";

/** The media type sent for each file extension `--data` knows. */
export const DATA_MEDIA_TYPES: Readonly<Record<string, string>> = {
  ...ARRAY_MEDIA_TYPES,
  png: MEDIA_TYPES.png,
  jpg: MEDIA_TYPES.jpeg,
  jpeg: MEDIA_TYPES.jpeg,
  webp: MEDIA_TYPES.webp,
  gif: MEDIA_TYPES.gif,
  tif: TIFF_MEDIA_TYPE,
  tiff: TIFF_MEDIA_TYPE,
};

/**
 * The media type of a file to POST: from its extension, else from its first
 * bytes (image magic, `\x93NUMPY`, a zip, a JSON list), else
 * `application/octet-stream`.
 *
 * @param path The file's path or name.
 * @param bytes Its content (the first 16 bytes are enough).
 * @returns The `Content-Type` to send.
 * @example
 * ```ts
 * import { dataMediaType } from "./upload.ts";
 *
 * dataMediaType("gray.npy", new Uint8Array()); // "application/x-npy"
 * ```
 */
export function dataMediaType(path: string, bytes: Uint8Array): string {
  const extension = fileExtension(path)?.toLowerCase();
  const known = extension === undefined ? undefined : DATA_MEDIA_TYPES[extension];
  if (known !== undefined) return known;
  const image = sniffImageFormat(bytes);
  if (image !== undefined) return DATA_MEDIA_TYPES[image];
  if (isNpy(bytes)) return DATA_MEDIA_TYPES.npy;
  if (isZip(bytes)) return DATA_MEDIA_TYPES.npz;
  const text = new TextDecoder().decode(bytes.subarray(0, 16)).trimStart();
  return text.startsWith("[") ? DATA_MEDIA_TYPES.json : OCTET_STREAM;
}

/** A body ready to POST. */
export interface DataBody {
  /** The file's bytes. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Its `Content-Type`. */
  readonly contentType: string;
}

/**
 * Reads a file to POST with `--data`.
 *
 * @param path The absolute path.
 * @returns Its bytes and media type.
 * @throws {Deno.errors.NotFound} No such file.
 * @example
 * ```ts
 * import { readDataFile } from "./upload.ts";
 *
 * const { bytes, contentType } = await readDataFile("fixtures/arrays/gray_u8.npy");
 * console.log(bytes.length, contentType); // 152 "application/x-npy"
 * ```
 */
export async function readDataFile(path: string): Promise<DataBody> {
  const bytes = await Deno.readFile(path);
  return { bytes, contentType: dataMediaType(path, bytes) };
}
