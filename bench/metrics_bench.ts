/**
 * The cost of what every request now pays for the log and the metrics, and of a scrape:
 * - a log line with every field (query, bytes, error, client) appended by the batched
 *   logger, against the baseline of `formatLogLine` plus `TextEncoder` per line;
 * - `GET /metrics` answered by the app after 1,000 distinct unknown paths (the target is
 *   under 50 ms), against `GET /health` from the same app.
 *
 * Run: `deno bench --allow-all bench/metrics_bench.ts`.
 *
 * @module
 */

import { createApp } from "../lib/app.ts";
import { createLogger, formatLogLine, type LogEntry } from "../lib/log.ts";
import { testConfig } from "../tests/_server.ts";

const ENTRY: LogEntry = {
  method: "GET",
  path: "/image.png",
  query: "width=64",
  status: 200,
  bytes: 1266,
  client: "127.0.0.1",
  ms: 0.213,
};

const sink = createLogger(false, () => {});
const encoder = new TextEncoder();

Deno.bench({
  name: "formatLogLine + TextEncoder per line",
  group: "log line",
  baseline: true,
  fn() {
    encoder.encode(formatLogLine({ ...ENTRY, ms: Math.random() }) + "\n");
  },
});

Deno.bench({
  name: "createLogger() append",
  group: "log line",
  fn() {
    sink({ ...ENTRY, ms: Math.random() });
  },
});

const app = createApp(await testConfig({ quiet: true }), { log: () => {} });
for (let i = 0; i < 1000; i++) {
  const res = await app(new Request(`http://x/unknown/${i}?q=${i}`));
  await res.body?.cancel();
}

Deno.bench({
  name: "GET /health",
  group: "scrape after 1,000 unknown paths",
  baseline: true,
  async fn() {
    await (await app(new Request("http://x/health"))).bytes();
  },
});

Deno.bench({
  name: "GET /metrics",
  group: "scrape after 1,000 unknown paths",
  async fn() {
    await (await app(new Request("http://x/metrics"))).bytes();
  },
});
