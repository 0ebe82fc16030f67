/**
 * The Prometheus text exposition format (version 0.0.4) of summed board totals.
 *
 * @module
 */

import {
  type BoardTotals,
  LATENCY_BUCKETS,
  MAX_ROUTES,
  METHODS,
  type Scalar,
  STATUSES,
} from "./board.ts";

/** `Content-Type` of the text format. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** The route label of requests no route matched. */
export const UNMATCHED_ROUTE = "unmatched";

const SCALAR_METRICS: readonly [Scalar, string, "counter" | "gauge", string][] = [
  [
    "cacheMisses",
    "pixserve_image_cache_misses_total",
    "counter",
    "Encodes started because the cache did not hold the image.",
  ],
  ["cacheBytes", "pixserve_image_cache_bytes", "gauge", "Bytes held by the encoded-image cache."],
  [
    "cacheEntries",
    "pixserve_image_cache_entries",
    "gauge",
    "Images held by the encoded-image cache.",
  ],
  ["poolWaiting", "pixserve_encode_queue_length", "gauge", "Images waiting for an encode worker."],
  ["poolRunning", "pixserve_encode_workers_busy", "gauge", "Encode workers encoding now."],
  ["poolWorkers", "pixserve_encode_workers", "gauge", "Encode workers alive, busy or idle."],
  [
    "encodeRejected",
    "pixserve_encode_rejected_total",
    "counter",
    "Requests answered 503 encoder_busy: every worker busy and the queue full.",
  ],
  [
    "streamViewers",
    "pixserve_stream_viewers",
    "gauge",
    "Viewers of live streams being sent to.",
  ],
  [
    "openFileStreams",
    "pixserve_open_file_streams",
    "gauge",
    "Files open behind response bodies being sent.",
  ],
  [
    "openResponses",
    "pixserve_open_responses",
    "gauge",
    "Requests being answered and responses being sent, counted against MAX_CONNECTIONS.",
  ],
  [
    "requestsShed",
    "pixserve_requests_shed_total",
    "counter",
    "Requests answered 503 server_busy: MAX_CONNECTIONS were open.",
  ],
  [
    "workersReleased",
    "pixserve_worker_memory_releases_total",
    "counter",
    "Times an encode or decode worker gave memory back after MEMORY_IDLE_SECONDS idle.",
  ],
  [
    "memoryReleases",
    "pixserve_memory_releases_total",
    "counter",
    "Times a serving isolate gave memory back after MEMORY_IDLE_SECONDS without requests.",
  ],
];

/**
 * A label value escaped as the text format wants (`\\`, `"`, newline).
 *
 * @param value The raw value.
 * @returns The escaped value, without quotes.
 * @example
 * escapeLabel('a"b'); // 'a\\"b'
 */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * The text format of summed totals.
 *
 * @param totals From `MetricsBoard.totals()`.
 * @param routes The route labels by index (`path` of each route).
 * @returns The exposition, ending with a newline.
 * @example
 * renderExposition(board.totals(), ["/health"]);
 * // # HELP pixserve_http_requests_total Requests answered, by route, method and status.
 * // …
 */
export function renderExposition(totals: BoardTotals, routes: readonly string[]): string {
  const routeLabel = (index: number) =>
    escapeLabel(index === MAX_ROUTES ? UNMATCHED_ROUTE : routes[index] ?? UNMATCHED_ROUTE);
  const lines: string[] = [
    "# HELP pixserve_http_requests_total Requests answered, by route, method and status.",
    "# TYPE pixserve_http_requests_total counter",
  ];
  for (const [key, count] of totals.requests) {
    const [route, method, status] = key.split(" ").map(Number);
    lines.push(
      `pixserve_http_requests_total{route="${routeLabel(route)}",method="${METHODS[method]}",` +
        `status="${STATUSES[status] ?? "other"}"} ${count}`,
    );
  }
  lines.push(
    "# HELP pixserve_http_request_duration_seconds Time from request to response headers.",
    "# TYPE pixserve_http_request_duration_seconds histogram",
  );
  totals.latency.forEach((buckets, route) => {
    const count = buckets.reduce((a, b) => a + b, 0);
    if (count === 0) return;
    const label = `route="${routeLabel(route)}"`;
    let cumulative = 0;
    buckets.forEach((n, i) => {
      cumulative += n;
      const le = i < LATENCY_BUCKETS.length ? String(LATENCY_BUCKETS[i]) : "+Inf";
      lines.push(
        `pixserve_http_request_duration_seconds_bucket{${label},le="${le}"} ${cumulative}`,
      );
    });
    lines.push(`pixserve_http_request_duration_seconds_sum{${label}} ${totals.latencySum[route]}`);
    lines.push(`pixserve_http_request_duration_seconds_count{${label}} ${count}`);
  });
  lines.push(
    "# HELP pixserve_http_response_bytes_total Body bytes sent, by route.",
    "# TYPE pixserve_http_response_bytes_total counter",
  );
  totals.bytes.forEach((bytes, route) => {
    if (bytes > 0) {
      lines.push(`pixserve_http_response_bytes_total{route="${routeLabel(route)}"} ${bytes}`);
    }
  });
  const hits = "pixserve_image_cache_hits_total";
  lines.push(
    `# HELP ${hits} Encoded images answered from the cache (or the response memo in front of it).`,
    `# TYPE ${hits} counter`,
    `${hits} ${totals.scalars.cacheHits + totals.scalars.memoHits}`,
  );
  for (const [scalar, name, type, help] of SCALAR_METRICS) {
    lines.push(
      `# HELP ${name} ${help}`,
      `# TYPE ${name} ${type}`,
      `${name} ${totals.scalars[scalar]}`,
    );
  }
  return lines.join("\n") + "\n";
}
