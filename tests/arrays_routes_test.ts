import assert from "node:assert/strict";
import { parseArrayJson } from "../lib/arrays/json.ts";
import { parseNpy } from "../lib/arrays/npy.ts";
import { etagOf } from "../lib/http/conditional.ts";
import { assertError, readGzipFixture } from "./_arrays.ts";
import { withServer } from "./_server.ts";

const IDENTITY = { "accept-encoding": "identity" };

for (
  const [ext, type, disposition, fixture] of [
    ["json", "application/json", 'inline; filename="sample.json"', "sample.json.gz"],
    ["npy", "application/x-npy", 'attachment; filename="sample.npy"', "sample.npy.gz"],
  ] as const
) {
  Deno.test(`GET /image.${ext} is byte for byte what NumPy wrote, with exact headers`, async () => {
    await withServer(async ({ base }) => {
      const res = await fetch(`${base}/image.${ext}`, { headers: IDENTITY });
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(res.status, 200);
      assert.deepEqual(bytes, await readGzipFixture(fixture));
      assert.equal(res.headers.get("content-type"), type);
      assert.equal(res.headers.get("content-length"), String(bytes.byteLength));
      assert.equal(res.headers.get("content-disposition"), disposition);
      assert.equal(res.headers.get("etag"), await etagOf(bytes));
      assert.equal(res.headers.get("cache-control"), "public, max-age=3600");
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(res.headers.get("x-array-shape"), "512,512,3");
      assert.equal(res.headers.get("x-array-dtype"), "uint8");
    });
  });

  Deno.test(`HEAD /image.${ext} sends the headers of GET and no body`, async () => {
    await withServer(async ({ base }) => {
      const get = await fetch(`${base}/image.${ext}`, { headers: IDENTITY });
      await get.body?.cancel();
      const head = await fetch(`${base}/image.${ext}`, { method: "HEAD", headers: IDENTITY });
      assert.equal(head.status, 200);
      assert.equal(await head.text(), "");
      for (const name of ["content-type", "content-length", "etag", "x-array-shape"]) {
        assert.equal(head.headers.get(name), get.headers.get(name), name);
      }
    });
  });

  Deno.test(`GET /image.${ext} answers 304 to its own ETag`, async () => {
    await withServer(async ({ base }) => {
      const first = await fetch(`${base}/image.${ext}`, { headers: IDENTITY });
      await first.body?.cancel();
      const etag = first.headers.get("etag") ?? "";
      const again = await fetch(`${base}/image.${ext}`, {
        headers: { ...IDENTITY, "if-none-match": `W/${etag}` },
      });
      assert.equal(again.status, 304);
      assert.equal(await again.text(), "");
      assert.equal(again.headers.get("etag"), etag);
      assert.equal(again.headers.get("cache-control"), "public, max-age=3600");
    });
  });
}

Deno.test("GET /image.json?mode=&order= answers gray, rgba and BGR", async () => {
  await withServer(async ({ base }) => {
    for (
      const [query, shape, first, last] of [
        ["?mode=gray", "512,512", [76], [0]],
        ["?mode=rgba", "512,512,4", [255, 0, 0, 255], [0, 0, 0, 255]],
        ["?mode=rgb&order=bgr", "512,512,3", [0, 0, 255], [0, 0, 0]],
        ["?mode=rgba&order=bgr", "512,512,4", [0, 0, 255, 255], [0, 0, 0, 255]],
        ["?mode=gray&order=bgr", "512,512", [76], [0]],
      ] as const
    ) {
      const res = await fetch(`${base}/image.json${query}`, { headers: IDENTITY });
      assert.equal(res.headers.get("x-array-shape"), shape, query);
      const array = parseArrayJson(new Uint8Array(await res.arrayBuffer()));
      assert.equal(array.shape.join(","), shape, query);
      const c = first.length;
      assert.deepEqual([...array.data.subarray(0, c)], first, query);
      assert.deepEqual([...array.data.subarray(array.data.length - c)], last, query);
    }
  });
});

Deno.test("GET /image.npy?mode=gray is the BT.601 luma of the sample", async () => {
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/image.npy?mode=gray&filename=gray.npy`);
    assert.equal(res.headers.get("content-disposition"), 'attachment; filename="gray.npy"');
    const gray = parseNpy(new Uint8Array(await res.arrayBuffer()));
    assert.deepEqual(gray.shape, [512, 512]);
    const red = Math.round(0.299 * 255);
    for (const [y, x, v] of [[0, 0, red], [255, 255, red], [0, 256, 0], [511, 511, 0]]) {
      assert.equal(gray.data[y * 512 + x], v, `(${x},${y})`);
    }
  });
});

Deno.test("GET /image.json?download offers the JSON as an attachment", async () => {
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/image.json?download`, { method: "HEAD" });
    assert.equal(res.headers.get("content-disposition"), 'attachment; filename="sample.json"');
  });
});

Deno.test("GET /image.json answers 400 for a bad mode", async () => {
  await withServer(async ({ base }) => {
    await assertError(
      await fetch(`${base}/image.json?mode=bgr`),
      400,
      "invalid_parameter",
      'mode must be one of gray, rgb, rgba, got "bgr"',
    );
  });
});

Deno.test("POST /image.npy answers 405 with Allow: GET, HEAD", async () => {
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/image.npy`, { method: "POST", body: "x" });
    assert.equal(res.headers.get("allow"), "GET, HEAD");
    await assertError(res, 405, "method_not_allowed", "POST is not allowed here; use GET, HEAD");
  });
});
