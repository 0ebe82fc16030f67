import assert from "node:assert/strict";
import { zlibSync } from "fflate";
import { GIF } from "imagescript";
import { gifFrames } from "../lib/image/gif_frames.ts";
import { assertError, post } from "./_arrays.ts";
import { gifWithFrame, grayTiff, lzwZeros, zlibZeros } from "./_bombs.ts";
import { PROJECT_DIR, withServer } from "./_server.ts";

const INFLATION = 16 * 1024 * 1024;

for (
  const [name, tiff, detail] of [
    [
      "a deflate strip that inflates past its rows",
      grayTiff(1, 1, 8, { data: zlibZeros(INFLATION), entries: 1 }),
      "a TIFF strip inflates past the 1 bytes its declared size needs",
    ],
    [
      "an LZW strip that decodes past its rows",
      grayTiff(1, 1, 5, { data: lzwZeros(INFLATION), entries: 1 }),
      "a TIFF strip decodes past the 1 bytes its declared size needs",
    ],
    [
      "two strip entries for one row",
      grayTiff(1, 1, 8, { data: zlibZeros(1), entries: 2 }),
      "the TIFF lists 2 strips where its size needs 1",
    ],
  ] as const
) {
  Deno.test(`POST /decode.npy refuses a TIFF with ${name} (413 inflation_limit)`, async () => {
    await withServer(async ({ base }) => {
      const res = await post(`${base}/decode.npy`, tiff, "image/tiff");
      await assertError(res, 413, "inflation_limit", detail);
    });
  });
}

Deno.test("POST /decode.npy reads a deflate TIFF that inflates to exactly its size", async () => {
  const pixels = new Uint8Array([0, 64, 128, 255, 7, 9]);
  const tiff = grayTiff(3, 2, 8, { data: zlibSync(pixels), entries: 1 });
  await withServer(async ({ base }) => {
    const res = await post(`${base}/decode.npy?mode=gray`, tiff, "image/tiff");
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(res.status, 200, new TextDecoder().decode(bytes));
    assert.equal(res.headers.get("x-array-shape"), "2,3");
    assert.deepEqual([...bytes.subarray(bytes.length - 6)], [...pixels]);
  });
});

Deno.test("POST /decode.npy reads an LZW TIFF of repeated zeros within its size", async () => {
  const tiff = grayTiff(100, 50, 5, { data: lzwZeros(5000), entries: 1 });
  await withServer(async ({ base }) => {
    const res = await post(`${base}/decode.npy?mode=gray`, tiff, "image/tiff");
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(res.status, 200, new TextDecoder().decode(bytes));
    assert.equal(res.headers.get("x-array-shape"), "50,100");
    assert.ok(bytes.subarray(bytes.length - 5000).every((v) => v === 0));
  });
});

Deno.test("POST /decode.npy counts a GIF frame's rectangle against MAX_PIXELS", async () => {
  const gif = gifWithFrame([1, 1], [0, 0, 20000, 20000]);
  assert.equal(gif.length, 35);
  await withServer(async ({ base }) => {
    const res = await post(`${base}/decode.npy`, gif, "image/gif");
    await assertError(
      res,
      422,
      "too_many_pixels",
      "a GIF frame is 20000x20000, 400000000 pixels, more than MAX_PIXELS (40000000)",
    );
  });
});

Deno.test("gifFrames() lists every frame of a multi-frame GIF", async () => {
  const bytes = await Deno.readFile(`${PROJECT_DIR}/fixtures/frames.gif`);
  const decoded = await GIF.decode(bytes);
  assert.deepEqual(
    gifFrames(bytes).map((f) => [f.width, f.height]),
    [...decoded].map((f) => [f.width, f.height]),
  );
});
