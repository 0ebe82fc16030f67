import assert from "node:assert/strict";
import { createLogger, type LogEntry } from "../lib/log.ts";
import { withServer } from "./_server.ts";

/** The line of an entry logged at `time`, as JSON.stringify writes it. */
function expectedLine(entry: LogEntry, time: number): string {
  const { method, path, status, bytes } = entry;
  const ms = Math.round(entry.ms * 10) / 10;
  return JSON.stringify({ time: new Date(time).toISOString(), method, path, status, bytes, ms });
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
      status: 200,
      bytes: null,
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

Deno.test("the app logs one entry per request: method, path, status, bytes, ms", async () => {
  const entries: LogEntry[] = [];
  await withServer(
    async ({ base }) => {
      const png = await fetch(`${base}/image.png?width=4`, {
        headers: { "accept-encoding": "identity" },
      });
      const size = (await png.arrayBuffer()).byteLength;
      await (await fetch(`${base}/nope?x=1`)).body?.cancel();
      const head = await fetch(`${base}/image.png`, { method: "HEAD" });
      await head.body?.cancel();
      const headBytes = Number(head.headers.get("content-length"));
      assert.ok(headBytes > 0);
      assert.deepEqual(
        entries.map(({ method, path, status, bytes }) => ({ method, path, status, bytes })),
        [
          { method: "GET", path: "/image.png", status: 200, bytes: size },
          { method: "GET", path: "/nope", status: 404, bytes: null },
          { method: "HEAD", path: "/image.png", status: 200, bytes: headBytes },
        ],
      );
      assert.ok(entries.every((e) => e.ms >= 0 && Number.isFinite(e.ms)));
    },
    {},
    { log: (entry) => entries.push(entry) },
  );
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
    assert.deepEqual(fields, { ...entries[i], ms: Math.round(entries[i].ms * 10) / 10 });
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
