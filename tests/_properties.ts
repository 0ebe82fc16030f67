/**
 * Property-based checks of every parser that reads what clients send: generated inputs
 * (fast-check) may only ever be answered with the parser's typed errors, and whatever a
 * parser accepts keeps its invariants. `tests/properties_test.ts` runs each with a few
 * hundred inputs; `deno task fuzz` (bench/fuzz.ts) with ten thousand or more.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fc } from "./_test_deps.ts";
import { zipSync } from "fflate";
import { encodeArrayJson, parseArrayJson } from "../lib/arrays/json.ts";
import { encodeNpy, parseNpy } from "../lib/arrays/npy.ts";
import { parseNpz } from "../lib/arrays/npz.ts";
import { DTYPES, ITEM_SIZES, type PixelArray, viewStorage } from "../lib/arrays/types.ts";
import { CodecError } from "../lib/codec_error.ts";
import { HttpError } from "../lib/errors.ts";
import { decodeMediaPath } from "../lib/files/media_path.ts";
import { parseShapeParam } from "../lib/http/params.ts";
import {
  httpDate,
  ifMatchHolds,
  ifNoneMatchHits,
  parseEtagList,
  parseHttpDate,
} from "../lib/http/conditional.ts";
import { contentDisposition } from "../lib/http/disposition.ts";
import { parseRange } from "../lib/http/range.ts";

/** One property: a name and a check run with a given number of generated inputs. */
export interface Property {
  /** What it checks. */
  readonly name: string;
  /** Runs the check; throws with the smallest counterexample fast-check finds. */
  readonly run: (numRuns: number) => void;
}

/** Runs `fn`, letting only the typed errors through (they are the parser's answers). */
function typedOnly<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (err instanceof HttpError || err instanceof CodecError) return undefined;
    throw err;
  }
}

function assertArray(array: PixelArray): void {
  assert.ok(array.shape.every((d) => Number.isSafeInteger(d) && d >= 0));
  const elements = array.shape.reduce((a, b) => a * b, 1);
  assert.equal(array.data.length, elements, `shape ${array.shape} vs ${array.data.length}`);
  assert.ok(ITEM_SIZES[array.dtype] !== undefined, array.dtype);
}

/** A .npy file with any header text after the magic string. */
function npyWithHeader(header: string, data: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, text.length, true);
  out.set(text, 10);
  out.set(data, 10 + text.length);
  return out;
}

const smallShape = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 4 });

/** A valid array of a random dtype and shape. */
const pixelArray = fc.record({
  shape: smallShape,
  dtype: fc.constantFrom(...DTYPES),
  seed: fc.integer({ min: 0, max: 255 }),
}).map(({ shape, dtype, seed }): PixelArray => {
  const n = shape.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(n * ITEM_SIZES[dtype]).map((_, i) => (i * 31 + seed) & 0xff);
  const data = dtype === "float32"
    ? new Float32Array(n).map((_, i) => i * 0.5 - seed)
    : dtype === "float64"
    ? new Float64Array(n).map((_, i) => i / 3 + seed)
    : dtype === "bool"
    ? bytes.map((b) => b & 1)
    : viewStorage(dtype, bytes.buffer, 0, n);
  return { shape, dtype, data } as PixelArray;
});

/** Bytes with some positions overwritten. */
function mutated(base: Uint8Array) {
  return fc.array(
    fc.tuple(fc.integer({ min: 0, max: base.length - 1 }), fc.integer({ min: 0, max: 255 })),
    { minLength: 1, maxLength: 8 },
  ).map((edits) => {
    const copy = base.slice();
    for (const [at, value] of edits) copy[at] = value;
    return copy;
  });
}

const SAMPLE_NPZ = zipSync({
  "arr_0.npy": encodeNpy({ shape: [2, 3], dtype: "uint8", data: new Uint8Array(6).fill(7) }),
  "mask.npy": [encodeNpy({ shape: [2], dtype: "bool", data: new Uint8Array([1, 0]) }), {
    level: 6,
  }],
}, { level: 0 });

/** Every property, by parser. */
export const PROPERTIES: readonly Property[] = [
  {
    name: "parseNpy() reads back whatever encodeNpy() writes",
    run: (numRuns) =>
      fc.assert(
        fc.property(pixelArray, (array) => {
          const back = parseNpy(encodeNpy(array));
          assert.deepEqual(back.shape, array.shape);
          assert.equal(back.dtype, array.dtype);
          assert.deepEqual([...back.data], [...array.data]);
        }),
        { numRuns },
      ),
  },
  {
    name: "parseNpy() answers any header text with an array or a typed error",
    run: (numRuns) =>
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 120 }),
            fc.record({
              descr: fc.constantFrom("'|u1'", "'<u2'", "'<f4'", "'>f8'", "'|b1'", "'<i8'", "[]"),
              order: fc.constantFrom("False", "True", "0", "'x'"),
              shape: fc.array(fc.integer({ min: -2, max: 6 }), { maxLength: 4 }),
              open: fc.constantFrom("(", "["),
            }).map(({ descr, order, shape, open }) =>
              `{'descr': ${descr}, 'fortran_order': ${order}, 'shape': ${open}${shape.join(", ")}${
                shape.length === 1 ? "," : ""
              }${open === "(" ? ")" : "]"}, }\n`
            ),
          ),
          fc.uint8Array({ maxLength: 64 }),
          (header, data) => {
            const array = typedOnly(() => parseNpy(npyWithHeader(header, data)));
            if (array !== undefined) assertArray(array);
          },
        ),
        { numRuns },
      ),
  },
  {
    name: "parseNpz() answers a corrupted archive with an array or a typed error",
    run: (numRuns) =>
      fc.assert(
        fc.property(
          fc.oneof(mutated(SAMPLE_NPZ), fc.uint8Array({ maxLength: 200 })),
          fc.constantFrom(undefined, "mask", "arr_0"),
          (bytes, key) => {
            const array = typedOnly(() => parseNpz(bytes, { key, maxInflatedBytes: 1 << 20 }));
            if (array !== undefined) assertArray(array);
          },
        ),
        { numRuns },
      ),
  },
  {
    name: "parseArrayJson() reads back encodeArrayJson() and types every other answer",
    run: (numRuns) =>
      fc.assert(
        fc.property(
          fc.oneof(
            pixelArray.filter((a) => a.dtype === "uint8").map((a) => encodeArrayJson(a)),
            fc.json({ maxDepth: 4 }).map((t) => new TextEncoder().encode(t)),
            fc.string({ maxLength: 60 }).map((t) => new TextEncoder().encode(t)),
          ),
          (bytes) => {
            const array = typedOnly(() => parseArrayJson(bytes));
            if (array !== undefined) assertArray(array);
          },
        ),
        { numRuns },
      ),
  },
  {
    name: "parseShapeParam() gives 1 to 3 positive integers or a typed error",
    run: (numRuns) =>
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 30 }),
            fc.array(fc.integer({ min: -3, max: 4096 }), { maxLength: 5 }).map((a) => a.join(",")),
          ),
          (text) => {
            const shape = typedOnly(() => parseShapeParam(text));
            if (shape === undefined) return;
            assert.ok(shape.length >= 1 && shape.length <= 3);
            assert.ok(shape.every((d) => Number.isSafeInteger(d) && d >= 1));
          },
        ),
        { numRuns },
      ),
  },
  {
    name: "parseRange() never throws and every satisfiable range lies inside the file",
    run: (numRuns) =>
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 40 }),
            fc.array(
              fc.oneof(
                fc.tuple(fc.nat(200), fc.option(fc.nat(200))).map(([a, b]) => `${a}-${b ?? ""}`),
                fc.nat(200).map((n) => `-${n}`),
              ),
              { minLength: 1, maxLength: 20 },
            ).map((specs) => `bytes=${specs.join(", ")}`),
          ),
          fc.nat(150),
          (field, size) => {
            const decision = parseRange(field, size);
            if (decision.kind !== "partial") return;
            let total = 0;
            let previousEnd = -2;
            for (const { start, end } of decision.ranges) {
              assert.ok(0 <= start && start <= end && end < size, `${start}-${end} of ${size}`);
              assert.ok(start > previousEnd + 1, "ranges are sorted and coalesced");
              previousEnd = end;
              total += end - start + 1;
            }
            assert.ok(total <= size);
          },
        ),
        { numRuns },
      ),
  },
  {
    name: "If-None-Match and If-Match lists never throw and list only quoted tags",
    run: (numRuns) =>
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 60 }),
            fc.array(
              fc.tuple(fc.boolean(), fc.string({ maxLength: 8 })).map(([weak, tag]) =>
                `${weak ? "W/" : ""}"${tag.replaceAll('"', "")}"`
              ),
              { maxLength: 5 },
            ).map((tags) => tags.join(", ")),
          ),
          (field) => {
            const tags = parseEtagList(field);
            if (tags !== "*") { for (const tag of tags) assert.match(tag, /^(W\/)?"[^"]*"$/); }
            const etag = tags === "*" || tags.length === 0 ? '"x"' : tags[0].replace(/^W\//, "");
            assert.equal(ifNoneMatchHits(field, etag), tags === "*" || tags.length > 0);
            assert.equal(typeof ifMatchHolds(field, etag), "boolean");
          },
        ),
        { numRuns },
      ),
  },
  {
    name: "parseHttpDate() never throws and reads back httpDate() to the second",
    run: (numRuns) =>
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 40 }).map((s) => ({ text: s, ms: undefined })),
            fc.date({
              min: new Date("1970-01-01T00:00:00Z"),
              max: new Date("9999-12-31T23:59:59Z"),
              noInvalidDate: true,
            }).map((d) => ({ text: httpDate(d), ms: Math.floor(d.getTime() / 1000) * 1000 })),
          ),
          ({ text, ms }) => {
            const parsed = parseHttpDate(text);
            if (ms !== undefined) assert.equal(parsed, ms, text);
            else if (parsed !== undefined) assert.ok(Number.isFinite(parsed));
          },
        ),
        { numRuns },
      ),
  },
  {
    name: "contentDisposition() makes a valid header for any name it accepts",
    run: (numRuns) =>
      fc.assert(
        fc.property(
          fc.string({ unit: "binary", maxLength: 300 }),
          fc.constantFrom("inline" as const, "attachment" as const),
          (name, type) => {
            const value = typedOnly(() => contentDisposition(name, type));
            if (value === undefined) return;
            assert.ok(value.startsWith(`${type}; filename="`));
            assert.match(value, /^[\x20-\x7e]*$/);
            assert.equal(
              new Headers({ "content-disposition": value }).get("content-disposition"),
              value,
            );
          },
        ),
        { numRuns },
      ),
  },
  {
    name: "decodeMediaPath() gives only plain segments or a typed error",
    run: (numRuns) =>
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ unit: "binary", maxLength: 80 }),
            fc.array(
              fc.constantFrom("a", "..", ".", "%2e%2e", "%2F", "%5C", "%00", "b%20c", "", "%", "é"),
              { maxLength: 6 },
            ).map((parts) => parts.join("/")),
          ),
          (raw) => {
            const segments = typedOnly(() => decodeMediaPath(raw));
            if (segments === undefined) return;
            for (const segment of segments) {
              assert.ok(segment !== "" && segment !== "." && segment !== "..", segment);
              assert.ok(!segment.startsWith("."), segment);
              const control = [...segment].some((c) => c.charCodeAt(0) < 0x20 || c === "\x7f");
              assert.ok(!control && !/[/\\]/.test(segment), JSON.stringify(segment));
            }
          },
        ),
        { numRuns },
      ),
  },
];
