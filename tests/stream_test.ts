import assert from "node:assert/strict";
import { byteChunks, streamResponse } from "../lib/files/chunked.ts";
import { PIXELS_BIN, withMedia } from "./_media.ts";
import { rawRequest } from "./_raw_http.ts";

const IDENTITY = { "accept-encoding": "identity" };
const SIZE = PIXELS_BIN.byteLength;

/** Chunk sizes of `size` bytes cut into `chunk`-byte pieces. */
function cuts(size: number, chunk: number): number[] {
  const sizes = Array<number>(Math.floor(size / chunk)).fill(chunk);
  if (size % chunk !== 0) sizes.push(size % chunk);
  return sizes;
}

async function chunksOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  return await Array.fromAsync(stream);
}

Deno.test("GET /stream/{path} sends the file chunked, without Content-Length", async () => {
  await withMedia({ "pixels.bin": PIXELS_BIN }, async ({ base }) => {
    const res = await rawRequest(Number(new URL(base).port), "/stream/pixels.bin", IDENTITY);
    assert.equal(res.status, 200);
    assert.deepEqual(
      Object.fromEntries([...res.headers].filter(([name]) => name !== "date")),
      {
        "cache-control": "public, max-age=3600",
        "connection": "close",
        "content-disposition": `inline; filename="pixels.bin"`,
        "content-type": "application/octet-stream",
        "transfer-encoding": "chunked",
        "x-content-type-options": "nosniff",
      },
    );
    assert.deepEqual(res.body, PIXELS_BIN);
  });
});

for (const chunk of [undefined, 1024, 10_000, 65_536]) {
  const label = chunk === undefined
    ? "GET /stream/{path} (default 64 KiB)"
    : `GET /stream/{path}?chunk=${chunk}`;
  Deno.test(`${label} frames chunks of exactly that size`, async () => {
    await withMedia({ "pixels.bin": PIXELS_BIN }, async ({ base }) => {
      const query = chunk === undefined ? "" : `?chunk=${chunk}`;
      const res = await rawRequest(Number(new URL(base).port), `/stream/pixels.bin${query}`);
      assert.deepEqual(res.body, PIXELS_BIN);
      assert.deepEqual(res.chunks, cuts(SIZE, chunk ?? 65_536));
    });
  });
}

Deno.test("GET /stream/{path}?chunk=80000 reads 80000-byte chunks, framed by Deno at 64 KiB", async () => {
  await withMedia({ "pixels.bin": PIXELS_BIN }, async ({ base }) => {
    const res = await rawRequest(Number(new URL(base).port), "/stream/pixels.bin?chunk=80000");
    assert.deepEqual(res.body, PIXELS_BIN);
    assert.deepEqual(res.chunks, [65_536, 80_000 - 65_536, 20_000]);
  });
});

for (const chunk of ["1023", "8388609", "abc", "-1", "1.5"]) {
  Deno.test(`GET /stream/{path}?chunk=${chunk} answers 400`, async () => {
    await withMedia({ "pixels.bin": PIXELS_BIN }, async ({ base }) => {
      const res = await fetch(`${base}/stream/pixels.bin?chunk=${chunk}`);
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), {
        error: "invalid_parameter",
        detail: `chunk must be an integer from 1024 to 8388608, got "${chunk}"`,
      });
    });
  });
}

Deno.test("HEAD /stream/{path} answers the headers and no body, without opening", async () => {
  await withMedia({ "pixels.bin": PIXELS_BIN }, async ({ base }) => {
    const res = await fetch(`${base}/stream/pixels.bin`, { method: "HEAD" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/octet-stream");
    assert.equal(res.headers.get("content-disposition"), `inline; filename="pixels.bin"`);
    assert.equal((await res.arrayBuffer()).byteLength, 0);
  });
});

Deno.test("streamResponse() answers HEAD with neither Content-Length nor a body on the wire", async () => {
  await withMedia({ "pixels.bin": PIXELS_BIN }, async ({ root }) => {
    const server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen() {} },
      (request) => streamResponse(`${root}/pixels.bin`, { request }),
    );
    try {
      const res = await rawRequest(server.addr.port, "/", {}, "HEAD");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-length"), null);
      assert.equal(res.headers.get("content-type"), "application/octet-stream");
      assert.equal(res.body.byteLength, 0);
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("GET /stream/{path} answers 404 for a dotfile, a folder and a missing file", async () => {
  await withMedia({ ".hidden": "x", "dir/a.bin": "y" }, async ({ base }) => {
    for (const path of [".hidden", "dir", "missing.bin"]) {
      const res = await fetch(`${base}/stream/${path}`);
      assert.equal(res.status, 404, path);
      assert.equal((await res.json()).error, "not_found");
    }
  });
});

Deno.test("streamResponse(Uint8Array) slices the bytes into chunkSize views", async () => {
  const res = await streamResponse(PIXELS_BIN, { chunkSize: 4096, contentType: "image/png" });
  assert.equal(res.headers.get("content-type"), "image/png");
  assert.equal(res.headers.get("content-length"), null);
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.equal(res.headers.get("content-disposition"), null);
  const chunks = await chunksOf(res.body!);
  assert.deepEqual(chunks.map((c) => c.byteLength), cuts(SIZE, 4096));
  assert.deepEqual(Uint8Array.from(chunks.flatMap((c) => [...c])), PIXELS_BIN);
});

for (const chunkSize of [3000, 80_000]) {
  Deno.test(`streamResponse(path, { chunkSize: ${chunkSize} }) reads chunks of that size`, async () => {
    await withMedia({ "pixels.bin": PIXELS_BIN }, async ({ root }) => {
      const res = await streamResponse(`${root}/pixels.bin`, { chunkSize, maxAge: 60 });
      assert.equal(res.headers.get("content-disposition"), `inline; filename="pixels.bin"`);
      assert.equal(res.headers.get("cache-control"), "public, max-age=60");
      const chunks = await chunksOf(res.body!);
      assert.deepEqual(chunks.map((c) => c.byteLength), cuts(SIZE, chunkSize));
      assert.deepEqual(Uint8Array.from(chunks.flatMap((c) => [...c])), PIXELS_BIN);
    });
  });
}

Deno.test("streamResponse(path) closes the file when the body is cancelled unread", async () => {
  await withMedia({ "pixels.bin": PIXELS_BIN }, async ({ root }) => {
    for (const chunkSize of [3000, 65_536]) {
      const res = await streamResponse(`${root}/pixels.bin`, { chunkSize });
      await res.body!.cancel();
    }
  });
});

Deno.test("streamResponse(ReadableStream) passes the chunks through as they come", async () => {
  const parts = [new Uint8Array([1, 2]), new Uint8Array([3])];
  const res = await streamResponse(ReadableStream.from(parts), { filename: "a.bin" });
  assert.equal(res.headers.get("content-type"), "application/octet-stream");
  assert.equal(res.headers.get("content-disposition"), `inline; filename="a.bin"`);
  assert.deepEqual(await chunksOf(res.body!), parts);
});

Deno.test("streamResponse() answers HEAD with an empty body and cancels a stream source", async () => {
  let cancelled = false;
  const source = new ReadableStream<Uint8Array>({
    cancel() {
      cancelled = true;
    },
  });
  const request = new Request("http://x/", { method: "HEAD" });
  const res = await streamResponse(source, { request });
  assert.deepEqual(await chunksOf(res.body!), []);
  assert.equal(cancelled, true);
});

Deno.test("streamResponse() refuses a chunkSize outside 1 KiB–8 MiB", async () => {
  for (const chunkSize of [1023, 8 * 1024 * 1024 + 1, 1.5]) {
    await assert.rejects(
      streamResponse(new Uint8Array(1), { chunkSize }),
      new RangeError(`chunkSize must be an integer from 1024 to 8388608, got ${chunkSize}`),
    );
  }
});

Deno.test("byteChunks() ends on the last chunk and stops on cancel", async () => {
  assert.deepEqual(
    (await chunksOf(byteChunks(new Uint8Array(10), 4))).map((c) => c.byteLength),
    [4, 4, 2],
  );
  assert.deepEqual(await chunksOf(byteChunks(new Uint8Array(), 4)), []);
  const reader = byteChunks(new Uint8Array(10), 4).getReader();
  assert.equal((await reader.read()).value?.byteLength, 4);
  await reader.cancel();
  assert.equal((await reader.read()).done, true);
});
