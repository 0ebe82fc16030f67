import assert from "node:assert/strict";
import { fc } from "./_test_deps.ts";
import { finiteSummary, type NumericValues } from "../lib/arrays/order_statistics.ts";

/** `np.nanpercentile` by sorting: the reference the histogram and selection must match. */
function sortedSummary(values: number[], percentiles: number[], round: (x: number) => number) {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = finite.length;
  const at = (p: number) => {
    const virtual = (n - 1) * (p / 100);
    if (virtual >= n - 1) return finite[n - 1];
    const k = Math.floor(virtual);
    const t = virtual - k;
    const diff = round(finite[k + 1] - finite[k]);
    return t >= 0.5 ? finite[k + 1] - diff * (1 - t) : finite[k] + diff * t;
  };
  return {
    count: n,
    min: n === 0 ? NaN : finite[0],
    max: n === 0 ? NaN : finite[n - 1],
    percentiles: new Map(n === 0 ? [] : percentiles.map((p) => [p, at(p)])),
  };
}

/** The summary with -0 read as 0: NumPy's sort leaves equal zeros in any order. */
function unsigned(s: ReturnType<typeof finiteSummary>) {
  const z = (x: number) => x + 0;
  return {
    count: s.count,
    min: z(s.min),
    max: z(s.max),
    percentiles: new Map([...s.percentiles].map(([p, v]) => [p, z(v)])),
  };
}

const special = fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38);
const float32s = fc.array(
  fc.oneof(fc.float({ noDefaultInfinity: false, noNaN: false }), special),
  { minLength: 0, maxLength: 300 },
);
const asked = fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { maxLength: 4 });

Deno.test("finiteSummary() of float32 arrays is np.nanpercentile's, min and max by sorting", () => {
  fc.assert(
    fc.property(fc.array(float32s, { minLength: 1, maxLength: 3 }), asked, (parts, ps) => {
      const sources = parts.map((p) => Float32Array.from(p));
      const all = sources.flatMap((s) => [...s]);
      const got = finiteSummary(sources, ps, Math.fround);
      assert.deepEqual(unsigned(got), unsigned(sortedSummary(all, ps, Math.fround)));
    }),
    { numRuns: 500 },
  );
});

Deno.test("finiteSummary() of float64 and integer arrays is np.nanpercentile's", () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.double(), special), { maxLength: 300 }),
      fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 300 }),
      asked,
      (doubles, ints, ps) => {
        const cases: [NumericValues, number[]][] = [
          [Float64Array.from(doubles), doubles],
          [Int16Array.from(ints), ints],
        ];
        for (const [source, values] of cases) {
          assert.deepEqual(
            unsigned(finiteSummary([source], ps, (x) => x)),
            unsigned(sortedSummary(values, ps, (x) => x)),
          );
        }
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("finiteSummary() of a large smooth float32 map finds the ranks inside crowded buckets", () => {
  const values = new Float32Array(200_003);
  for (let i = 0; i < values.length; i++) values[i] = 5 + Math.sin(i / 700) * 3 + (i % 7) * 1e-6;
  values[10] = NaN;
  values[20] = -Infinity;
  const ps = [0, 2, 50, 97.5, 98, 100];
  assert.deepEqual(
    finiteSummary([values], ps, Math.fround),
    sortedSummary([...values], ps, Math.fround),
  );
});
