/**
 * The metrics every serving isolate keeps, in one `SharedArrayBuffer` that all isolates of a
 * server share: each isolate writes only its own region (no locks, no messages), and
 * whichever isolate is scraped sums every region. The labels are fixed when the buffer is
 * made — at most {@linkcode MAX_ROUTES} routes plus `unmatched`, four method groups and the
 * statuses of {@linkcode STATUSES} plus `other` — so no request can grow a label set.
 *
 * @module
 */

/** The most routes a routing table may have for its metrics. */
export const MAX_ROUTES = 62;

/** Method labels; any other method counts as `OTHER`. */
export const METHODS: readonly string[] = ["GET", "HEAD", "POST", "OTHER"];

/** Status labels; any other status counts as `other`. */
export const STATUSES: readonly number[] = [
  200,
  201,
  204,
  206,
  301,
  302,
  304,
  307,
  308,
  400,
  401,
  403,
  404,
  405,
  406,
  408,
  409,
  410,
  411,
  412,
  413,
  414,
  415,
  416,
  422,
  429,
  431,
  500,
  501,
  502,
  503,
  504,
];

/** Upper bounds of the latency histogram's buckets, in seconds (`+Inf` follows). */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/** The gauges and counters that are one number per isolate. */
export const SCALARS = [
  "cacheHits",
  "memoHits",
  "cacheMisses",
  "cacheBytes",
  "cacheEntries",
  "poolWaiting",
  "poolRunning",
  "poolWorkers",
  "encodeRejected",
  "openFileStreams",
  "streamViewers",
  "openResponses",
  "requestsShed",
  "workersReleased",
  "memoryReleases",
] as const;

/** One of {@linkcode SCALARS}. */
export type Scalar = typeof SCALARS[number];

const ROUTE_SLOTS = MAX_ROUTES + 1;
const STATUS_SLOTS = STATUSES.length + 1;
const BUCKET_SLOTS = LATENCY_BUCKETS.length + 1;
const REQUESTS_AT = 0;
const LATENCY_AT = REQUESTS_AT + ROUTE_SLOTS * METHODS.length * STATUS_SLOTS;
const LATENCY_SUM_AT = LATENCY_AT + ROUTE_SLOTS * BUCKET_SLOTS;
const BYTES_AT = LATENCY_SUM_AT + ROUTE_SLOTS;
const SCALARS_AT = BYTES_AT + ROUTE_SLOTS;

/** Numbers in one isolate's region. */
export const REGION_SLOTS: number = SCALARS_AT + SCALARS.length;

const STATUS_INDEX = new Map(STATUSES.map((status, i) => [status, i]));
const SCALAR_SLOT = Object.fromEntries(
  SCALARS.map((name, i) => [name, SCALARS_AT + i]),
) as Readonly<Record<Scalar, number>>;
const METHOD_INDEX = new Map(METHODS.map((method, i) => [method, i]));

/**
 * The shared buffer for a server of `isolates` isolates.
 *
 * @param isolates How many isolates will write to it.
 * @returns A zeroed buffer; hand it to each isolate with its index.
 * @example
 * const buffer = createBoardBuffer(2);
 */
export function createBoardBuffer(isolates: number): SharedArrayBuffer {
  return new SharedArrayBuffer(isolates * REGION_SLOTS * Float64Array.BYTES_PER_ELEMENT);
}

/** One request, as the metrics count it. */
export interface Observation {
  /** Index of the route in the table, or -1 for none. */
  readonly route: number;
  /** The request method. */
  readonly method: string;
  /** The status sent. */
  readonly status: number;
  /** Seconds from request to response headers. */
  readonly seconds: number;
}

/**
 * One isolate's view of the shared buffer: it writes its own region and reads them all.
 *
 * @example
 * const board = new MetricsBoard(createBoardBuffer(1), 0);
 * board.observe({ route: 0, method: "GET", status: 200, seconds: 0.002 });
 * board.totals().requests.get("0 0 0"); // 1: route 0, GET, 200
 */
export class MetricsBoard {
  readonly #all: Float64Array;
  readonly #mine: Float64Array;
  readonly #isolates: number;

  /**
   * A view of one isolate's region of a shared board.
   *
   * @param buffer From {@linkcode createBoardBuffer}.
   * @param isolate This isolate's index, from 0.
   */
  constructor(buffer: SharedArrayBuffer, isolate: number) {
    this.#all = new Float64Array(buffer);
    this.#isolates = this.#all.length / REGION_SLOTS;
    if (!Number.isInteger(isolate) || isolate < 0 || isolate >= this.#isolates) {
      throw new RangeError(`isolate ${isolate} is not one of the board's ${this.#isolates}`);
    }
    this.#mine = this.#all.subarray(isolate * REGION_SLOTS, (isolate + 1) * REGION_SLOTS);
  }

  /** Counts one request: its route, method and status, and its latency. */
  observe(observation: Observation): void {
    const route = observation.route < 0 ? MAX_ROUTES : observation.route;
    const method = METHOD_INDEX.get(observation.method) ?? METHODS.length - 1;
    const status = STATUS_INDEX.get(observation.status) ?? STATUSES.length;
    this.#mine[REQUESTS_AT + (route * METHODS.length + method) * STATUS_SLOTS + status]++;
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS.length && observation.seconds > LATENCY_BUCKETS[bucket]) {
      bucket++;
    }
    this.#mine[LATENCY_AT + route * BUCKET_SLOTS + bucket]++;
    this.#mine[LATENCY_SUM_AT + route] += observation.seconds;
  }

  /** Adds body bytes sent by a route (-1: no route). */
  addBytes(route: number, bytes: number): void {
    this.#mine[BYTES_AT + (route < 0 ? MAX_ROUTES : route)] += bytes;
  }

  /** Sets this isolate's value of a per-isolate number. */
  set(name: Scalar, value: number): void {
    this.#mine[SCALAR_SLOT[name]] = value;
  }

  /** Adds to this isolate's value of a per-isolate number. */
  add(name: Scalar, delta: number): void {
    this.#mine[SCALAR_SLOT[name]] += delta;
  }

  /** Every number summed over the isolates. */
  totals(): BoardTotals {
    const sum = new Float64Array(REGION_SLOTS);
    for (let i = 0; i < this.#isolates; i++) {
      const region = this.#all.subarray(i * REGION_SLOTS, (i + 1) * REGION_SLOTS);
      for (let slot = 0; slot < REGION_SLOTS; slot++) sum[slot] += region[slot];
    }
    return totalsOf(sum);
  }
}

/** The board summed over isolates, keyed by label indices. */
export interface BoardTotals {
  /** `"route method status"` (indices into the route table, {@linkcode METHODS}, {@linkcode STATUSES}) → count; zeros left out. */
  readonly requests: ReadonlyMap<string, number>;
  /** Per route index ({@linkcode MAX_ROUTES} is `unmatched`): counts per bucket (not cumulative), `+Inf` last. */
  readonly latency: readonly (readonly number[])[];
  /** Per route index: the sum of latencies in seconds. */
  readonly latencySum: readonly number[];
  /** Per route index: body bytes sent. */
  readonly bytes: readonly number[];
  /** The per-isolate numbers, summed. */
  readonly scalars: Readonly<Record<Scalar, number>>;
}

function totalsOf(sum: Float64Array): BoardTotals {
  const requests = new Map<string, number>();
  for (let route = 0; route < ROUTE_SLOTS; route++) {
    for (let method = 0; method < METHODS.length; method++) {
      for (let status = 0; status < STATUS_SLOTS; status++) {
        const count = sum[REQUESTS_AT + (route * METHODS.length + method) * STATUS_SLOTS + status];
        if (count > 0) requests.set(`${route} ${method} ${status}`, count);
      }
    }
  }
  const latency: number[][] = [];
  for (let route = 0; route < ROUTE_SLOTS; route++) {
    const at = LATENCY_AT + route * BUCKET_SLOTS;
    latency.push([...sum.subarray(at, at + BUCKET_SLOTS)]);
  }
  const scalars = Object.fromEntries(
    SCALARS.map((name, i) => [name, sum[SCALARS_AT + i]]),
  ) as Record<Scalar, number>;
  return {
    requests,
    latency,
    latencySum: [...sum.subarray(LATENCY_SUM_AT, LATENCY_SUM_AT + ROUTE_SLOTS)],
    bytes: [...sum.subarray(BYTES_AT, BYTES_AT + ROUTE_SLOTS)],
    scalars,
  };
}
