import assert from "node:assert/strict";
import { serverArgs } from "../lib/launch.ts";
import { PROJECT_DIR, testConfig, withServer } from "./_server.ts";
import { spawnServer } from "./_spawn.ts";

const IDENTITY = { "accept-encoding": "identity" };

/** A scrape: each sample line's series (`name{labels}`) → value. */
async function scrape(base: string): Promise<{ samples: Map<string, number>; bytes: number }> {
  const res = await fetch(`${base}/metrics`, { headers: IDENTITY });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  assert.equal(res.headers.get("cache-control"), "no-store");
  const text = await res.text();
  const samples = new Map<string, number>();
  for (const line of text.trimEnd().split("\n")) {
    if (line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return { samples, bytes: new TextEncoder().encode(text).byteLength };
}

/** `after - before` for every series that changed. */
function changes(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [series, value] of after) {
    const delta = value - (before.get(series) ?? 0);
    if (delta !== 0) out.set(series, delta);
  }
  return out;
}

function pick(map: Map<string, number>, prefix: string): Record<string, number> {
  return Object.fromEntries([...map].filter(([k]) => k.startsWith(prefix)));
}

const IMAGE = "/image.:ext(png|jpg|jpeg|webp|gif)";

Deno.test("GET /metrics counts known traffic exactly: requests, bytes, latency, cache", async () => {
  await withServer(async ({ base }) => {
    const first = await scrape(base);
    const sizes: number[] = [];
    for (let i = 0; i < 3; i++) {
      sizes.push(
        (await (await fetch(`${base}/image.png?width=8`, { headers: IDENTITY })).bytes())
          .byteLength,
      );
    }
    await (await fetch(`${base}/image.png?width=8`, { method: "HEAD" })).body?.cancel();
    const missing = [];
    for (const path of ["/nope-1", "/nope-2"]) {
      missing.push(
        (await (await fetch(`${base}${path}`, { headers: IDENTITY })).bytes()).byteLength,
      );
    }
    const refused = await fetch(`${base}/health`, { method: "POST", headers: IDENTITY });
    const refusedBytes = (await refused.bytes()).byteLength;
    const streamed =
      (await (await fetch(`${base}/stream/sample.png?chunk=1024`)).bytes()).byteLength;
    const second = await scrape(base);
    const delta = changes(first.samples, second.samples);
    assert.deepEqual(pick(delta, "pixserve_http_requests_total"), {
      [`pixserve_http_requests_total{route="${IMAGE}",method="GET",status="200"}`]: 3,
      [`pixserve_http_requests_total{route="${IMAGE}",method="HEAD",status="200"}`]: 1,
      [`pixserve_http_requests_total{route="unmatched",method="GET",status="404"}`]: 2,
      [`pixserve_http_requests_total{route="/health",method="POST",status="405"}`]: 1,
      [`pixserve_http_requests_total{route="/stream/:path+",method="GET",status="200"}`]: 1,
      [`pixserve_http_requests_total{route="/metrics",method="GET",status="200"}`]: 1,
    });
    assert.deepEqual(pick(delta, "pixserve_http_response_bytes_total"), {
      [`pixserve_http_response_bytes_total{route="${IMAGE}"}`]: sizes[0] + sizes[1] + sizes[2],
      [`pixserve_http_response_bytes_total{route="unmatched"}`]: missing[0] + missing[1],
      [`pixserve_http_response_bytes_total{route="/health"}`]: refusedBytes,
      [`pixserve_http_response_bytes_total{route="/stream/:path+"}`]: streamed,
      [`pixserve_http_response_bytes_total{route="/metrics"}`]: first.bytes,
    });
    const counts = pick(delta, "pixserve_http_request_duration_seconds_count");
    assert.deepEqual(counts, {
      [`pixserve_http_request_duration_seconds_count{route="${IMAGE}"}`]: 4,
      [`pixserve_http_request_duration_seconds_count{route="unmatched"}`]: 2,
      [`pixserve_http_request_duration_seconds_count{route="/health"}`]: 1,
      [`pixserve_http_request_duration_seconds_count{route="/stream/:path+"}`]: 1,
      [`pixserve_http_request_duration_seconds_count{route="/metrics"}`]: 1,
    });
    assert.equal(
      second.samples.get(
        `pixserve_http_request_duration_seconds_bucket{route="${IMAGE}",le="+Inf"}`,
      ),
      4,
    );
    // One encode (a miss), then a cache hit, then two answers from the memo in front of it.
    assert.equal(delta.get("pixserve_image_cache_misses_total"), 1);
    assert.equal(delta.get("pixserve_image_cache_hits_total"), 3);
    assert.equal(delta.get("pixserve_image_cache_entries"), 1);
    assert.equal(second.samples.get("pixserve_image_cache_bytes"), sizes[0]);
    assert.equal(second.samples.get("pixserve_encode_queue_length"), 0);
    assert.equal(second.samples.get("pixserve_encode_workers_busy"), 0);
    assert.equal(second.samples.get("pixserve_open_file_streams"), 0);
    assert.equal(second.samples.get("pixserve_stream_viewers"), 0);
  });
});

Deno.test("GET /metrics keeps one route label for any number of unknown paths", async () => {
  await withServer(async ({ base }) => {
    const before = await scrape(base);
    for (let i = 0; i < 1000; i++) {
      await (await fetch(`${base}/unknown/${i}?q=${i}`)).body?.cancel();
    }
    const after = await scrape(base);
    assert.equal(
      after.samples.get(
        `pixserve_http_requests_total{route="unmatched",method="GET",status="404"}`,
      ),
      1000,
    );
    // New series: for `unmatched` and for `/metrics` (the first scrape), one request count,
    // 14 buckets + `+Inf` + sum + count, and one byte count each.
    assert.equal(after.samples.size - before.samples.size, 2 * (1 + 17 + 1));
    assert.ok([...after.samples.keys()].every((series) => !series.includes("/unknown/")));
  });
});

Deno.test("GET /metrics is a 404 with METRICS=off", async () => {
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error, "not_found");
  }, { metrics: false });
});

Deno.test("GET /metrics sums the counters of every serving isolate (WORKERS=2)", async () => {
  const root = await Deno.realPath(`${PROJECT_DIR}/fixtures`);
  const config = await testConfig({ mediaRoot: root, workers: 2 });
  const server = await spawnServer(
    serverArgs(config, ["--port", "0", "--quiet", "--workers", "2"], PROJECT_DIR),
  );
  try {
    assert.ok(server.base !== undefined, server.line);
    const base = server.base;
    const before = await scrape(base);
    // Fresh connections, so that the kernel spreads them over both isolates.
    const clients = Array.from(
      { length: 40 },
      () => Deno.createHttpClient({ poolMaxIdlePerHost: 0 }),
    );
    try {
      await Promise.all(clients.map(async (client) => {
        await (await fetch(`${base}/health`, { client })).body?.cancel();
      }));
    } finally {
      for (const client of clients) client.close();
    }
    const after = await scrape(base);
    const series = `pixserve_http_requests_total{route="/health",method="GET",status="200"}`;
    assert.equal((after.samples.get(series) ?? 0) - (before.samples.get(series) ?? 0), 40);
    assert.equal(after.samples.get("pixserve_encode_workers"), 4);
  } finally {
    await server.close("SIGTERM");
  }
});

Deno.test("GET /metrics shows a file open while its body is sent, and closed after", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "pixserve-metrics-" }));
  // Larger than every socket buffer between server and client: the file stays open.
  await Deno.writeFile(`${root}/large.bin`, new Uint8Array(32 * 1024 * 1024));
  try {
    await streamOneFile(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

async function streamOneFile(mediaRoot: string): Promise<void> {
  await withServer(async ({ base }) => {
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    try {
      const res = await fetch(`${base}/stream/large.bin?chunk=1024`, { client });
      const reader = res.body!.getReader();
      assert.ok(((await reader.read()).value?.byteLength ?? 0) > 0);
      const during = await scrape(base);
      assert.equal(during.samples.get("pixserve_open_file_streams"), 1);
      await reader.cancel();
      // The server closes the file once it sees the client go; each scrape reads the count anew.
      let open = 1;
      for (let tries = 0; tries < 500 && open !== 0; tries++) {
        open = (await scrape(base)).samples.get("pixserve_open_file_streams") ?? -1;
      }
      assert.equal(open, 0);
    } finally {
      client.close();
    }
  }, { mediaRoot });
}
