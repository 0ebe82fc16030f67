/**
 * Percentiles, minimum and maximum of the finite values of numeric arrays, exactly as
 * `np.nanpercentile` (linear method), `np.nanmin` and `np.nanmax` give them, without sorting.
 *
 * A histogram finds the bucket each wanted rank falls in (bucketing is monotonic), one more
 * pass gathers those buckets' values, and Hoare's selection runs within each. float32 arrays,
 * what depth maps and model outputs hold, are bucketed by the top 16 bits of their
 * order-preserving bit pattern: no pass for the minimum and maximum, no arithmetic per value.
 * Other dtypes are bucketed between the minimum and maximum.
 *
 * @module
 */

/** Values readable as JavaScript numbers. */
export type NumericValues =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float16Array
  | Float32Array
  | Float64Array;

/** What {@linkcode finiteSummary} finds. */
export interface FiniteSummary {
  /** How many values are finite (not NaN, not ±inf). */
  readonly count: number;
  /** The smallest finite value; NaN when none is finite. */
  readonly min: number;
  /** The largest finite value; NaN when none is finite. */
  readonly max: number;
  /** Each asked percentile; absent when none is finite. */
  readonly percentiles: ReadonlyMap<number, number>;
}

/**
 * The count, minimum, maximum and percentiles of the finite values of one or more arrays
 * taken together. A percentile is `np.nanpercentile`'s with its default linear method: the
 * two order statistics around the virtual index `(count - 1) * p / 100`, interpolated in
 * float64 after subtracting them in the arrays' own precision (`round`), as NumPy's `_lerp`
 * does.
 *
 * @param sources The values.
 * @param percentiles Percentiles from 0 to 100.
 * @param round Rounds to the arrays' precision (`Math.fround` for float32).
 * @returns The summary.
 * @example
 * ```ts
 * import { finiteSummary } from "./order_statistics.ts";
 *
 * const s = finiteSummary([new Float32Array([4, NaN, 1, 3, 2])], [50], Math.fround);
 * console.log(s.count, s.min, s.max, s.percentiles.get(50)); // 4 1 4 2.5
 * ```
 */
export function finiteSummary(
  sources: readonly NumericValues[],
  percentiles: readonly number[],
  round: (x: number) => number,
): FiniteSummary {
  const finite = percentiles.length > 0 && sources.every((s) => s instanceof Float32Array)
    ? float32Buckets(sources as readonly Float32Array[])
    : rangeBuckets(sources);
  const n = finite.count;
  if (n === 0) return { count: 0, min: NaN, max: NaN, percentiles: new Map() };
  const ranks = new Set([0, n - 1]);
  for (const p of percentiles) {
    const virtual = (n - 1) * (p / 100);
    if (virtual < n - 1) ranks.add(Math.floor(virtual)).add(Math.floor(virtual) + 1);
  }
  const at = finite.at([...ranks]);
  const out = new Map<number, number>();
  for (const p of percentiles) {
    const virtual = (n - 1) * (p / 100);
    if (virtual >= n - 1) {
      out.set(p, at.get(n - 1) as number);
      continue;
    }
    const k = Math.floor(virtual);
    const below = at.get(k) as number;
    const above = at.get(k + 1) as number;
    const t = virtual - k;
    const diff = round(above - below);
    out.set(p, t >= 0.5 ? above - diff * (1 - t) : below + diff * t);
  }
  return { count: n, min: at.get(0) as number, max: at.get(n - 1) as number, percentiles: out };
}

/** Finite values, counted, from which the values at given ranks can be read. */
interface Finite {
  readonly count: number;
  /** The values a sort of the finite values would put at these ranks (0-based, < count). */
  at(ranks: readonly number[]): Map<number, number>;
}

/** Buckets of the bit-pattern histogram: the top 16 bits of a float32's sort key. */
const KEY_BUCKETS = 65536;
/** Sort keys below this bucket are -inf and negative NaNs only. */
const FIRST_FINITE = 0x0080;
/** Sort keys from this bucket on are +inf and NaNs only. */
const PAST_FINITE = 0xff80;

/**
 * float32 values bucketed by their sort key: the bits with the sign bit flipped for
 * positive numbers and all bits flipped for negative ones, which orders as the numbers
 * do. The top 16 bits (sign, exponent, 7 bits of mantissa) split each octave into 128
 * buckets; the exponent of all ones (±inf, NaN) falls in buckets of its own.
 */
function float32Buckets(sources: readonly Float32Array[]): Finite {
  const words = sources.map((s) => new Int32Array(s.buffer, s.byteOffset, s.length));
  const counts = new Uint32Array(KEY_BUCKETS);
  for (const w of words) {
    for (let i = 0; i < w.length; i++) {
      const b = w[i];
      counts[(b ^ ((b >> 31) | 0x80000000)) >>> 16]++;
    }
  }
  let count = 0;
  for (let b = FIRST_FINITE; b < PAST_FINITE; b++) count += counts[b];
  return {
    count,
    at: (ranks) =>
      selectInBuckets(counts, FIRST_FINITE, PAST_FINITE, ranks, (slots, gathered) => {
        const filled = new Int32Array(gathered.length);
        for (let s = 0; s < words.length; s++) {
          const w = words[s];
          const values = sources[s];
          for (let i = 0; i < w.length; i++) {
            const b = w[i];
            const slot = slots[(b ^ ((b >> 31) | 0x80000000)) >>> 16];
            if (slot >= 0) gathered[slot][filled[slot]++] = values[i];
          }
        }
      }),
  };
}

/**
 * Buckets of the histogram between the minimum and maximum: 4096 counters stay in the
 * CPU's first-level cache, and a bucket of a smooth image holds a few thousand values.
 */
const RANGE_BUCKETS = 4096;

/** Values of any dtype, bucketed linearly between their finite minimum and maximum. */
function rangeBuckets(sources: readonly NumericValues[]): Finite {
  let lo = Infinity;
  let hi = -Infinity;
  let count = 0;
  for (const values of sources) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v - v !== 0) continue; // NaN and ±inf
      count++;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const at = (ranks: readonly number[]): Map<number, number> => {
    const out = new Map<number, number>();
    const inner = ranks.filter((k) => k !== 0 && k !== count - 1);
    for (const k of ranks) if (k === 0 || k === count - 1) out.set(k, k === 0 ? lo : hi);
    if (inner.length === 0 || lo === hi) {
      for (const k of inner) out.set(k, lo);
      return out;
    }
    const scale = (RANGE_BUCKETS - 1) / (hi - lo);
    if (!Number.isFinite(scale) || !Number.isFinite(hi - lo)) {
      const all = new Float64Array(count);
      let j = 0;
      for (const values of sources) {
        for (let i = 0; i < values.length; i++) {
          if (values[i] - values[i] === 0) all[j++] = values[i];
        }
      }
      all.sort();
      for (const k of inner) out.set(k, all[k]);
      return out;
    }
    const counts = new Uint32Array(RANGE_BUCKETS);
    for (const values of sources) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v - v === 0) counts[((v - lo) * scale) | 0]++;
      }
    }
    const found = selectInBuckets(counts, 0, RANGE_BUCKETS, inner, (slots, gathered) => {
      const filled = new Int32Array(gathered.length);
      for (const values of sources) {
        for (let i = 0; i < values.length; i++) {
          const v = values[i];
          if (v - v !== 0) continue;
          const slot = slots[((v - lo) * scale) | 0];
          if (slot >= 0) gathered[slot][filled[slot]++] = v;
        }
      }
    });
    for (const [k, v] of found) out.set(k, v);
    return out;
  };
  return { count, at };
}

/**
 * The values at some ranks, given a histogram of the finite values over buckets `first` to
 * `past - 1`: finds each rank's bucket, lets `gather` copy those buckets' values into one
 * array per slot (`slots[bucket]`, -1 for the others), and selects within each.
 */
function selectInBuckets(
  counts: Uint32Array,
  first: number,
  past: number,
  ranks: readonly number[],
  gather: (slots: Int32Array, gathered: Float64Array[]) => void,
): Map<number, number> {
  const found = ranks.map((k) => {
    let before = 0;
    let b = first;
    while (b < past - 1 && before + counts[b] <= k) before += counts[b++];
    return { k, bucket: b, offset: k - before };
  });
  const slots = new Int32Array(counts.length).fill(-1);
  const gathered: Float64Array[] = [];
  for (const { bucket } of found) {
    if (slots[bucket] >= 0) continue;
    slots[bucket] = gathered.length;
    gathered.push(new Float64Array(counts[bucket]));
  }
  gather(slots, gathered);
  const out = new Map<number, number>();
  for (const { k, bucket, offset } of found) {
    out.set(k, selectRange(gathered[slots[bucket]], offset));
  }
  return out;
}

/**
 * Rearranges `a` so that `a[k]` holds the value a sort would put there, with no larger
 * value before it and no smaller after (Hoare's selection; a subrange that takes too many
 * rounds is sorted instead). Returns `a[k]`.
 */
function selectRange(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  let rounds = 2 * Math.ceil(Math.log2(hi - lo + 2)) + 16;
  while (hi > lo) {
    if (rounds-- === 0) {
      a.subarray(lo, hi + 1).sort();
      break;
    }
    const x = a[lo];
    const y = a[(lo + hi) >>> 1];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k];
}
