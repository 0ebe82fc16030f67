import assert from "node:assert/strict";
import { colormap, COLORMAP_NAMES } from "../lib/arrays/colormaps.ts";
import { assertError } from "./_arrays.ts";
import { decodePixels } from "./_pixels.ts";
import { withServer } from "./_server.ts";

Deno.test("GET /colormaps lists every colormap name and labels", async () => {
  await withServer(async ({ base, config }) => {
    const res = await fetch(`${base}/colormaps`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.equal(res.headers.get("cache-control"), `public, max-age=${config.cacheMaxAge}`);
    assert.deepEqual(await res.json(), {
      colormaps: COLORMAP_NAMES,
      special: ["labels"],
      matplotlib: "3.6.3",
    });
  });
});

Deno.test("GET /colormaps/viridis.png draws the bar low end left, cached with an ETag", async () => {
  await withServer(async ({ base, config }) => {
    const res = await fetch(`${base}/colormaps/viridis.png?width=512&height=3`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "image/png");
    assert.equal(res.headers.get("cache-control"), `public, max-age=${config.cacheMaxAge}`);
    assert.equal(res.headers.get("content-disposition"), 'inline; filename="viridis.png"');
    const etag = res.headers.get("etag");
    assert.match(etag ?? "", /^"/);
    const pixels = await decodePixels(new Uint8Array(await res.arrayBuffer()));
    assert.equal(pixels.width, 512);
    assert.equal(pixels.height, 3);
    const { lut } = colormap("viridis");
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 512; x++) {
        const at = (y * 512 + x) * 4;
        const k = (x >> 1) * 4;
        assert.deepEqual([...pixels.rgba.subarray(at, at + 4)], [...lut.subarray(k, k + 4)]);
      }
    }
    const again = await fetch(`${base}/colormaps/viridis.png?width=512&height=3`, {
      headers: { "if-none-match": etag ?? "" },
    });
    assert.equal(again.status, 304);
    await again.body?.cancel();
  });
});

Deno.test("GET /colormaps/tab10_r.png is 256×16 by default, ten bands reversed", async () => {
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/colormaps/tab10_r.png`);
    const pixels = await decodePixels(new Uint8Array(await res.arrayBuffer()));
    assert.deepEqual([pixels.width, pixels.height], [256, 16]);
    const { lut } = colormap("tab10");
    assert.deepEqual([...pixels.rgba.subarray(0, 4)], [...lut.subarray(36, 40)]);
    assert.deepEqual([...pixels.rgba.subarray(255 * 4, 256 * 4)], [...lut.subarray(0, 4)]);
  });
});

Deno.test("GET /colormaps/{name}.png answers 404 for an unknown name, 400 for a bad width", async () => {
  await withServer(async ({ base }) => {
    await assertError(
      await fetch(`${base}/colormaps/virdis.png`),
      404,
      "not_found",
      'no colormap named "virdis"; GET /colormaps lists them',
    );
    await assertError(
      await fetch(`${base}/colormaps/gray.png?width=0`),
      400,
      "invalid_parameter",
      'width must be an integer from 1 to 4096, got "0"',
    );
  });
});
