/**
 * NumPy's `.npy` format (versions 1.0, 2.0 and 3.0): a magic string, a
 * Python-literal header `{'descr': '<u2', 'fortran_order': False, 'shape': (4, 5), }`
 * and the raw elements.
 *
 * Reading takes little- and big-endian data in C or Fortran order and
 * returns it C-ordered in this machine's byte order (a little-endian uint8
 * C-order file is returned without copying). Writing produces exactly the
 * bytes `np.save` writes: version 1.0, C order, the header padded to 64 bytes.
 *
 * @module
 */

import { CodecError } from "../codec_error.ts";
import {
  allocate,
  type Dtype,
  elementCount,
  formatShape,
  ITEM_SIZES,
  type PixelArray,
  unsupportedDtype,
} from "./types.ts";
import { viewElements } from "./raw.ts";

/** The six bytes every `.npy` file starts with: `\x93NUMPY`. */
export const NPY_MAGIC: Uint8Array<ArrayBuffer> = new Uint8Array([
  0x93,
  0x4e,
  0x55,
  0x4d,
  0x50,
  0x59,
]);

/** NumPy's own cap on the header (`np.load(max_header_size=10000)`). */
export const MAX_NPY_HEADER_BYTES = 10000;

/** Header alignment and spare room, as NumPy writes them. */
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;

/** `descr` of each dtype as `np.save` writes it on a little-endian machine. */
const DESCR: Readonly<Record<Dtype, string>> = {
  uint8: "|u1",
  bool: "|b1",
  uint16: "<u2",
  float32: "<f4",
  float64: "<f8",
  int8: "|i1",
  int16: "<i2",
  int32: "<i4",
  int64: "<i8",
  uint32: "<u4",
  uint64: "<u8",
  float16: "<f2",
};

/** The dtype of each `.npy` type code pixserve reads (kind and item size). */
const DTYPE_CODES: Readonly<Record<string, Dtype>> = {
  u1: "uint8",
  b1: "bool",
  "?": "bool",
  u2: "uint16",
  f4: "float32",
  f8: "float64",
  i1: "int8",
  i2: "int16",
  i4: "int32",
  i8: "int64",
  u4: "uint32",
  u8: "uint64",
  f2: "float16",
};

/** NumPy names of the type codes pixserve does not read, for error messages. */
const OTHER_TYPES: Readonly<Record<string, string>> = {
  f16: "float128",
  c8: "complex64",
  c16: "complex128",
  c32: "complex256",
  O: "object",
  O8: "object",
  M8: "datetime64",
  m8: "timedelta64",
};

/**
 * Whether bytes start with the `.npy` magic string.
 *
 * @param bytes The start of a body.
 * @returns `true` for `\x93NUMPY…`.
 * @example
 * ```ts
 * import { encodeNpy, isNpy } from "./npy.ts";
 *
 * isNpy(encodeNpy({ shape: [1], dtype: "uint8", data: new Uint8Array([1]) })); // true
 * ```
 */
export function isNpy(bytes: Uint8Array): boolean {
  return NPY_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Reads a `.npy` file.
 *
 * @param bytes The whole file.
 * @returns The array, C order, native byte order.
 * @throws {CodecError} malformed `invalid_npy`: no magic string, an unknown version, a
 *   truncated or malformed header, or data whose length disagrees with the header.
 * @throws {Unprocessable} `unsupported_dtype` naming a dtype that is not a real
 *   number (complex, object, strings, structured, datetime, float128).
 * @example
 * ```ts
 * import { parseNpy } from "./npy.ts";
 *
 * const array = parseNpy(await Deno.readFile("fixtures/arrays/rgb_u8.npy"));
 * array.shape; // [4, 6, 3]
 * ```
 */
export function parseNpy(bytes: Uint8Array): PixelArray {
  if (!isNpy(bytes)) {
    throw invalidNpy("the body does not start with the .npy magic string \\x93NUMPY");
  }
  const { header, dataOffset } = readHeaderText(bytes);
  const { descr, fortranOrder, shape } = parseHeader(header);
  const { dtype, bigEndian } = parseDescr(descr);
  const count = elementCount(shape);
  const expected = count * ITEM_SIZES[dtype];
  const actual = bytes.length - dataOffset;
  if (!Number.isSafeInteger(expected) || expected !== actual) {
    throw invalidNpy(
      `the header declares shape ${formatShape(shape)} of ${descr}, ${expected} bytes of data, ` +
        `but ${actual} bytes follow it`,
    );
  }
  let data = viewElements(bytes.subarray(dataOffset), dtype, bigEndian);
  if (fortranOrder && shape.length > 1) data = fortranToC(data, shape, dtype);
  return { shape, dtype, data };
}

/** The header text of a `.npy` file and where its data starts. */
function readHeaderText(bytes: Uint8Array): { header: string; dataOffset: number } {
  if (bytes.length < 10) throw invalidNpy("the file ends inside its header");
  const major = bytes[6];
  const minor = bytes[7];
  if (![1, 2, 3].includes(major) || minor !== 0) {
    throw invalidNpy(
      `format version ${major}.${minor} is not one NumPy writes (1.0, 2.0 or 3.0)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) throw invalidNpy("the file ends inside its header");
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (length > MAX_NPY_HEADER_BYTES) {
    throw invalidNpy(
      `the header is ${length} bytes, more than NumPy's limit of ${MAX_NPY_HEADER_BYTES}`,
    );
  }
  if (bytes.length < prefix + length) {
    throw invalidNpy(
      `the header declares ${length} bytes but the file ends after ${bytes.length - prefix}`,
    );
  }
  const raw = bytes.subarray(prefix, prefix + length);
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(raw);
  if (!header.endsWith("\n")) throw invalidNpy("the header does not end with a newline");
  return { header, dataOffset: prefix + length };
}

/** The three fields of a header. */
interface NpyHeader {
  descr: PyValue;
  fortranOrder: boolean;
  shape: number[];
}

/** A Python literal as headers use them. */
type PyValue = string | number | boolean | PyValue[] | { [key: string]: PyValue };

function parseHeader(text: string): NpyHeader {
  const reader = new PyLiteralReader(text);
  const value = reader.readAll();
  if (typeof value !== "object" || Array.isArray(value)) {
    throw invalidNpy("the header is not a Python dict");
  }
  const keys = Object.keys(value).sort().join(", ");
  if (keys !== "descr, fortran_order, shape") {
    throw invalidNpy(`the header has keys ${keys}; it needs descr, fortran_order and shape`);
  }
  const { descr, fortran_order: fortranOrder, shape } = value;
  if (typeof fortranOrder !== "boolean") {
    throw invalidNpy("fortran_order in the header is not True or False");
  }
  if (
    !Array.isArray(shape) ||
    !shape.every((d): d is number => typeof d === "number" && Number.isSafeInteger(d) && d >= 0)
  ) {
    throw invalidNpy("shape in the header is not a tuple of non-negative integers");
  }
  if (reader.lists.has(shape)) {
    throw new CodecError(
      "malformed",
      "invalid_npy",
      `invalid .npy file: shape in the header is the list [${shape.join(", ")}]; ` +
        "NumPy writes and reads only a tuple",
    );
  }
  return { descr, fortranOrder, shape };
}

/** The dtype and byte order of a `descr`. */
function parseDescr(descr: PyValue): { dtype: Dtype; bigEndian: boolean } {
  if (typeof descr !== "string") {
    throw unsupportedDtype(`structured (descr ${JSON.stringify(descr)})`);
  }
  const match = /^([<>|=]?)([a-zA-Z?])(\d*)(\[.*\])?$/.exec(descr);
  if (match === null) throw invalidNpy(`descr ${JSON.stringify(descr)} is not a NumPy dtype`);
  const [, order, kind, size] = match;
  const code = kind + size;
  const dtype: Dtype | undefined = DTYPE_CODES[code];
  if (dtype === undefined) {
    const name = OTHER_TYPES[code] ?? OTHER_TYPES[kind] ??
      ({ S: "bytes", a: "bytes", U: "str", V: "void" } as Record<string, string>)[kind] ?? code;
    throw unsupportedDtype(`${name} ('${descr}')`);
  }
  // "=" is the native order, which is little-endian wherever Deno runs.
  return { dtype, bigEndian: order === ">" };
}

/** Fortran (column-major) elements reordered to C (row-major) order. */
function fortranToC(
  src: PixelArray["data"],
  shape: readonly number[],
  dtype: Dtype,
): PixelArray["data"] {
  const dst = allocate(dtype, src.length);
  const ndim = shape.length;
  const strides = new Array<number>(ndim);
  for (let k = 0, s = 1; k < ndim; k++) {
    strides[k] = s;
    s *= shape[k];
  }
  const index = new Array<number>(ndim).fill(0);
  let offset = 0;
  for (let c = 0; c < dst.length; c++) {
    dst[c] = src[offset];
    for (let k = ndim - 1; k >= 0; k--) {
      offset += strides[k];
      if (++index[k] < shape[k]) break;
      offset -= strides[k] * shape[k];
      index[k] = 0;
    }
  }
  return dst;
}

/**
 * The header `np.save` writes for an array: version 1.0, C order, padded to 64 bytes.
 *
 * @param shape Axis lengths.
 * @param dtype The element type, written little-endian.
 * @returns The magic string, header length and header, ready for the data.
 * @example
 * ```ts
 * import { npyHeader } from "./npy.ts";
 *
 * npyHeader([512, 512, 3], "uint8").length; // 128
 * ```
 */
export function npyHeader(shape: readonly number[], dtype: Dtype): Uint8Array<ArrayBuffer> {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${tuple}, }`;
  if (shape.length > 0) dict += " ".repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  const length = dict.length + 1;
  const pad = ARRAY_ALIGN - ((NPY_MAGIC.length + 4 + length) % ARRAY_ALIGN);
  const out = new Uint8Array(NPY_MAGIC.length + 4 + length + pad);
  out.set(NPY_MAGIC);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, length + pad, true);
  out.set(new TextEncoder().encode(dict + " ".repeat(pad) + "\n"), 10);
  return out;
}

/**
 * Writes an array as a `.npy` file, byte for byte what `np.save` writes.
 *
 * @param array Any array; multi-byte dtypes are written little-endian.
 * @returns The file: header and one copy of the data.
 * @example
 * ```ts
 * import { encodeNpy, parseNpy } from "./npy.ts";
 *
 * const npy = encodeNpy({ shape: [2, 2], dtype: "uint8", data: new Uint8Array([0, 1, 2, 3]) });
 * parseNpy(npy).shape; // [2, 2]
 * ```
 */
export function encodeNpy(array: PixelArray): Uint8Array<ArrayBuffer> {
  const header = npyHeader(array.shape, array.dtype);
  const data = array.data;
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(header.length + raw.length);
  out.set(header);
  out.set(raw, header.length);
  return out;
}

function invalidNpy(detail: string): CodecError {
  return new CodecError("malformed", "invalid_npy", `invalid .npy file: ${detail}`);
}

/** Reads the Python literals of a `.npy` header: dicts, tuples, lists, strings, ints, booleans. */
class PyLiteralReader {
  /** The values read from `[…]` rather than `(…)`: NumPy takes a shape only as a tuple. */
  readonly lists: WeakSet<PyValue[]> = new WeakSet();
  #i = 0;
  #depth = 0;

  constructor(readonly text: string) {}

  readAll(): PyValue {
    const value = this.#value();
    this.#skipSpace();
    if (this.#i !== this.text.length) this.#fail("unexpected text after the dict");
    return value;
  }

  #value(): PyValue {
    this.#skipSpace();
    const c = this.text[this.#i];
    if (c === "'" || c === '"') return this.#string(c);
    if (c === "{" || c === "(" || c === "[") {
      if (++this.#depth > 8) this.#fail("nested too deeply");
      const value = c === "{" ? this.#dict() : this.#sequence(c === "(" ? ")" : "]");
      if (c === "[" && Array.isArray(value)) this.lists.add(value);
      this.#depth--;
      return value;
    }
    const word = /^(True|False|-?\d+L?)/.exec(this.text.slice(this.#i, this.#i + 32));
    if (word === null) return this.#fail("expected a Python literal");
    this.#i += word[0].length;
    if (word[0] === "True") return true;
    if (word[0] === "False") return false;
    return Number(word[0].replace("L", ""));
  }

  #string(quote: string): string {
    const end = this.text.indexOf(quote, this.#i + 1);
    if (end === -1) this.#fail("a string is not closed");
    const value = this.text.slice(this.#i + 1, end);
    if (value.includes("\\")) this.#fail("escapes in strings are not read");
    this.#i = end + 1;
    return value;
  }

  #dict(): { [key: string]: PyValue } {
    const dict: { [key: string]: PyValue } = {};
    this.#i++;
    for (;;) {
      this.#skipSpace();
      if (this.text[this.#i] === "}") break;
      const key = this.#value();
      if (typeof key !== "string") this.#fail("dict keys must be strings");
      this.#skipSpace();
      if (this.text[this.#i] !== ":") this.#fail("expected ':'");
      this.#i++;
      dict[key] = this.#value();
      this.#skipSpace();
      if (this.text[this.#i] === ",") this.#i++;
      else if (this.text[this.#i] !== "}") this.#fail("expected ',' or '}'");
    }
    this.#i++;
    return dict;
  }

  #sequence(close: string): PyValue[] {
    const items: PyValue[] = [];
    this.#i++;
    for (;;) {
      this.#skipSpace();
      if (this.text[this.#i] === close) break;
      items.push(this.#value());
      this.#skipSpace();
      if (this.text[this.#i] === ",") this.#i++;
      else if (this.text[this.#i] !== close) this.#fail(`expected ',' or '${close}'`);
    }
    this.#i++;
    return items;
  }

  #skipSpace(): void {
    while (/\s/.test(this.text[this.#i] ?? "")) this.#i++;
  }

  #fail(why: string): never {
    throw invalidNpy(`header ${JSON.stringify(this.text.trim())}: ${why} at character ${this.#i}`);
  }
}
