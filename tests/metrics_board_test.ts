import assert from "node:assert/strict";
import { createBoardBuffer, LATENCY_BUCKETS, MetricsBoard } from "../lib/metrics/board.ts";
import { escapeLabel, renderExposition } from "../lib/metrics/exposition.ts";
import { declaresBody, queryOf } from "../lib/http/request_facts.ts";

Deno.test("MetricsBoard sums the regions of every isolate sharing one buffer", () => {
  const buffer = createBoardBuffer(2);
  const first = new MetricsBoard(buffer, 0);
  const second = new MetricsBoard(buffer, 1);
  first.observe({ route: 0, method: "GET", status: 200, seconds: 0.0005 });
  second.observe({ route: 0, method: "GET", status: 200, seconds: 0.003 });
  second.observe({ route: -1, method: "PATCH", status: 299, seconds: 20 });
  first.addBytes(0, 100);
  second.addBytes(0, 23);
  first.set("cacheBytes", 7);
  second.set("cacheBytes", 5);
  second.add("encodeRejected", 1);
  second.add("encodeRejected", 1);
  for (const board of [first, second]) {
    const totals = board.totals();
    assert.deepEqual([...totals.requests], [["0 0 0", 2], ["62 3 32", 1]]);
    assert.equal(totals.bytes[0], 123);
    assert.equal(totals.scalars.cacheBytes, 12);
    assert.equal(totals.scalars.encodeRejected, 2);
    assert.equal(totals.latencySum[0], 0.0035);
    // 0.0005 s is in the first bucket (le is inclusive), 0.003 s in le=0.005, 20 s in +Inf.
    const route0 = totals.latency[0];
    assert.equal(route0[0], 1);
    assert.equal(route0[LATENCY_BUCKETS.indexOf(0.005)], 1);
    assert.equal(totals.latency[62][LATENCY_BUCKETS.length], 1);
  }
  assert.throws(() => new MetricsBoard(buffer, 2), RangeError);
});

Deno.test("renderExposition() writes the text format with cumulative buckets and bounded labels", () => {
  const board = new MetricsBoard(createBoardBuffer(1), 0);
  board.observe({ route: 0, method: "HEAD", status: 304, seconds: 0.002 });
  board.observe({ route: -1, method: "DELETE", status: 404, seconds: 0.0001 });
  board.addBytes(-1, 88);
  const lines = renderExposition(board.totals(), ['/a"b']).split("\n");
  assert.ok(
    lines.includes('pixserve_http_requests_total{route="/a\\"b",method="HEAD",status="304"} 1'),
  );
  assert.ok(
    lines.includes('pixserve_http_requests_total{route="unmatched",method="OTHER",status="404"} 1'),
  );
  assert.ok(
    lines.includes('pixserve_http_request_duration_seconds_bucket{route="/a\\"b",le="0.001"} 0'),
  );
  assert.ok(
    lines.includes('pixserve_http_request_duration_seconds_bucket{route="/a\\"b",le="0.0025"} 1'),
  );
  assert.ok(
    lines.includes('pixserve_http_request_duration_seconds_bucket{route="/a\\"b",le="+Inf"} 1'),
  );
  assert.ok(lines.includes('pixserve_http_request_duration_seconds_count{route="/a\\"b"} 1'));
  assert.ok(lines.includes('pixserve_http_response_bytes_total{route="unmatched"} 88'));
  assert.ok(lines.includes("# TYPE pixserve_http_request_duration_seconds histogram"));
  assert.ok(lines.includes("pixserve_image_cache_hits_total 0"));
  assert.equal(lines.at(-1), "");
  for (const line of lines.slice(0, -1)) {
    assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? [0-9.e+-]+)$/, line);
  }
});

Deno.test("escapeLabel() escapes backslash, quote and newline", () => {
  assert.equal(escapeLabel('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
});

Deno.test("queryOf() takes the query without ? and fragment", () => {
  const table: [string, string][] = [
    ["http://x/a", ""],
    ["http://x/a?", ""],
    ["http://x/a?w=1&h=2", "w=1&h=2"],
    ["http://x/a?w=1?2", "w=1?2"],
    ["http://x/a?w=1#f?g", "w=1"],
    ["http://x/a#f?g", ""],
  ];
  for (const [url, query] of table) assert.equal(queryOf(url), query, url);
});

Deno.test("declaresBody() is true for a Content-Length above 0 or a chunked body, false otherwise", () => {
  const head = (headers: Record<string, string>) =>
    declaresBody(new Request("http://x/", { method: "POST", headers }));
  assert.equal(head({ "content-length": "1000" }), true);
  assert.equal(head({ "transfer-encoding": "chunked" }), true);
  assert.equal(head({ "content-length": "0" }), false);
  assert.equal(head({}), false);
  assert.equal(declaresBody(new Request("http://x/health")), false);
});
