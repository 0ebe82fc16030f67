import assert from "node:assert/strict";
import type { LogEntry } from "../lib/log.ts";
import { assertError, post } from "./_arrays.ts";
import { decodePixels } from "./_pixels.ts";
import { withServer } from "./_server.ts";

/**
 * Starts a POST /render.png that declares `length` body bytes and sends none, and resolves
 * once the server answers `100 Continue`: it has admitted the body and is reading it.
 */
async function stalledRender(port: number, length: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const head = "POST /render.png HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-npy\r\n" +
    `content-length: ${length}\r\nexpect: 100-continue\r\n\r\n`;
  await conn.write(new TextEncoder().encode(head));
  const buf = new Uint8Array(256);
  const n = await conn.read(buf);
  assert.match(new TextDecoder().decode(buf.subarray(0, n ?? 0)), /^HTTP\/1\.1 100 Continue/);
  return conn;
}

Deno.test("GET /image.png answers 503 memory_busy past MAX_INFLIGHT_BYTES, then serves", async () => {
  const finished: LogEntry[] = [];
  const logged = { next: Promise.withResolvers<void>() };
  const log = (entry: LogEntry) => {
    finished.push(entry);
    logged.next.resolve();
  };
  await withServer(
    async ({ base }) => {
      const port = Number(new URL(base).port);
      const conn = await stalledRender(port, 3_000_000);
      const busy = await fetch(`${base}/image.png?width=1000&height=1000`);
      assert.equal(busy.headers.get("retry-after"), "1");
      await assertError(
        busy,
        503,
        "memory_busy",
        "3000000 bytes of pixels are in flight and this request needs 4000000 more, " +
          "past MAX_INFLIGHT_BYTES (5000000); retry in 1 s",
      );
      conn.close();
      while (!finished.some((e) => e.path === "/render.png")) {
        logged.next = Promise.withResolvers<void>();
        await logged.next.promise;
      }
      const ok = await fetch(`${base}/image.png?width=1000&height=1000`);
      assert.equal(ok.status, 200);
      const image = await decodePixels(new Uint8Array(await ok.arrayBuffer()));
      assert.deepEqual([image.width, image.height], [1000, 1000]);
    },
    { maxInflightBytes: 5_000_000 },
    { log },
  );
});

Deno.test("a request alone is admitted even past MAX_INFLIGHT_BYTES", async () => {
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/image.png?width=600&height=500`);
    assert.equal(res.status, 200);
    const image = await decodePixels(new Uint8Array(await res.arrayBuffer()));
    assert.deepEqual([image.width, image.height], [600, 500]);
  }, { maxInflightBytes: 1000 });
});

Deno.test("POST /decode.npy alone is admitted past MAX_INFLIGHT_BYTES, its body counted as its own", async () => {
  await withServer(async ({ base }) => {
    const png = await Deno.readFile(new URL("../fixtures/sample.png", import.meta.url));
    const res = await post(`${base}/decode.npy`, png, "image/png");
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(res.status, 200, new TextDecoder().decode(bytes));
    assert.equal(res.headers.get("x-array-shape"), "512,512,4");
  }, { maxInflightBytes: 1000 });
});
