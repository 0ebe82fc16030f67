/**
 * Raw pixel bytes with an explicit shape and dtype, as `arr.tobytes()` writes
 * them: C order, multi-byte dtypes little-endian (`arr.astype("<u2").tobytes()`).
 *
 * @module
 */

import { BadRequest } from "../errors.ts";
import {
  type Dtype,
  elementCount,
  formatShape,
  ITEM_SIZES,
  type PixelArray,
  viewStorage,
} from "./types.ts";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Reads a shape written `H,W` or `H,W,C` (spaces and a trailing comma allowed).
 *
 * @param text The parameter value, e.g. `512,512,3`.
 * @param name The parameter's name, for the message.
 * @returns The axis lengths.
 * @throws {BadRequest} `invalid_parameter` unless it is 1 to 3 positive integers.
 * @example
 * parseShapeParam("512, 512, 3"); // [512, 512, 3]
 */
export function parseShapeParam(text: string, name = "shape"): number[] {
  const parts = text.split(",").map((s) => s.trim());
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  const shape = parts.map((s) => (/^\d{1,15}$/.test(s) ? Number(s) : NaN));
  if (shape.length < 1 || shape.length > 3 || !shape.every((d) => d >= 1)) {
    throw new BadRequest(
      "invalid_parameter",
      `${name} must be H,W or H,W,C in positive integers, got ${JSON.stringify(text)}`,
    );
  }
  return shape;
}

/**
 * Reads raw element bytes as an array.
 *
 * @param bytes `shape` multiplied out elements of `dtype`, C order, little-endian.
 * @param shape Axis lengths.
 * @param dtype The element type.
 * @returns The array (no copy when the bytes are aligned and need no swap).
 * @throws {BadRequest} `invalid_raw` when the byte count disagrees with shape and dtype.
 * @example
 * parseRawArray(new Uint8Array(12), [2, 2, 3], "uint8").shape; // [2, 2, 3]
 */
export function parseRawArray(
  bytes: Uint8Array,
  shape: readonly number[],
  dtype: Dtype,
): PixelArray {
  const count = elementCount(shape);
  const expected = count * ITEM_SIZES[dtype];
  if (bytes.length !== expected) {
    throw new BadRequest(
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
 * viewElements(new Uint8Array([1, 0]), "uint16", false); // Uint16Array [1]
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
  const swap = bigEndian === LITTLE_ENDIAN;
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

/**
 * Whether this machine stores multi-byte numbers little-endian.
 *
 * @returns `true` on x86-64 and arm64 as Deno runs them.
 * @example
 * isLittleEndian(); // true
 */
export function isLittleEndian(): boolean {
  return LITTLE_ENDIAN;
}
