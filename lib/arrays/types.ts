/**
 * The array type every codec reads and writes: a shape, a dtype and the
 * values in C (row-major) order, in this machine's byte order.
 *
 * @module
 */

import { CodecError } from "../codec_error.ts";

/**
 * The element types pixserve reads: every real NumPy dtype. `uint8` is the one it writes;
 * `int64`/`uint64` are held as 64-bit integers and `float16` as `Float16Array`.
 */
export type Dtype =
  | "uint8"
  | "bool"
  | "uint16"
  | "float32"
  | "float64"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint32"
  | "uint64"
  | "float16";

/** Every {@linkcode Dtype}, in the order error messages list them. */
export const DTYPES: readonly Dtype[] = [
  "uint8",
  "bool",
  "uint16",
  "float32",
  "float64",
  "int8",
  "int16",
  "int32",
  "int64",
  "uint32",
  "uint64",
  "float16",
];

/** The typed array that holds each dtype's values (`bool`: one byte, 0 or not). */
export interface DtypeStorage {
  /** One byte per element. */
  uint8: Uint8Array;
  /** One byte per element: 0 is false, anything else true. */
  bool: Uint8Array;
  /** Two bytes per element, native byte order. */
  uint16: Uint16Array;
  /** Four bytes per element, native byte order. */
  float32: Float32Array;
  /** Eight bytes per element, native byte order. */
  float64: Float64Array;
  /** One byte per element, signed. */
  int8: Int8Array;
  /** Two bytes per element, signed, native byte order. */
  int16: Int16Array;
  /** Four bytes per element, signed, native byte order. */
  int32: Int32Array;
  /** Eight bytes per element, signed, native byte order. */
  int64: BigInt64Array;
  /** Four bytes per element, native byte order. */
  uint32: Uint32Array;
  /** Eight bytes per element, native byte order. */
  uint64: BigUint64Array;
  /** Two bytes per element, IEEE half precision, native byte order. */
  float16: Float16Array;
}

/** Bytes per element of each dtype. */
export const ITEM_SIZES: Readonly<Record<Dtype, number>> = {
  uint8: 1,
  bool: 1,
  uint16: 2,
  float32: 4,
  float64: 8,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint32: 4,
  uint64: 8,
  float16: 2,
};

/**
 * An n-dimensional array: `data[i]` is the element at the C-order flat index `i`.
 *
 * @example
 * ```ts
 * import { PixelArray } from "./types.ts";
 *
 * const gray: PixelArray = { shape: [2, 2], dtype: "uint8", data: new Uint8Array([0, 64, 128, 255]) };
 * ```
 */
export interface PixelArray {
  /** Length of each axis, outermost first: `[height, width]` or `[height, width, channels]`. */
  readonly shape: readonly number[];
  /** The element type. */
  readonly dtype: Dtype;
  /** `shape` multiplied out elements, C order, native byte order. */
  readonly data: DtypeStorage[Dtype];
}

/** The typed arrays whose elements are JavaScript numbers: every dtype but int64 and uint64. */
export type NumberStorage = Exclude<DtypeStorage[Dtype], BigInt64Array | BigUint64Array>;

/**
 * An array's elements as numbers, for the steps that compute with them directly (16-bit
 * widening, frame ranges, channel conversion).
 *
 * @param array Any array.
 * @returns Its data, when its elements are numbers.
 * @throws {CodecError} unprocessable `unsupported_dtype` for int64 and uint64, whose elements
 *   are bigints.
 * @example
 * ```ts
 * import { numberData } from "./types.ts";
 *
 * numberData({ shape: [2], dtype: "uint8", data: new Uint8Array([1, 2]) }); // Uint8Array [1, 2]
 * ```
 */
export function numberData(array: PixelArray): NumberStorage {
  const data = array.data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw new CodecError(
      "unprocessable",
      "unsupported_dtype",
      `${array.dtype} values are not read here; show them with a colormap or vmin/vmax`,
    );
  }
  return data;
}

/**
 * A zeroed typed array for `count` elements of a dtype.
 *
 * @param dtype The element type.
 * @param count Elements.
 * @returns `Uint8Array` for uint8 and bool, else `Uint16Array`, `Float32Array`, `Float64Array`.
 * @example
 * ```ts
 * import { allocate } from "./types.ts";
 *
 * allocate("float32", 3); // Float32Array [0, 0, 0]
 * ```
 */
export function allocate(dtype: Dtype, count: number): PixelArray["data"] {
  return new STORAGE[dtype](count);
}

/** The typed-array constructor of each dtype. */
const STORAGE = {
  uint8: Uint8Array,
  bool: Uint8Array,
  uint16: Uint16Array,
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  float16: Float16Array,
} as const;

/**
 * The elements of a dtype viewed over bytes, without copying.
 *
 * @param dtype The element type.
 * @param buffer The bytes' buffer.
 * @param byteOffset Where the elements start: a multiple of the item size.
 * @param count Elements.
 * @returns The typed array of {@linkcode DtypeStorage} for the dtype.
 * @example
 * viewStorage("int16", new ArrayBuffer(4), 0, 2); // Int16Array [0, 0]
 */
export function viewStorage(
  dtype: Dtype,
  buffer: ArrayBufferLike,
  byteOffset: number,
  count: number,
): PixelArray["data"] {
  // A SharedArrayBuffer is as good as an ArrayBuffer here; the union of constructors wants one.
  return new STORAGE[dtype](buffer as ArrayBuffer, byteOffset, count);
}

/**
 * The number of elements a shape holds.
 *
 * @param shape Axis lengths.
 * @returns Their product (1 for the empty shape of a scalar).
 * @example
 * ```ts
 * import { elementCount } from "./types.ts";
 *
 * elementCount([512, 512, 3]); // 786432
 * ```
 */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * A shape as NumPy prints it.
 *
 * @param shape Axis lengths.
 * @returns `(512, 512, 3)`, `(5,)` or `()`.
 * @example
 * ```ts
 * import { formatShape } from "./types.ts";
 *
 * formatShape([5]); // "(5,)"
 * ```
 */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/**
 * An index path as Python writes it.
 *
 * @param index One index per axis, outermost first.
 * @returns `[12][7][2]`.
 * @example
 * ```ts
 * import { formatPath } from "./types.ts";
 *
 * formatPath([12, 7, 2]); // "[12][7][2]"
 * ```
 */
export function formatPath(index: readonly number[]): string {
  return index.map((i) => `[${i}]`).join("");
}

/**
 * The index path of a C-order flat index.
 *
 * @param flat The flat index.
 * @param shape Axis lengths.
 * @returns One index per axis.
 * @example
 * ```ts
 * import { unravelIndex } from "./types.ts";
 *
 * unravelIndex(5, [2, 3]); // [1, 2]
 * ```
 */
export function unravelIndex(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = flat % shape[axis];
    flat = Math.floor(flat / shape[axis]);
  }
  return index;
}

/**
 * The dtype a name stands for.
 *
 * @param name One of {@linkcode DTYPES}, e.g. `float32` or `int16`.
 * @returns The dtype.
 * @throws {CodecError} unprocessable `unsupported_dtype` naming it and listing the supported ones.
 * @example
 * ```ts
 * import { checkDtype } from "./types.ts";
 *
 * checkDtype("float32"); // "float32"
 * ```
 */
export function checkDtype(name: string): Dtype {
  if ((DTYPES as readonly string[]).includes(name)) return name as Dtype;
  throw unsupportedDtype(name);
}

/**
 * The error for an element type pixserve does not read.
 *
 * @param name The dtype as the sender named it, e.g. `int64 ('<i8')`.
 * @returns An unprocessable `unsupported_dtype` error listing the supported dtypes.
 * @example
 * ```ts
 * import { unsupportedDtype } from "./types.ts";
 *
 * const err = unsupportedDtype("int64");
 * console.log(err.message);
 * ```
 */
export function unsupportedDtype(name: string): CodecError {
  return new CodecError(
    "unprocessable",
    "unsupported_dtype",
    `dtype ${name} is not supported; send one of ${DTYPES.join(", ")}`,
  );
}
