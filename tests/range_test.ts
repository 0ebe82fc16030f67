import assert from "node:assert/strict";
import { byterangesLayout, randomBoundary } from "../lib/http/multipart.ts";
import {
  coalesceRanges,
  contentRange,
  MAX_RANGES,
  parseRange,
  type RangeDecision,
  unsatisfiedRange,
} from "../lib/http/range.ts";

const partial = (...pairs: [number, number][]): RangeDecision => ({
  kind: "partial",
  ranges: pairs.map(([start, end]) => ({ start, end })),
});
const full = (reason: string): RangeDecision => ({ kind: "full", reason } as RangeDecision);
const UNSATISFIABLE: RangeDecision = { kind: "unsatisfiable" };

const CASES: [string | null, number, RangeDecision][] = [
  [null, 1000, full("absent")],
  ["bytes=0-99", 1000, partial([0, 99])],
  ["bytes=0-0", 1000, partial([0, 0])],
  ["bytes=999-999", 1000, partial([999, 999])],
  ["bytes=500-", 1000, partial([500, 999])],
  ["bytes=-100", 1000, partial([900, 999])],
  ["bytes=-5000", 1000, partial([0, 999])],
  ["bytes=0-5000", 1000, partial([0, 999])],
  ["bytes=0-99999999999999999999", 1000, partial([0, 999])],
  ["Bytes=0-1", 1000, partial([0, 1])],
  ["BYTES=0-1", 1000, partial([0, 1])],
  ["bytes=0-1, 10-11", 1000, partial([0, 1], [10, 11])],
  ["bytes=10-11,0-1", 1000, partial([0, 1], [10, 11])],
  ["bytes=0-1,,10-11", 1000, partial([0, 1], [10, 11])],
  ["bytes=,0-1", 1000, partial([0, 1])],
  ["bytes=0-10,5-20", 1000, partial([0, 20])],
  ["bytes=0-10,11-20", 1000, partial([0, 20])],
  ["bytes=0-10,12-20", 1000, partial([0, 10], [12, 20])],
  ["bytes=0-1,2000-3000", 1000, partial([0, 1])],
  ["bytes=0-1,-0", 1000, partial([0, 1])],
  ["bytes=1000-", 1000, UNSATISFIABLE],
  ["bytes=1000-2000", 1000, UNSATISFIABLE],
  ["bytes=-0", 1000, UNSATISFIABLE],
  ["bytes=1000-,2000-", 1000, UNSATISFIABLE],
  ["bytes=99999999999999999999-", 1000, UNSATISFIABLE],
  ["bytes=0-", 0, UNSATISFIABLE],
  ["bytes=-10", 0, full("empty")],
  ["items=0-1", 1000, full("unit")],
  ["bytes 0-1", 1000, full("malformed")],
  ["bytes=", 1000, full("malformed")],
  ["bytes=,", 1000, full("malformed")],
  ["bytes=abc", 1000, full("malformed")],
  ["bytes=5-2", 1000, full("malformed")],
  ["bytes=0-1,5-2", 1000, full("malformed")],
  ["bytes=-", 1000, full("malformed")],
  ["bytes=1", 1000, full("malformed")],
  ["bytes=0 - 1", 1000, full("malformed")],
  ["bytes=+1-2", 1000, full("malformed")],
  ["bytes=1.5-2", 1000, full("malformed")],
  ["bytes=-1-2", 1000, full("malformed")],
  ["bytes=0x10-20", 1000, full("malformed")],
  ["bytes=0-1=2", 1000, full("malformed")],
  ["bytes=0-499,500-999", 1000, partial([0, 999])],
  ["bytes=0-499,400-999", 1000, full("too_large")],
  ["bytes=0-,0-", 1000, full("too_large")],
  ["bytes=-600,-600", 1000, full("too_large")],
];

for (const [field, size, expected] of CASES) {
  Deno.test(`parseRange(${JSON.stringify(field)}, ${size}) is ${JSON.stringify(expected)}`, () => {
    assert.deepEqual(parseRange(field, size), expected);
  });
}

Deno.test(`parseRange() serves ${MAX_RANGES} ranges and ignores ${MAX_RANGES + 1}`, () => {
  const specs = (n: number) =>
    "bytes=" + Array.from({ length: n }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(",");
  const sixteen = parseRange(specs(MAX_RANGES), 1000);
  assert.equal(sixteen.kind, "partial");
  assert.equal(sixteen.kind === "partial" && sixteen.ranges.length, MAX_RANGES);
  assert.deepEqual(parseRange(specs(MAX_RANGES + 1), 1000), full("too_many"));
});

Deno.test("coalesceRanges() sorts, merges overlapping and adjacent, keeps gaps", () => {
  assert.deepEqual(
    coalesceRanges([
      { start: 50, end: 60 },
      { start: 0, end: 9 },
      { start: 10, end: 12 },
      { start: 55, end: 70 },
      { start: 72, end: 72 },
    ]),
    [{ start: 0, end: 12 }, { start: 50, end: 70 }, { start: 72, end: 72 }],
  );
  assert.deepEqual(coalesceRanges([]), []);
});

Deno.test("contentRange() and unsatisfiedRange() format Content-Range exactly", () => {
  assert.equal(contentRange({ start: 0, end: 99 }, 1000), "bytes 0-99/1000");
  assert.equal(unsatisfiedRange(1000), "bytes */1000");
});

Deno.test("byterangesLayout() frames parts exactly and counts the body's length", () => {
  const layout = byterangesLayout(
    [{ start: 0, end: 9 }, { start: 20, end: 29 }],
    100,
    "image/png",
    "B",
  );
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  assert.equal(layout.contentType, "multipart/byteranges; boundary=B");
  assert.equal(
    text(layout.parts[0].head),
    "--B\r\nContent-Type: image/png\r\nContent-Range: bytes 0-9/100\r\n\r\n",
  );
  assert.equal(
    text(layout.parts[1].head),
    "\r\n--B\r\nContent-Type: image/png\r\nContent-Range: bytes 20-29/100\r\n\r\n",
  );
  assert.equal(text(layout.tail), "\r\n--B--\r\n");
  const framing = layout.parts.reduce((n, p) => n + p.head.byteLength, layout.tail.byteLength);
  assert.equal(layout.length, framing + 20);
});

Deno.test("randomBoundary() is a fresh token of 24 hex digits", () => {
  const a = randomBoundary();
  assert.match(a, /^pixserve-[0-9a-f]{24}$/);
  assert.notEqual(a, randomBoundary());
});
