/**
 * `--array`: reading a pixel array (a JSON nested list, `.npy` or `.npz`, an answer or a
 * file) and the format of the `-o` extension it is saved in.
 *
 * @module
 */

import { parseArrayJson } from "../arrays/json.ts";
import { isNpy, parseNpy } from "../arrays/npy.ts";
import { isZip, parseNpz } from "../arrays/npz.ts";
import { formatShape, type PixelArray } from "../arrays/types.ts";
import { ARRAY_MEDIA_TYPES } from "../media_types.ts";
import { fileExtension, formatFromExtension, type ImageFormat } from "../image/format.ts";

/**
 * An array answer that cannot become an image; the client prints it and exits 1.
 *
 * @example
 * ```ts
 * import { NotAnImageArray } from "./array.ts";
 *
 * const err = new NotAnImageArray("the answer (text/html) is not a JSON nested list, .npy or .npz");
 * console.log(err.message);
 * ```
 */
export class NotAnImageArray extends Error {
  /**
   * Creates a `NotAnImageArray`.
   *
   * @param message one line saying why
   */
  constructor(message: string) {
    super(message);
    this.name = "NotAnImageArray";
  }
}

/**
 * The image format an output path names by its extension.
 *
 * @param path The `-o` path.
 * @returns The format.
 * @throws {NotAnImageArray} The extension is not `.png`, `.jpg`, `.jpeg`, `.webp` or `.gif`.
 * @example
 * ```ts
 * import { outputFormat } from "./array.ts";
 *
 * outputFormat("out/picture.JPG"); // "jpeg"
 * ```
 */
export function outputFormat(path: string): ImageFormat {
  const extension = fileExtension(path);
  const format = extension === undefined ? undefined : formatFromExtension(extension);
  if (format === undefined) {
    throw new NotAnImageArray(`${path} does not end with .png, .jpg, .jpeg, .webp or .gif`);
  }
  return format;
}

/**
 * A line describing an array: NumPy's shape and the dtype.
 *
 * @param array The array.
 * @returns E.g. `(512, 512, 3) uint8`.
 * @example
 * ```ts
 * import { describeArray } from "./array.ts";
 *
 * describeArray({ shape: [2, 2], dtype: "uint8", data: new Uint8Array(4) }); // "(2, 2) uint8"
 * ```
 */
export function describeArray(array: PixelArray): string {
  return `${formatShape(array.shape)} ${array.dtype}`;
}

/**
 * Reads array bytes: `.npy` or `.npz` by their magic bytes, else a JSON nested list when the
 * media type says so or the text starts like one.
 *
 * @param bytes An answer's body or a file's bytes.
 * @param contentType The answer's `Content-Type`; `null` for a file.
 * @param source What the bytes are, for the message, e.g. `depth.npy`; an answer is named
 *   by its media type.
 * @returns The array.
 * @throws {NotAnImageArray} The bytes are none of these.
 * @throws {CodecError} A malformed `.npy`, `.npz` or JSON list.
 * @example
 * ```ts
 * import { readArray } from "./array.ts";
 *
 * readArray(new TextEncoder().encode("[[0, 255]]"), null, "list.json").shape; // [1, 2]
 * ```
 */
export function readArray(
  bytes: Uint8Array,
  contentType: string | null,
  source: string,
): PixelArray {
  if (isNpy(bytes)) return parseNpy(bytes);
  if (isZip(bytes)) return parseNpz(bytes);
  const type = contentType?.split(";")[0].trim().toLowerCase() ?? "";
  const text = new TextDecoder().decode(bytes.subarray(0, 16)).replace(/^\uFEFF/, "").trimStart();
  if (type === ARRAY_MEDIA_TYPES.json || text.startsWith("[")) return parseArrayJson(bytes);
  throw new NotAnImageArray(`${source} is not a JSON nested list, .npy or .npz`);
}
