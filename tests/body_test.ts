import assert from "node:assert/strict";
import { readBody } from "../lib/body.ts";
import { joinChunks } from "../lib/chunks.ts";
import type { LogEntry } from "../lib/log.ts";
import { assertError, assertThrowsHttp, post } from "./_arrays.ts";
import { withServer } from "./_server.ts";

const LIMIT = 1024;
const TOO_LARGE = `the request body is larger than MAX_BODY_BYTES (${LIMIT} bytes)`;

/** A stream of `count` chunks of `size` bytes, counting how many were pulled. */
function chunks(
  count: number,
  size: number,
): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === count) {
        controller.close();
        return;
      }
      pulled++;
      controller.enqueue(new Uint8Array(size).fill(7));
    },
  });
  return { stream, pulled: () => pulled };
}

Deno.test("readBody() reads a streamed body whole", async () => {
  const { stream } = chunks(3, 100);
  const body = await readBody(new Request("http://x/", { method: "POST", body: stream }), LIMIT);
  assert.equal(body.length, 300);
  assert.ok(body.every((b) => b === 7));
});

Deno.test("readBody() answers an empty body for a request without one", async () => {
  assert.equal((await readBody(new Request("http://x/"), LIMIT)).length, 0);
});

Deno.test("readBody() accepts exactly the limit", async () => {
  const request = new Request("http://x/", { method: "POST", body: new Uint8Array(LIMIT) });
  assert.equal((await readBody(request, LIMIT)).length, LIMIT);
});

Deno.test("readBody() reads a body with Content-Length whole without opening request.body", async () => {
  // Once `request.body` exists, the runtime gathers `bytes()` chunk by chunk in JavaScript.
  const request = new Request("http://x/", {
    method: "POST",
    body: new Uint8Array(LIMIT).fill(9),
    headers: { "content-length": String(LIMIT) },
  });
  let opened = 0;
  const body = Object.getOwnPropertyDescriptor(Request.prototype, "body")!.get!;
  Object.defineProperty(request, "body", {
    get() {
      opened++;
      return body.call(this);
    },
  });
  const bytes = await readBody(request, LIMIT);
  assert.equal(opened, 0);
  assert.equal(bytes.length, LIMIT);
  assert.ok(bytes.every((b) => b === 9));
});

Deno.test("readBody() refuses a declared Content-Length over the limit before reading", async () => {
  const { stream, pulled } = chunks(1000, 1000);
  const request = new Request("http://x/", {
    method: "POST",
    body: stream,
    headers: { "content-length": String(LIMIT + 1) },
  });
  await assertThrowsHttp(() => readBody(request, LIMIT), 413, "payload_too_large", TOO_LARGE);
  assert.ok(pulled() <= 1);
});

Deno.test("readBody() refuses a body longer than the limit when Content-Length lies low", async () => {
  const { stream } = chunks(20, 100);
  const request = new Request("http://x/", {
    method: "POST",
    body: stream,
    headers: { "content-length": "10" },
  });
  await assertThrowsHttp(() => readBody(request, LIMIT), 413, "payload_too_large", TOO_LARGE);
});

Deno.test("readBody() reads a body with Content-Length whole, byte for byte", async () => {
  const sent = Uint8Array.from({ length: LIMIT }, (_, i) => i * 7);
  const request = new Request("http://x/", {
    method: "POST",
    body: sent,
    headers: { "content-length": String(LIMIT) },
  });
  assert.deepEqual(await readBody(request, LIMIT), sent);
});

for (const [declared, label] of [[10, "low"], [LIMIT, "high"]] as const) {
  Deno.test(`readBody() with a pause limit reads the bytes sent when Content-Length lies ${label}`, async () => {
    const sent = Uint8Array.from({ length: 300 }, (_, i) => i * 7);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < sent.length; at += 64) controller.enqueue(sent.slice(at, at + 64));
        controller.close();
      },
    });
    const request = new Request("http://x/", {
      method: "POST",
      body: stream,
      headers: { "content-length": String(declared) },
    });
    const body = await readBody(request, LIMIT, { idleTimeoutSeconds: 30 });
    assert.deepEqual(body, sent);
    assert.equal(body.buffer.byteLength, sent.length, "no spare bytes behind the body");
  });
}

Deno.test("readBody() with a pause limit refuses a body past the limit whatever it declares", async () => {
  for (const declared of [500, undefined]) {
    const { stream, pulled } = chunks(20, 100);
    const request = new Request("http://x/", {
      method: "POST",
      body: stream,
      headers: declared === undefined ? {} : { "content-length": String(declared) },
    });
    await assertThrowsHttp(
      () => readBody(request, LIMIT, { idleTimeoutSeconds: 30 }),
      413,
      "payload_too_large",
      TOO_LARGE,
    );
    // A small declared body is read in one piece (a server's body ends at its length, so only
    // a request built in code can lie); an undeclared one stops at the limit.
    if (declared === undefined) assert.ok(pulled() <= 12, `read ${pulled()} chunks of 100 bytes`);
  }
});

Deno.test("readBody() asks whether others wait once per megabyte, and reads on after pausing", async () => {
  const sent = Uint8Array.from({ length: 3 * 1024 * 1024 + 5 }, (_, i) => (i * 31) & 255);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < sent.length; at += 65536) {
        controller.enqueue(sent.slice(at, at + 65536));
      }
      controller.close();
    },
  });
  const request = new Request("http://x/", { method: "POST", body: stream });
  let asked = 0;
  const body = await readBody(request, sent.length, {
    idleTimeoutSeconds: 30,
    othersWaiting: () => ++asked > 0,
  });
  assert.deepEqual(body, sent);
  assert.equal(asked, 3);
});

Deno.test("readBody() stops at the limit without Content-Length", async () => {
  const { stream, pulled } = chunks(1000, 100);
  const request = new Request("http://x/", { method: "POST", body: stream });
  await assertThrowsHttp(() => readBody(request, LIMIT), 413, "payload_too_large", TOO_LARGE);
  assert.ok(pulled() <= 12, `pulled ${pulled()} chunks of 100 bytes for a 1024-byte limit`);
});

Deno.test("POST /render.png answers 413 for a body one byte over MAX_BODY_BYTES", async () => {
  await withServer(async ({ base }) => {
    const res = await post(`${base}/render.png`, new Uint8Array(LIMIT + 1), "application/x-npy");
    await assertError(res, 413, "payload_too_large", TOO_LARGE);
  }, { maxBodyBytes: LIMIT });
});

Deno.test("POST /decode.npy answers 413 for a body over MAX_BODY_BYTES", async () => {
  await withServer(async ({ base }) => {
    const res = await post(`${base}/decode.npy`, new Uint8Array(LIMIT + 1), "image/png");
    await assertError(res, 413, "payload_too_large", TOO_LARGE);
  }, { maxBodyBytes: LIMIT });
});

Deno.test("POST /render.png answers 413 to a chunked upload that never ends", async () => {
  await withServer(async ({ base }) => {
    const { stream, pulled } = chunks(2000, 64 * 1024);
    const res = await fetch(`${base}/render.png`, {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/x-npy" },
    });
    await assertError(res, 413, "payload_too_large", TOO_LARGE);
    assert.ok(pulled() < 2000, "the server waited for the whole upload");
    await stream.cancel().catch(() => {});
  }, { maxBodyBytes: LIMIT });
});

/**
 * Sends raw HTTP/1.1 bytes and reads one answer: its head, then as many body
 * bytes as its Content-Length says (the server may keep the connection open).
 */
async function rawExchange(base: string, request: string): Promise<{ head: string; body: string }> {
  const { hostname, port } = new URL(base);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(new TextEncoder().encode(request));
    let text = "";
    const buf = new Uint8Array(16 * 1024);
    for (;;) {
      const split = text.indexOf("\r\n\r\n");
      const length = /content-length: (\d+)/i.exec(text.slice(0, split));
      if (split !== -1 && length !== null && text.length >= split + 4 + Number(length[1])) {
        return { head: text.slice(0, split), body: text.slice(split + 4) };
      }
      const n = await conn.read(buf);
      if (n === null) {
        throw new Error(`the server closed the connection after ${JSON.stringify(text)}`);
      }
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
  } finally {
    conn.close();
  }
}

Deno.test("POST /render.png answers 413 at once to a Content-Length that lies high", async () => {
  await withServer(async ({ base }) => {
    const { head, body } = await rawExchange(
      base,
      "POST /render.png HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-npy\r\n" +
        "Content-Length: 5000000000\r\nConnection: close\r\n\r\n" + "x".repeat(100),
    );
    assert.match(head, /^HTTP\/1\.1 413 /);
    assert.deepEqual(JSON.parse(body), { error: "payload_too_large", detail: TOO_LARGE });
  }, { maxBodyBytes: LIMIT });
});

Deno.test("POST /render.png answers 413 to raw chunked encoding past the limit", async () => {
  await withServer(async ({ base }) => {
    const chunk = `400\r\n${"x".repeat(1024)}\r\n`;
    const { head, body } = await rawExchange(
      base,
      "POST /render.png HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-npy\r\n" +
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunk + chunk + "0\r\n\r\n",
    );
    assert.match(head, /^HTTP\/1\.1 413 /);
    assert.deepEqual(JSON.parse(body), { error: "payload_too_large", detail: TOO_LARGE });
  }, { maxBodyBytes: LIMIT });
});

const INCOMPLETE =
  "the request body could not be read whole: the connection closed before it ended";

Deno.test("readBody() answers 400 body_incomplete when the body stream fails", async () => {
  const cases: Record<string, string>[] = [{}, { "content-length": "100" }];
  for (const headers of cases) {
    let sent = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error("connection reset"));
        sent = true;
        controller.enqueue(new Uint8Array(10));
      },
    });
    const request = new Request("http://x/", { method: "POST", body: stream, headers });
    await assertThrowsHttp(() => readBody(request, LIMIT), 400, "body_incomplete", INCOMPLETE);
  }
});

Deno.test("POST /render.png logs 400, not a fault, when the client leaves mid-body", async () => {
  const logged = Promise.withResolvers<LogEntry>();
  await withServer(
    async ({ base }) => {
      const { hostname, port } = new URL(base);
      const conn = await Deno.connect({ hostname, port: Number(port) });
      try {
        await conn.write(
          new TextEncoder().encode(
            "POST /render.png HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-npy\r\n" +
              "Content-Length: 1000\r\n\r\n" + "x".repeat(10),
          ),
        );
        await conn.closeWrite();
        const entry = await logged.promise;
        assert.deepEqual(
          { method: entry.method, path: entry.path, status: entry.status },
          { method: "POST", path: "/render.png", status: 400 },
        );
      } finally {
        conn.close();
      }
    },
    { maxBodyBytes: LIMIT * 1024 },
    { log: (entry) => logged.resolve(entry) },
  );
});

Deno.test("joinChunks() returns a lone chunk itself and joins several in order", () => {
  const lone = new Uint8Array([1, 2]);
  assert.equal(joinChunks([lone], 2), lone);
  const joined = joinChunks([new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3])], 3);
  assert.deepEqual(joined, new Uint8Array([1, 2, 3]));
  assert.deepEqual(joinChunks([], 0), new Uint8Array(0));
});
