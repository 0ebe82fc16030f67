import assert from "node:assert/strict";
import { parseNpy } from "../lib/arrays/npy.ts";
import { CodecError } from "../lib/codec_error.ts";
import { HttpError } from "../lib/errors.ts";
import { DecodePool } from "../lib/pool/decode_pool.ts";
import { post } from "./_arrays.ts";
import { gifWithFrame, jpegWithFrame } from "./_bombs.ts";
import { testConfig } from "./_server.ts";
import { createApp } from "../lib/app.ts";

/**
 * The app behind a wrapper that tells when the body of a `/decode` request has been read to
 * its end: the moment the app turns to decoding it.
 */
function signallingApp(app: (request: Request) => Response | Promise<Response>) {
  const bodyRead = Promise.withResolvers<void>();
  const handler = (request: Request) => {
    if (!request.url.includes("/decode") || request.body === null) return app(request);
    const body = request.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({ flush: () => bodyRead.resolve() }),
    );
    return app(new Request(request.url, { method: "POST", headers: request.headers, body }));
  };
  return { handler, bodyRead: bodyRead.promise };
}

Deno.test("GET /health answers while a slow JPEG decodes (decoding is off the event loop)", async () => {
  const bomb = await jpegWithFrame(2000, 2000);
  const { handler, bodyRead } = signallingApp(createApp(await testConfig()));
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, handler);
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    const order: string[] = [];
    const decoding = post(`${base}/decode.npy`, bomb, "image/jpeg").then(async (res) => {
      order.push("decode");
      return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()) };
    });
    await bodyRead;
    const health = await fetch(`${base}/health`);
    order.push("health");
    const answer = await health.json();
    assert.deepEqual([answer.status, answer.version], ["ok", "0.1.0"]);
    const { status, bytes } = await decoding;
    assert.equal(status, 200);
    assert.deepEqual(parseNpy(bytes).shape, [2000, 2000, 3]);
    assert.deepEqual(order, ["health", "decode"]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("DecodePool refuses a decode past its workers and queue with 503 decoder_busy", async () => {
  const pool = new DecodePool({ size: 1, queue: 0 });
  try {
    const bomb = await jpegWithFrame(1000, 1000);
    const first = pool.decode(bomb.slice(), 40_000_000);
    await assert.rejects(pool.decode(bomb.slice(), 40_000_000), (err: unknown) => {
      assert.ok(err instanceof HttpError);
      assert.equal(err.status, 503);
      assert.equal(err.code, "decoder_busy");
      assert.equal(err.headers.get("retry-after"), "1");
      return true;
    });
    const { width, height, rgba } = await first;
    assert.deepEqual([width, height, rgba.length], [1000, 1000, 4_000_000]);
  } finally {
    pool.close();
  }
});

Deno.test("DecodePool passes the decoder's typed errors back from its worker", async () => {
  const pool = new DecodePool({ size: 1 });
  try {
    await assert.rejects(
      pool.decode(gifWithFrame([1, 1], [0, 0, 20000, 20000]), 40_000_000),
      (err: unknown) => {
        assert.ok(err instanceof CodecError);
        assert.equal(err.kind, "unprocessable");
        assert.equal(err.code, "too_many_pixels");
        return true;
      },
    );
    await assert.rejects(pool.decode(new Uint8Array(8), 40_000_000), (err: unknown) => {
      assert.ok(err instanceof CodecError);
      assert.equal(err.kind, "unsupported_media");
      return true;
    });
  } finally {
    pool.close();
  }
});
