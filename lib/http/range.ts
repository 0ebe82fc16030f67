/**
 * `Range: bytes=…` (RFC 9110 §14) read against a representation's length:
 * pure, no I/O. {@linkcode parseRange} says whether to answer the whole
 * representation (200), the ranges asked (206) or 416.
 *
 * The grammar is written out here rather than taken from `npm:range-parser`,
 * which treats an invalid `bytes=5-2` as unsatisfiable (416) where RFC 9110
 * lets the server ignore it, and accepts spaces inside a range (`0 - 1`).
 *
 * @module
 */

/** An inclusive span of bytes, `start` ≤ `end`, both within the representation. */
export interface ByteRange {
  /** First byte, counted from 0. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

/** Why a `Range` field leads to the whole representation. */
export type IgnoredRangeReason =
  | "absent"
  | "unit"
  | "malformed"
  | "too_many"
  | "too_large"
  | "empty";

/** What a `Range` field asks of a representation of a known length. */
export type RangeDecision =
  | { readonly kind: "full"; readonly reason: IgnoredRangeReason }
  | { readonly kind: "unsatisfiable" }
  | { readonly kind: "partial"; readonly ranges: readonly ByteRange[] };

/** More ranges than this in one field and the whole representation is sent. */
export const MAX_RANGES = 16;

const INT_RANGE = /^(\d+)-(\d*)$/;
const SUFFIX_RANGE = /^-(\d+)$/;

type RangeSpec = { first: number; last?: number } | { suffix: number };

function parseSpec(element: string): RangeSpec | undefined {
  const int = INT_RANGE.exec(element);
  if (int !== null) {
    const first = Number(int[1]);
    if (int[2] === "") return { first };
    const last = Number(int[2]);
    return last < first ? undefined : { first, last };
  }
  const suffix = SUFFIX_RANGE.exec(element);
  return suffix === null ? undefined : { suffix: Number(suffix[1]) };
}

function satisfy(spec: RangeSpec, size: number): ByteRange | undefined {
  if ("suffix" in spec) {
    return spec.suffix === 0
      ? undefined
      : { start: Math.max(0, size - spec.suffix), end: size - 1 };
  }
  if (spec.first >= size) return undefined;
  return { start: spec.first, end: Math.min(spec.last ?? size - 1, size - 1) };
}

/**
 * Sorts ranges and merges those that overlap or touch.
 *
 * @param ranges Satisfiable ranges, in any order.
 * @returns Disjoint, non-adjacent ranges in ascending order.
 * @example
 * ```ts
 * import { coalesceRanges } from "./range.ts";
 *
 * coalesceRanges([{ start: 5, end: 9 }, { start: 0, end: 5 }]); // [{ start: 0, end: 9 }]
 * ```
 */
export function coalesceRanges(ranges: readonly ByteRange[]): ByteRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const merged: ByteRange[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && range.start <= last.end + 1) {
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, range.end) };
    } else {
      merged.push(range);
    }
  }
  return merged;
}

/**
 * Reads a `Range` field against a representation of `size` bytes.
 *
 * Ignored (whole representation): no field, a unit other than `bytes`, a
 * malformed or invalid spec (`bytes=5-2`), more than {@linkcode MAX_RANGES}
 * specs, satisfiable ranges adding up to more than `size`, or a zero-length
 * representation asked for a suffix. Unsatisfiable: no spec starts before
 * `size` (or every suffix is `-0`). Otherwise the satisfiable ranges,
 * coalesced and in ascending order.
 *
 * @param field The `Range` value, or `null` when absent.
 * @param size The representation's length in bytes.
 * @returns The decision.
 * @example
 * ```ts
 * import { parseRange } from "./range.ts";
 *
 * parseRange("bytes=0-99", 1000); // { kind: "partial", ranges: [{ start: 0, end: 99 }] }
 * parseRange("bytes=-100", 1000); // { kind: "partial", ranges: [{ start: 900, end: 999 }] }
 * parseRange("bytes=2000-", 1000); // { kind: "unsatisfiable" }
 * parseRange("bytes=abc", 1000); // { kind: "full", reason: "malformed" }
 * ```
 */
export function parseRange(field: string | null, size: number): RangeDecision {
  if (field === null) return { kind: "full", reason: "absent" };
  const eq = field.indexOf("=");
  if (eq === -1) return { kind: "full", reason: "malformed" };
  if (field.slice(0, eq).trim().toLowerCase() !== "bytes") {
    return { kind: "full", reason: "unit" };
  }
  const specs: RangeSpec[] = [];
  for (const element of field.slice(eq + 1).split(",")) {
    const trimmed = element.trim();
    if (trimmed === "") continue;
    const spec = parseSpec(trimmed);
    if (spec === undefined) return { kind: "full", reason: "malformed" };
    specs.push(spec);
  }
  if (specs.length === 0) return { kind: "full", reason: "malformed" };
  if (specs.length > MAX_RANGES) return { kind: "full", reason: "too_many" };
  if (size === 0) {
    const suffix = specs.some((s) => "suffix" in s && s.suffix > 0);
    return suffix ? { kind: "full", reason: "empty" } : { kind: "unsatisfiable" };
  }
  const ranges = specs.map((s) => satisfy(s, size)).filter((r) => r !== undefined);
  if (ranges.length === 0) return { kind: "unsatisfiable" };
  const total = ranges.reduce((sum, r) => sum + r.end - r.start + 1, 0);
  if (total > size) return { kind: "full", reason: "too_large" };
  return { kind: "partial", ranges: coalesceRanges(ranges) };
}

/**
 * The `Content-Range` value of a part.
 *
 * @param range The bytes sent.
 * @param size The representation's length.
 * @returns `bytes <start>-<end>/<size>`.
 * @example
 * ```ts
 * import { contentRange } from "./range.ts";
 *
 * contentRange({ start: 0, end: 99 }, 1000); // "bytes 0-99/1000"
 * ```
 */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/**
 * The `Content-Range` value of a 416.
 *
 * @param size The representation's length.
 * @returns `bytes *\/<size>`.
 * @example
 * ```ts
 * import { unsatisfiedRange } from "./range.ts";
 *
 * unsatisfiedRange(1000); // "bytes *\/1000"
 * ```
 */
export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}
