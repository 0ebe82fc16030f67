/**
 * `--array`: an answer that is a pixel array (a JSON nested list, `.npy` or
 * `.npz`) rebuilt as an image and saved in the format of the `-o` extension.
 *
 * @module
 */

import type { Image } from "imagescript";
import { arrayToImage } from "../arrays/convert.ts";
import { parseArrayJson } from "../arrays/json.ts";
import { isNpy, parseNpy } from "../arrays/npy.ts";
import { isZip, parseNpz } from "../arrays/npz.ts";
import { formatShape, type PixelArray } from "../arrays/types.ts";
import { CodecError } from "../codec_error.ts";
import { encode } from "../image/encode.ts";
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

/** An array answer rebuilt as an image. */
export interface RebuiltImage {
  /** The array as the answer held it. */
  readonly array: PixelArray;
  /** Its pixels as an image. */
  readonly image: Image;
}

/**
 * Reads an array answer (`.npy` or `.npz` by their magic bytes, else a JSON
 * nested list) and builds its image: H×W gray, H×W×3 RGB or H×W×4 RGBA.
 *
 * @param bytes The answer's body.
 * @param contentType Its `Content-Type`, named in the error when nothing fits.
 * @returns The array and its image.
 * @throws {NotAnImageArray} Not an array, or not one with an image's shape and dtype.
 * @example
 * ```ts
 * import { rebuildImage } from "./array.ts";
 *
 * const jsonBytes = new TextEncoder().encode("[[0, 255], [255, 0]]");
 * const { array, image } = rebuildImage(jsonBytes, "application/json");
 * console.log(array.shape, image.width); // [2, 2] 2
 * ```
 */
export function rebuildImage(bytes: Uint8Array, contentType: string | null): RebuiltImage {
  try {
    const array = readArray(bytes, contentType);
    return { array, image: arrayToImage(array) };
  } catch (err) {
    if (err instanceof CodecError) throw new NotAnImageArray(err.message);
    throw err;
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
 * Rebuilds an array answer's image and encodes it for the output path, with
 * ImageScript (the client's permissions hold no native codec but it).
 *
 * @param bytes The answer's body.
 * @param contentType Its `Content-Type`.
 * @param path The `-o` path; its extension picks the format.
 * @returns The array, its image, the format and the encoded bytes.
 * @throws {NotAnImageArray} The answer is not an image array, or the extension no format.
 * @example
 * ```ts
 * import { encodeArrayAnswer } from "./array.ts";
 *
 * const npyBytes = await Deno.readFile("fixtures/arrays/rgb_u8.npy");
 * const { encoded } = await encodeArrayAnswer(npyBytes, "application/x-npy", "out.png");
 * console.log(encoded.length > 0); // true: PNG bytes, ready to write to out.png
 * ```
 */
export async function encodeArrayAnswer(
  bytes: Uint8Array,
  contentType: string | null,
  path: string,
): Promise<RebuiltImage & { format: ImageFormat; encoded: Uint8Array<ArrayBuffer> }> {
  const format = outputFormat(path);
  const rebuilt = rebuildImage(bytes, contentType);
  const encoded = await encode(rebuilt.image, format, { backend: "imagescript" });
  return { ...rebuilt, format, encoded };
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

function readArray(bytes: Uint8Array, contentType: string | null): PixelArray {
  if (isNpy(bytes)) return parseNpy(bytes);
  if (isZip(bytes)) return parseNpz(bytes);
  const type = contentType?.split(";")[0].trim().toLowerCase() ?? "";
  const text = new TextDecoder().decode(bytes.subarray(0, 16)).replace(/^\uFEFF/, "").trimStart();
  if (type === ARRAY_MEDIA_TYPES.json || text.startsWith("[")) return parseArrayJson(bytes);
  throw new NotAnImageArray(
    `the answer (${type || "no Content-Type"}) is not a JSON nested list, .npy or .npz`,
  );
}
