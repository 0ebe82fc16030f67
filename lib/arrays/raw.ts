/**
 * Raw pixel bytes with an explicit shape and dtype, as `arr.tobytes()` writes
 * them: C order, multi-byte dtypes little-endian (`arr.astype("<u2").tobytes()`).
 *
 * @module
 */

import { CodecError } from "../codec_error.ts";
import {
  type Dtype,
  elementCount,
  formatShape,
  ITEM_SIZES,
  type PixelArray,
  viewStorage,
} from "./types.ts";

/**
 * Reads raw element bytes as an array.
 *
 * @param bytes `shape` multiplied out elements of `dtype`, C order, little-endian.
 * @param shape Axis lengths.
 * @param dtype The element type.
 * @returns The array (no copy when the bytes are aligned and need no swap).
 * @throws {CodecError} malformed `invalid_raw` when the byte count disagrees with shape and dtype.
 * @example
 * ```ts
 * import { parseRawArray } from "./raw.ts";
 *
 * parseRawArray(new Uint8Array(12), [2, 2, 3], "uint8").shape; // [2, 2, 3]
 * ```
 */
export function parseRawArray(
  bytes: Uint8Array,
  shape: readonly number[],
  dtype: Dtype,
): PixelArray {
  const count = elementCount(shape);
  const expected = count * ITEM_SIZES[dtype];
  if (bytes.length !== expected) {
    throw new CodecError(
      "malformed",
      "invalid_raw",
      `shape ${
        formatShape(shape)
      } of ${dtype} is ${expected} bytes, but the body has ${bytes.length}`,
    );
  }
  return { shape: [...shape], dtype, data: viewElements(bytes, dtype, false) };
}

/**
 * Raw bytes as the typed array of a dtype, in this machine's byte order.
 *
 * @param raw Exactly the element bytes.
 * @param dtype The element type.
 * @param bigEndian Whether multi-byte elements are stored big-endian.
 * @returns A view of `raw` when it is aligned and in native order, else a converted copy.
 * @example
 * ```ts
 * import { viewElements } from "./raw.ts";
 *
 * viewElements(new Uint8Array([1, 0]), "uint16", false); // Uint16Array [1]
 * ```
 */
export function viewElements(
  raw: Uint8Array,
  dtype: Dtype,
  bigEndian: boolean,
): PixelArray["data"] {
  const size = ITEM_SIZES[dtype];
  if (size === 1) {
    return dtype === "int8" ? viewStorage(dtype, raw.buffer, raw.byteOffset, raw.length) : raw;
  }
  // Deno runs on little-endian CPUs only (x86-64, arm64): big-endian data is swapped.
  const swap = bigEndian;
  const bytes = swap || raw.byteOffset % size !== 0 ? raw.slice() : raw;
  if (swap) {
    for (let i = 0; i < bytes.length; i += size) {
      for (let a = i, b = i + size - 1; a < b; a++, b--) {
        const t = bytes[a];
        bytes[a] = bytes[b];
        bytes[b] = t;
      }
    }
  }
  return viewStorage(dtype, bytes.buffer, bytes.byteOffset, bytes.length / size);
}
