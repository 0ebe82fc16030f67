/**
 * `--data FILE`: a local array or image read for a POST, with the media type
 * pixserve reads it as.
 *
 * @module
 */

import { MEDIA_TYPES, sniffImageFormat } from "../image/format.ts";

/** The media type sent for each file extension `--data` knows. */
export const DATA_MEDIA_TYPES: Readonly<Record<string, string>> = {
  npy: "application/x-npy",
  npz: "application/zip",
  json: "application/json",
  png: MEDIA_TYPES.png,
  jpg: MEDIA_TYPES.jpeg,
  jpeg: MEDIA_TYPES.jpeg,
  webp: MEDIA_TYPES.webp,
  gif: MEDIA_TYPES.gif,
  tif: "image/tiff",
  tiff: "image/tiff",
};

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/**
 * The media type of a file to POST: from its extension, else from its first
 * bytes (image magic, `\x93NUMPY`, a zip, a JSON list), else
 * `application/octet-stream`.
 *
 * @param path The file's path or name.
 * @param bytes Its content (the first 16 bytes are enough).
 * @returns The `Content-Type` to send.
 * @example
 * dataMediaType("gray.npy", new Uint8Array()); // "application/x-npy"
 */
export function dataMediaType(path: string, bytes: Uint8Array): string {
  const extension = /\.([^./\\]+)$/.exec(path)?.[1].toLowerCase();
  const known = extension === undefined ? undefined : DATA_MEDIA_TYPES[extension];
  if (known !== undefined) return known;
  const image = sniffImageFormat(bytes);
  if (image !== undefined) return DATA_MEDIA_TYPES[image];
  if (startsWith(bytes, NPY_MAGIC)) return DATA_MEDIA_TYPES.npy;
  if (startsWith(bytes, ZIP_MAGIC)) return DATA_MEDIA_TYPES.npz;
  const text = new TextDecoder().decode(bytes.subarray(0, 16)).trimStart();
  return text.startsWith("[") ? DATA_MEDIA_TYPES.json : "application/octet-stream";
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
 * const { bytes, contentType } = await readDataFile("/home/me/gray.npy");
 */
export async function readDataFile(path: string): Promise<DataBody> {
  const bytes = await Deno.readFile(path);
  return { bytes, contentType: dataMediaType(path, bytes) };
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}
