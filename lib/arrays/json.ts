/**
 * Pixel arrays as JSON nested lists, `[[[r, g, b], …], …]`: what
 * `json.dumps(arr.tolist())` writes. Integers 0–255 read as `uint8` (what
 * `np.asarray(json, dtype=np.uint8)` reads); any other number makes the array `int64`
 * when every value is an integer within ±2^53, else `float64`, as `np.asarray(json)`
 * would (so `json.dumps(depth.tolist())` of a float depth map arrives as float64).
 *
 * Both directions work on UTF-8 bytes, never on JavaScript arrays of arrays:
 * the encoder writes digits straight into one buffer, the parser checks the
 * JSON grammar and the array's shape in a single pass and writes each value
 * into a `Uint8Array`, widened to a `Float64Array` at the first value that is not
 * an integer 0–255 (`1.0` and `1e2` count as integers, as in JSON's number model).
 *
 * @module
 */

import { CodecError } from "../codec_error.ts";
import { formatPath, type PixelArray } from "./types.ts";

const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const COMMA = 0x2c;
const ZERO = 0x30;

/** Nesting deeper than this is not an image (H×W×C at most). */
const MAX_PIXEL_DEPTH = 3;

/**
 * Writes a uint8 array as compact JSON nested lists (no spaces), UTF-8.
 *
 * @param array A `uint8` array of any shape.
 * @returns The JSON bytes, e.g. `[[[255,0,0],[0,0,0]]]`.
 * @throws {CodecError} unprocessable: `unsupported_dtype` for any dtype other than `uint8`.
 * @example
 * ```ts
 * import { encodeArrayJson } from "./json.ts";
 *
 * const json = encodeArrayJson({ shape: [1, 2], dtype: "uint8", data: new Uint8Array([7, 255]) });
 * new TextDecoder().decode(json); // "[[7,255]]"
 * ```
 */
export function encodeArrayJson(array: PixelArray): Uint8Array<ArrayBuffer> {
  if (array.dtype !== "uint8") {
    throw new CodecError(
      "unprocessable",
      "unsupported_dtype",
      `JSON arrays are uint8; convert the ${array.dtype} array first`,
    );
  }
  const data = array.data as Uint8Array;
  const shape = array.shape;
  if (data.length === 0 || shape.length === 0) {
    return new TextEncoder().encode(JSON.stringify(nestedEmpty(shape, data)));
  }
  const out = new Uint8Array(maxJsonLength(shape) + 3);
  const view = new DataView(out.buffer);
  const ndim = shape.length;
  const inner = shape[ndim - 1];
  const lists = ndim > 1 ? shape[ndim - 2] : 1;
  const index = new Array<number>(ndim).fill(0);
  let p = 0;
  let list = 0;
  for (let k = 0; k < ndim; k++) out[p++] = OPEN;
  for (let start = 0; start < data.length; start += inner) {
    for (let i = start, end = start + inner; i < end; i++) {
      const v = data[i];
      view.setUint32(p, VALUE_WORDS[v], true);
      p += VALUE_WORD_LENGTHS[v];
    }
    out[p - 1] = CLOSE;
    if (++list < lists) {
      out[p++] = COMMA;
      out[p++] = OPEN;
      continue;
    }
    list = 0;
    let axis = ndim - 2;
    while (axis >= 0 && (axis === ndim - 2 || ++index[axis] === shape[axis])) {
      index[axis--] = 0;
      out[p++] = CLOSE;
    }
    if (axis >= 0) {
      out[p++] = COMMA;
      for (let k = axis + 1; k < ndim; k++) out[p++] = OPEN;
    }
  }
  return out.subarray(0, p);
}

/** A scalar, or an array with no elements, as nested lists (no hot path needed). */
function nestedEmpty(shape: readonly number[], data: Uint8Array): unknown {
  if (shape.length === 0) return data[0];
  return Array.from({ length: shape[0] }, () => nestedEmpty(shape.slice(1), data));
}

/**
 * Each byte value's digits and a comma as one little-endian word, written
 * with a single 4-byte store (the unused high bytes are overwritten by the
 * next value), and how many of its bytes count.
 */
const VALUE_WORDS = new Uint32Array(256);
const VALUE_WORD_LENGTHS = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  const text = `${v},`;
  VALUE_WORD_LENGTHS[v] = text.length;
  for (let k = text.length - 1; k >= 0; k--) {
    VALUE_WORDS[v] = (VALUE_WORDS[v] << 8) | text.charCodeAt(k);
  }
}

/** The byte length of the compact JSON of a shape when every value has three digits. */
function maxJsonLength(shape: readonly number[]): number {
  let lists = 0;
  let separators = 0;
  let outer = 1;
  for (const n of shape) {
    lists += outer;
    separators += outer * (n - 1);
    outer *= n;
  }
  return 3 * outer + 2 * lists + separators;
}

function items(n: number): string {
  return n === 1 ? "1 item" : `${n} items`;
}

/** Byte classes of the scanner. */
const WHITESPACE = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WHITESPACE[c] = 1;

const DECODER = new TextDecoder();

const ARRAY = 1;
const OBJECT = 2;

/**
 * Parses a JSON nested list of numbers into an array (`uint8` for integers 0–255,
 * else `int64` or `float64`), checking the JSON grammar and the shape in one pass.
 *
 * The shape is read from the first element at each depth; every later list
 * must match it. A problem with the array is reported only when the whole
 * body is valid JSON, so malformed JSON is always a 400.
 *
 * @param bytes UTF-8 JSON (a leading byte-order mark is skipped).
 * @returns The array; `shape` has one axis per level of nesting.
 * @throws {BadRequest} `invalid_json`: empty or malformed JSON, naming the byte offset.
 * @throws {Unprocessable} `ragged_array` (lists of unequal length, a list where a
 *   number belongs or the reverse), `invalid_value` (not a number) or
 *   `unsupported_shape` (not a list, or nested deeper than 3), each naming the
 *   first offending index path such as `[12][7][2]`.
 * @example
 * ```ts
 * import { parseArrayJson } from "./json.ts";
 *
 * parseArrayJson(new TextEncoder().encode("[[1, 2], [3, 4]]"));
 * // { shape: [2, 2], dtype: "uint8", data: Uint8Array [1, 2, 3, 4] }
 * ```
 */
export function parseArrayJson(bytes: Uint8Array): PixelArray {
  return new ArrayJsonScanner(bytes).parse();
}

/** One pass over JSON bytes: grammar, shape and values together. */
class ArrayJsonScanner {
  readonly #b: Uint8Array;
  #i = 0;
  /** Container kinds, innermost last; `#depth` of them are open. */
  readonly #stack: Uint8Array;
  #depth = 0;
  /** Depth of the values: the number of `[` the body starts with. */
  #ndim = 0;
  /** Learnt axis lengths, -1 until the first list at that depth closes. */
  readonly #shape: number[] = [];
  /** Index of the current element in each open list of the pixel structure. */
  readonly #index: number[] = [];
  readonly #out: Uint8Array;
  /** The values as float64, once one is not an integer 0–255. */
  #wide: Float64Array | undefined;
  /** Whether every value so far is an integer within ±2^53. */
  #integers = true;
  #n = 0;
  /** The first problem with the array; once set, only the grammar is checked. */
  #problem: CodecError | undefined;

  constructor(bytes: Uint8Array) {
    this.#b = bytes;
    this.#stack = new Uint8Array(bytes.length + 1);
    this.#out = new Uint8Array((bytes.length >> 1) + 1);
  }

  parse(): PixelArray {
    const b = this.#b;
    if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.#i = 3;
    this.#skipWhitespace();
    if (this.#i >= b.length) {
      throw new CodecError("malformed", "invalid_json", "the JSON body is empty");
    }
    this.#countDepth();
    let expectValue = this.#problem === undefined ? this.#fastScan() : true;
    for (;;) {
      if (expectValue) expectValue = !this.#value();
      else {
        this.#skipWhitespace();
        if (this.#depth === 0) break;
        expectValue = this.#afterValue();
      }
    }
    if (this.#i !== b.length) this.#syntax("the end of the body after the JSON value");
    if (this.#problem !== undefined) throw this.#problem;
    const wide = this.#wide;
    if (wide === undefined) {
      return { shape: this.#shape, dtype: "uint8", data: this.#out.slice(0, this.#n) };
    }
    const values = wide.slice(0, this.#n);
    if (!this.#integers) return { shape: this.#shape, dtype: "float64", data: values };
    return { shape: this.#shape, dtype: "int64", data: BigInt64Array.from(values, BigInt) };
  }

  /**
   * The hot path: lists, plain integers 0–255 and whitespace, in local
   * variables. At the first byte it does not handle (another kind of value,
   * a sign, fraction or exponent, a list of the wrong length or depth,
   * malformed JSON) it stops before it, leaving the state where the general
   * scanner resumes. Returns whether a value is expected next.
   */
  #fastScan(): boolean {
    const b = this.#b;
    const out = this.#out;
    const stack = this.#stack;
    const shape = this.#shape;
    const index = this.#index;
    const ndim = this.#ndim;
    let i = this.#i;
    let depth = 0;
    let n = 0;
    let expectValue = true;
    scan: for (;;) {
      while (WHITESPACE[b[i]] === 1) i++;
      let c = b[i];
      if (c === OPEN) {
        if (depth >= ndim) break;
        let j = i + 1;
        while (WHITESPACE[b[j]] === 1) j++;
        if (b[j] === CLOSE) break;
        stack[depth] = ARRAY;
        index[depth++] = 0;
        i = j;
        continue;
      }
      if (c < ZERO || c > 0x39 || depth !== ndim) break;
      let j = i + 1;
      let v = c - ZERO;
      if (v !== 0) {
        while ((c = b[j]) >= ZERO && c <= 0x39 && v < 256) {
          v = v * 10 + (c - ZERO);
          j++;
        }
      }
      c = b[j];
      if (v > 255 || (c >= ZERO && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45) break;
      out[n++] = v;
      i = j;
      expectValue = false;
      for (;;) {
        while (WHITESPACE[b[i]] === 1) i++;
        c = b[i];
        if (c === COMMA) {
          i++;
          index[depth - 1]++;
          expectValue = true;
          continue scan;
        }
        if (c !== CLOSE) break scan;
        const length = index[depth - 1] + 1;
        const axis = depth - 1;
        if (shape[axis] === -1) shape[axis] = length;
        else if (shape[axis] !== length) break scan;
        i++;
        if (--depth === 0) break scan;
      }
    }
    this.#i = i;
    this.#depth = depth;
    this.#n = n;
    return expectValue;
  }

  /** Reads the depth of the values from the leading `[`s, without consuming them. */
  #countDepth(): void {
    const b = this.#b;
    let i = this.#i;
    while (b[i] === OPEN) {
      this.#ndim++;
      i++;
      while (WHITESPACE[b[i]] === 1) i++;
    }
    if (this.#ndim === 0) {
      this.#fail(
        new CodecError(
          "unprocessable",
          "unsupported_shape",
          `the JSON body is ${this.#kindAt(this.#i)}, not a nested list of pixel values`,
        ),
      );
    } else if (this.#ndim > MAX_PIXEL_DEPTH) {
      this.#fail(
        new CodecError(
          "unprocessable",
          "unsupported_shape",
          `the JSON lists are nested ${this.#ndim} deep; an image is H×W or H×W×C (at most 3)`,
        ),
      );
    }
    for (let d = 0; d < this.#ndim; d++) {
      this.#shape.push(-1);
      this.#index.push(0);
    }
  }

  /**
   * Consumes the start of one value: a whole scalar or empty container
   * (returns `true`), or the opening of a container whose first element
   * comes next (returns `false`).
   */
  #value(): boolean {
    this.#skipWhitespace();
    const c = this.#b[this.#i];
    if (c === OPEN) return this.#open(ARRAY);
    if (c >= ZERO && c <= 0x39 || c === 0x2d) this.#number();
    else if (c === 0x7b) {
      this.#wrongKind();
      return this.#open(OBJECT);
    } else if (c === 0x22) {
      this.#wrongKind();
      this.#string();
    } else if (c === 0x74) this.#literal("true");
    else if (c === 0x66) this.#literal("false");
    else if (c === 0x6e) this.#literal("null");
    else this.#syntax("a JSON value");
    return true;
  }

  /**
   * After a value, inside a container: a separator (returns `true`: a value
   * comes next) or the container's end (returns `false`).
   */
  #afterValue(): boolean {
    const kind = this.#stack[this.#depth - 1];
    const c = this.#b[this.#i];
    if (c === COMMA) {
      this.#i++;
      if (kind === OBJECT) this.#key();
      else if (this.#tracking()) this.#index[this.#depth - 1]++;
      return true;
    }
    if (c === CLOSE && kind === ARRAY) {
      this.#i++;
      this.#closeArray(this.#index[this.#depth - 1] + 1);
    } else if (c === 0x7d && kind === OBJECT) {
      this.#i++;
      this.#depth--;
    } else this.#syntax(kind === ARRAY ? "',' or ']'" : "',' or '}'");
    return false;
  }

  /** Opens a list or an object; returns `true` when it was empty and is already closed. */
  #open(kind: number): boolean {
    const b = this.#b;
    if (kind === ARRAY && this.#tracking() && this.#depth >= this.#ndim) {
      this.#fail(
        new CodecError(
          "unprocessable",
          "ragged_array",
          `${this.#path()} is a list where a number belongs (the values are nested ${this.#ndim} deep)`,
        ),
      );
    }
    this.#stack[this.#depth++] = kind;
    if (this.#tracking()) this.#index[this.#depth - 1] = 0;
    this.#i++;
    this.#skipWhitespace();
    if (kind === ARRAY) {
      if (b[this.#i] !== CLOSE) return false;
      this.#i++;
      this.#closeArray(0);
      return true;
    }
    if (b[this.#i] !== 0x7d) {
      this.#key();
      return false;
    }
    this.#i++;
    this.#depth--;
    return true;
  }

  /** Closes the innermost list, checking its length against the learnt shape. */
  #closeArray(length: number): void {
    if (this.#tracking()) {
      const axis = this.#depth - 1;
      const expected = this.#shape[axis];
      if (expected === -1) this.#shape[axis] = length;
      else if (length !== expected) {
        this.#depth--;
        this.#fail(
          new CodecError(
            "unprocessable",
            "ragged_array",
            `${this.#path()} has ${items(length)} where ${
              formatPath(new Array(axis).fill(0))
            } has ${expected}; every list at one depth must be as long as the first`,
          ),
        );
        return;
      }
    }
    this.#depth--;
  }

  /** In an object, after `{` or `,`: a string key and its colon. */
  #key(): void {
    this.#skipWhitespace();
    if (this.#b[this.#i] !== 0x22) this.#syntax("a string key");
    this.#string();
    this.#skipWhitespace();
    if (this.#b[this.#i] !== 0x3a) this.#syntax("':'");
    this.#i++;
  }

  /** A JSON number: digits alone take the fast path; the full grammar otherwise. */
  #number(): void {
    const b = this.#b;
    const start = this.#i;
    let i = start;
    let v = 0;
    let plain = true;
    if (b[i] === 0x2d) {
      plain = false;
      i++;
    }
    let c = b[i];
    if (c === ZERO) i++;
    else if (c > ZERO && c <= 0x39) {
      while ((c = b[i]) >= ZERO && c <= 0x39) {
        if (v < 256) v = v * 10 + (c - ZERO);
        i++;
      }
    } else {
      this.#i = i;
      this.#syntax("a digit");
    }
    if (b[i] === 0x2e) {
      plain = false;
      i = this.#digits(i + 1);
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      plain = false;
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      i = this.#digits(i);
    }
    this.#i = i;
    if (!this.#tracking()) return;
    if (this.#depth < this.#ndim) {
      this.#fail(
        new CodecError(
          "unprocessable",
          "ragged_array",
          `${this.#path()} is a number where a list belongs (the values are nested ${this.#ndim} deep)`,
        ),
      );
      return;
    }
    if (!plain || v > 255) v = Number(DECODER.decode(b.subarray(start, i)));
    if (this.#wide === undefined && v <= 255 && v >= 0 && Number.isInteger(v)) {
      this.#out[this.#n++] = v;
      return;
    }
    if (this.#wide === undefined) {
      this.#wide = new Float64Array(this.#out.length);
      this.#wide.set(this.#out.subarray(0, this.#n));
    }
    if (!Number.isSafeInteger(v)) this.#integers = false;
    this.#wide[this.#n++] = v;
  }

  /** At least one digit from `i`; returns the offset after the last. */
  #digits(i: number): number {
    const b = this.#b;
    const start = i;
    while (b[i] >= ZERO && b[i] <= 0x39) i++;
    if (i === start) {
      this.#i = i;
      this.#syntax("a digit");
    }
    return i;
  }

  /** A JSON string, its escapes checked. */
  #string(): void {
    const b = this.#b;
    let i = this.#i + 1;
    for (;;) {
      const c = b[i];
      if (c === 0x22) break;
      if (c === undefined || c < 0x20) {
        this.#i = i;
        this.#syntax("a closing '\"'");
      }
      if (c === 0x5c) {
        const e = b[i + 1];
        if (e === 0x75) {
          const hex = DECODER.decode(b.subarray(i + 2, i + 6));
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.#i = i;
            this.#syntax("four hex digits after \\u");
          }
          i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(String.fromCharCode(e))) {
          this.#i = i;
          this.#syntax("a valid escape");
        }
        i += 2;
        continue;
      }
      i++;
    }
    this.#i = i + 1;
  }

  /** `true`, `false` or `null`. */
  #literal(word: string): void {
    for (let k = 0; k < word.length; k++) {
      if (this.#b[this.#i + k] !== word.charCodeAt(k)) this.#syntax("a JSON value");
    }
    this.#wrongKind();
    this.#i += word.length;
  }

  /** Records the problem of a string, object or literal where a list or number belongs. */
  #wrongKind(): void {
    if (!this.#tracking()) return;
    const what = this.#kindAt(this.#i);
    this.#fail(
      this.#depth < this.#ndim
        ? new CodecError(
          "unprocessable",
          "ragged_array",
          `${this.#path()} is ${what} where a list belongs`,
        )
        : new CodecError(
          "unprocessable",
          "invalid_value",
          `${this.#path()} is ${what}, not a number`,
        ),
    );
  }

  /** What kind of JSON value starts at `i`, for messages. */
  #kindAt(i: number): string {
    switch (this.#b[i]) {
      case 0x7b:
        return "an object";
      case 0x22:
        return "a string";
      case 0x74:
        return "true";
      case 0x66:
        return "false";
      case 0x6e:
        return "null";
      default:
        return "a number";
    }
  }

  /** Whether the pixel structure is still being followed (no problem recorded yet). */
  #tracking(): boolean {
    return this.#problem === undefined;
  }

  #fail(problem: CodecError): void {
    this.#problem ??= problem;
  }

  /** The index path of the current position in the pixel structure. */
  #path(): string {
    return formatPath(this.#index.slice(0, this.#depth));
  }

  #skipWhitespace(): void {
    const b = this.#b;
    let i = this.#i;
    while (WHITESPACE[b[i]] === 1) i++;
    this.#i = i;
  }

  #syntax(expected: string): never {
    const c = this.#b[this.#i];
    const found = c === undefined
      ? "the end of the body"
      : c >= 0x20 && c < 0x7f
      ? `'${String.fromCharCode(c)}'`
      : `byte 0x${c.toString(16).padStart(2, "0")}`;
    throw new CodecError(
      "malformed",
      "invalid_json",
      `malformed JSON at byte ${this.#i}: expected ${expected}, found ${found}`,
    );
  }
}
