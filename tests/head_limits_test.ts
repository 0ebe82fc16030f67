import assert from "node:assert/strict";
import { assertError } from "./_arrays.ts";
import { rawRequest } from "./_raw_http.ts";
import { withServer } from "./_server.ts";

/** Sends a request head and reads the status line of the answer, before the peer resets. */
async function statusLine(port: number, head: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(head));
    const buf = new Uint8Array(1024);
    const n = await conn.read(buf);
    return new TextDecoder().decode(buf.subarray(0, n ?? 0)).split("\r\n")[0];
  } finally {
    conn.close();
  }
}

Deno.test("GET with a request target past MAX_URL_BYTES answers 414 in JSON", async () => {
  await withServer(async ({ base }) => {
    const target = `/files/${"a".repeat(8200)}`;
    const res = await fetch(`${base}${target}`);
    await assertError(
      res,
      414,
      "uri_too_long",
      `the request target is ${target.length} bytes, more than MAX_URL_BYTES (8192)`,
    );
    const ok = await fetch(`${base}/health`);
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  });
});

Deno.test("GET with headers past MAX_HEADER_BYTES answers 431 in JSON", async () => {
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/health`, { headers: { "x-big": "b".repeat(2000) } });
    const body = await res.json();
    assert.equal(res.status, 431, JSON.stringify(body));
    assert.equal(body.error, "headers_too_large");
    assert.match(
      body.detail,
      /^the request headers are \d+ bytes, more than MAX_HEADER_BYTES \(1024\)$/,
    );
    assert.ok(Number(/are (\d+) bytes/.exec(body.detail)?.[1]) > 2009);
  }, { maxHeaderBytes: 1024 });
});

Deno.test("a 64 KiB header reaches the app and gets its 431 JSON at the default limit", async () => {
  await withServer(async ({ base }) => {
    const port = Number(new URL(base).port);
    const res = await rawRequest(port, "/health", { "x-big": "c".repeat(60_000) });
    assert.equal(res.status, 431);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.equal(JSON.parse(new TextDecoder().decode(res.body)).error, "headers_too_large");
  });
});

Deno.test("a head past the runtime's 64 KiB gets its empty 400, and serving goes on", async () => {
  await withServer(async ({ base }) => {
    const port = Number(new URL(base).port);
    const line = await statusLine(port, `GET /${"d".repeat(70_000)} HTTP/1.1\r\nhost: x\r\n\r\n`);
    assert.equal(line, "HTTP/1.1 400 Bad Request");
    const ok = await fetch(`${base}/health`);
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  });
});
