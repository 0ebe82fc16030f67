import assert from "node:assert/strict";
import { createLogger, type LogEntry } from "../lib/log.ts";
import { withServer } from "./_server.ts";

/** The line of an entry logged at `time`, as JSON.stringify writes it. */
function expectedLine(entry: LogEntry, time: number): string {
  const { method, path, status, bytes } = entry;
  const ms = Math.round(entry.ms * 10) / 10;
  const query = entry.query || null;
  const error = entry.error ?? null;
  const client = entry.client ?? null;
  return JSON.stringify({
    time: new Date(time).toISOString(),
    method,
    path,
    query,
    status,
    bytes,
    error,
    client,
    ms,
  });
}

Deno.test("createLogger() writes one JSON object with the time as toISOString() does", () => {
  for (const t of [0, 999, 1000, 1_700_000_000_123, 1_700_000_000_999, 1_700_000_001_000]) {
    const now = new Date(t);
    const writes: string[] = [];
    const log = createLogger(
      false,
      (bytes) => writes.push(new TextDecoder().decode(bytes)),
      () => t,
    );
    log({ method: "GET", path: '/a"b\\c', status: 200, bytes: null, ms: 1.26 });
    log.flush();
    const line = writes.join("").trimEnd();
    assert.deepEqual(JSON.parse(line), {
      time: now.toISOString(),
      method: "GET",
      path: '/a"b\\c',
      query: null,
      status: 200,
      bytes: null,
      error: null,
      client: null,
      ms: 1.3,
    });
    assert.equal(
      line,
      expectedLine({ method: "GET", path: '/a"b\\c', status: 200, bytes: null, ms: 1.26 }, t),
    );
  }
});

Deno.test("createLogger() batches lines into one write and writes nothing when quiet", () => {
  const writes: string[] = [];
  const log = createLogger(false, (bytes) => writes.push(new TextDecoder().decode(bytes)));
  const entry: LogEntry = { method: "HEAD", path: "/x", status: 304, bytes: 0, ms: 0 };
  log(entry);
  log({ ...entry, status: 200 });
  log.flush();
  assert.equal(writes.length, 1);
  assert.deepEqual(
    writes[0].trimEnd().split("\n").map((line) => JSON.parse(line).status),
    [304, 200],
  );
  const quiet = createLogger(true, () => assert.fail("a quiet logger wrote"));
  quiet(entry);
  quiet.flush();
});

const IDENTITY = { "accept-encoding": "identity" };

Deno.test("the app logs query, real bytes, error code and client for each request", async () => {
  const entries: LogEntry[] = [];
  const sample = await Deno.readFile(new URL("../fixtures/sample.png", import.meta.url));
  await withServer(
    async ({ base }) => {
      const sizes: number[] = [];
      for (let i = 0; i < 3; i++) {
        const png = await fetch(`${base}/image.png?width=4`, { headers: IDENTITY });
        sizes.push((await png.bytes()).byteLength);
      }
      const missing = await fetch(`${base}/nope?x=1&y=%20`, { headers: IDENTITY });
      const missingBytes = (await missing.bytes()).byteLength;
      const head = await fetch(`${base}/image.png?width=4`, { method: "HEAD" });
      await head.body?.cancel();
      const health = await fetch(`${base}/health`, { headers: IDENTITY });
      const healthBytes = (await health.bytes()).byteLength;
      const stream = await fetch(`${base}/stream/sample.png?chunk=1024`, { headers: IDENTITY });
      assert.equal(stream.headers.get("content-length"), null);
      const streamed = (await stream.bytes()).byteLength;
      const proxied = await fetch(`${base}/health`, {
        headers: { ...IDENTITY, "x-forwarded-for": "203.0.113.9" },
      });
      await proxied.body?.cancel();
      assert.equal(streamed, sample.byteLength);
      assert.equal(sizes[0], sizes[2]);
      const client = "127.0.0.1";
      assert.deepEqual(
        entries.map(({ ms: _, ...fields }) => fields),
        [
          {
            method: "GET",
            path: "/image.png",
            query: "width=4",
            status: 200,
            bytes: sizes[0],
            error: undefined,
            client,
          },
          {
            method: "GET",
            path: "/image.png",
            query: "width=4",
            status: 200,
            bytes: sizes[1],
            error: undefined,
            client,
          },
          {
            method: "GET",
            path: "/image.png",
            query: "width=4",
            status: 200,
            bytes: sizes[2],
            client,
          },
          {
            method: "GET",
            path: "/nope",
            query: "x=1&y=%20",
            status: 404,
            bytes: missingBytes,
            error: "not_found",
            client,
          },
          { method: "HEAD", path: "/image.png", query: "width=4", status: 200, bytes: 0, client },
          {
            method: "GET",
            path: "/health",
            query: "",
            status: 200,
            bytes: healthBytes,
            error: undefined,
            client,
          },
          {
            method: "GET",
            path: "/stream/sample.png",
            query: "chunk=1024",
            status: 200,
            bytes: sample.byteLength,
            error: undefined,
            client,
          },
          {
            method: "GET",
            path: "/health",
            query: "",
            status: 200,
            bytes: healthBytes,
            error: undefined,
            client,
          },
        ],
      );
      assert.equal(missingBytes, Number(missing.headers.get("content-length")));
      assert.equal(healthBytes, Number(health.headers.get("content-length")));
      assert.ok(entries.every((e) => e.ms >= 0 && Number.isFinite(e.ms)));
    },
    {},
    { log: (entry) => entries.push(entry) },
  );
});

Deno.test("the app logs the client from X-Forwarded-For only with TRUST_PROXY", async () => {
  for (const trustProxy of [true, false]) {
    const entries: LogEntry[] = [];
    await withServer(
      async ({ base }) => {
        const headers = { "x-forwarded-for": "198.51.100.7, 203.0.113.9 " };
        await (await fetch(`${base}/health`, { headers })).body?.cancel();
        await (await fetch(`${base}/health`)).body?.cancel();
      },
      { trustProxy },
      { log: (entry) => entries.push(entry) },
    );
    assert.deepEqual(
      entries.map((e) => e.client),
      trustProxy ? ["203.0.113.9", "127.0.0.1"] : ["127.0.0.1", "127.0.0.1"],
    );
  }
});

Deno.test("createLogger() writes the lines JSON.stringify() does, for runs of equal requests", () => {
  const writes: string[] = [];
  const log = createLogger(false, (bytes) => writes.push(new TextDecoder().decode(bytes)));
  const entries: LogEntry[] = [
    { method: "GET", path: "/image.png", status: 200, bytes: 1266, ms: 0.04 },
    { method: "GET", path: "/image.png", status: 200, bytes: 1266, ms: 0.26 },
    { method: "HEAD", path: "/image.png", status: 200, bytes: 1266, ms: 0 },
    { method: "HEAD", path: "/image.png", status: 304, bytes: 1266, ms: 0 },
    { method: "HEAD", path: "/image.png", status: 304, bytes: null, ms: 0 },
    { method: "GET", path: '/a"b', status: 304, bytes: null, ms: 12.25 },
    { method: "GET", path: '/a"b', status: 304, bytes: null, ms: 12.25 },
    { method: "GET", path: "/é", status: 200, bytes: 7, ms: 9.96 },
    { method: "GET", path: "/é", status: 200, bytes: 7, ms: 1234567.89 },
    { method: "GET", path: "/é", status: 200, bytes: 7, ms: 0.05 },
  ];
  const before = Date.now();
  for (const entry of entries) log(entry);
  log.flush();
  const after = Date.now();
  const lines = writes.join("").split("\n");
  assert.equal(lines.pop(), "");
  assert.equal(lines.length, entries.length);
  for (const [i, line] of lines.entries()) {
    const { time, ...fields } = JSON.parse(line);
    const ms = Date.parse(time);
    assert.ok(ms >= before && ms <= after, time);
    assert.equal(line, expectedLine(entries[i], ms));
    assert.deepEqual(fields, {
      query: null,
      error: null,
      client: null,
      ...entries[i],
      ms: Math.round(entries[i].ms * 10) / 10,
    });
  }
});

Deno.test("createLogger() writes lines longer than its buffer whole, in order", () => {
  const writes: string[] = [];
  const log = createLogger(false, (bytes) => writes.push(new TextDecoder().decode(bytes)));
  const long = `/${"x".repeat(200_000)}`;
  log({ method: "GET", path: "/a", status: 200, bytes: 1, ms: 0 });
  log({ method: "GET", path: long, status: 404, bytes: null, ms: 1 });
  log({ method: "GET", path: "/b", status: 200, bytes: 1, ms: 0 });
  log.flush();
  const lines = writes.join("").trimEnd().split("\n").map((line) => JSON.parse(line).path);
  assert.deepEqual(lines, ["/a", long, "/b"]);
});
