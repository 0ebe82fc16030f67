import assert from "node:assert/strict";
import {
  checkQuality,
  checkSize,
  encode,
  encodePixels,
  ENCODER_BACKENDS,
  type RgbaPixels,
  toRgba,
} from "../lib/image/encode.ts";
import { sniffImageFormat } from "../lib/image/format.ts";
import { encodeGif, gifPalette } from "../lib/image/gif.ts";
import { sampleImage } from "../lib/image/sample.ts";
import { assertSamplePattern, decodePixels } from "./_pixels.ts";

function sample(width: number, height: number): RgbaPixels {
  return { width, height, rgba: new Uint8Array(sampleImage(width, height).bitmap.buffer) };
}

/** `count` distinct opaque colours in stripes, plus fully transparent pixels if asked. */
function palette(width: number, height: number, count: number, transparent = false): RgbaPixels {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const c = (i * 7 + Math.floor(i / 5)) % count;
    rgba.set([c & 255, (c >> 8) * 50 + 3, (c * 91) & 255, 255], i * 4);
    if (transparent && i % 11 === 0) rgba.set([0, 0, 0, 0], i * 4);
  }
  return { width, height, rgba };
}

/** The largest difference of any channel. */
function maxDifference(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

Deno.test("checkQuality() accepts 1-100 for lossy formats only", () => {
  assert.equal(checkQuality("jpeg", 1), 1);
  assert.equal(checkQuality("webp", 100), 100);
  assert.equal(checkQuality("png", undefined), undefined);
  const cases: [Parameters<typeof checkQuality>, string][] = [
    [["png", 80], "quality applies to jpeg, webp and avif, not png"],
    [["gif", 80], "quality applies to jpeg, webp and avif, not gif"],
    [["jpeg", 0], "quality must be an integer from 1 to 100"],
    [["webp", 101], "quality must be an integer from 1 to 100"],
    [["jpeg", 1.5], "quality must be an integer from 1 to 100"],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => checkQuality(...args), {
      kind: "malformed",
      code: "invalid_quality",
      message,
    });
  }
});

Deno.test("checkSize() refuses sizes a format cannot hold", () => {
  const cases: [number, number, "png" | "jpeg" | "webp" | "gif", string | undefined][] = [
    [16_383, 16_383, "webp", undefined],
    [16_384, 1, "webp", "webp images are at most 16383 pixels a side; 16384x1 is larger"],
    [1, 65_501, "jpeg", "jpeg images are at most 65500 pixels a side; 1x65501 is larger"],
    [65_536, 1, "gif", "gif images are at most 65535 pixels a side; 65536x1 is larger"],
    [100_000, 1, "png", undefined],
  ];
  for (const [w, h, format, message] of cases) {
    if (message === undefined) checkSize(w, h, format);
    else assert.throws(() => checkSize(w, h, format), { kind: "unprocessable", message });
  }
});

Deno.test("gifPalette() indexes up to 256 colours and one transparent entry", () => {
  const two = gifPalette(new Uint8Array([255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255, 9, 9, 9, 0]));
  assert.deepEqual(two && [...two.indices], [0, 1, 0, 1]);
  assert.deepEqual(two && [...two.colors], [255, 0, 0, 0, 0, 0]);
  assert.equal(two?.transparent, 1);
  assert.equal(gifPalette(palette(64, 8, 256).rgba)?.colors.length, 768);
  assert.equal(gifPalette(palette(64, 8, 257).rgba), undefined);
  assert.equal(gifPalette(new Uint8Array([1, 2, 3, 128])), undefined);
});

Deno.test("encodeGif() refuses sizes a GIF cannot hold", () => {
  const one = gifPalette(new Uint8Array(4))!;
  assert.throws(() => encodeGif(one, 65_536, 1), RangeError);
  assert.throws(() => encodeGif(one, 2, 1), RangeError);
});

for (const backend of ENCODER_BACKENDS) {
  Deno.test(`encodePixels() with ${backend} writes PNG and GIF that decode pixel-exact`, async () => {
    const cases: [string, RgbaPixels][] = [
      ["the sample", sample(512, 512)],
      ["two colours", sample(3, 7)],
      ["256 colours", palette(97, 61, 256)],
      ["200 colours and transparency", palette(80, 50, 200, true)],
      ["5000 pixels in a row", palette(5000, 1, 3)],
    ];
    for (const format of ["png", "gif"] as const) {
      for (const [name, pixels] of cases) {
        const bytes = await encodePixels(pixels, format, { backend });
        assert.equal(sniffImageFormat(bytes), format);
        const decoded = await decodePixels(bytes);
        assert.equal(decoded.width, pixels.width, `${format} ${name}`);
        assert.equal(maxDifference(decoded.rgba, pixels.rgba), 0, `${format} ${name}`);
      }
    }
  });

  Deno.test(`encodePixels() with ${backend} writes lossless WebP pixel-exact`, async () => {
    for (const pixels of [sample(64, 32), palette(40, 30, 300, true)]) {
      const bytes = await encodePixels(pixels, "webp", { backend });
      assert.equal(sniffImageFormat(bytes), "webp");
      const decoded = await decodePixels(bytes);
      assert.equal(maxDifference(decoded.rgba, pixels.rgba), 0);
    }
  });

  Deno.test(`encodePixels() with ${backend} writes JPEG and lossy WebP within tolerance`, async () => {
    for (
      const [format, quality, tolerance, margin] of [
        ["jpeg", undefined, 8, 8],
        ["jpeg", 100, 4, 8],
        ["webp", 80, 12, 8],
        ["webp", 100, 8, 8],
      ] as const
    ) {
      const bytes = await encodePixels(sample(96, 64), format, { quality, backend });
      assert.equal(sniffImageFormat(bytes), format);
      assertSamplePattern(await decodePixels(bytes), 96, 64, tolerance, margin);
    }
  });

  Deno.test(`encodePixels() with ${backend} quantizes GIFs of more than 256 colours`, async () => {
    const pixels = palette(64, 64, 1000);
    const bytes = await encodePixels(pixels, "gif", { backend });
    const decoded = await decodePixels(bytes);
    assert.equal(decoded.width, 64);
    assert.equal(decoded.height, 64);
  });
}

/** The components of a baseline JPEG's frame header (SOF0): id, sampling factors, table. */
function sof0Components(jpeg: Uint8Array): { id: number; sampling: number; table: number }[] {
  for (let at = 2; at + 4 <= jpeg.length;) {
    assert.equal(jpeg[at], 0xff, `a marker at ${at}`);
    const marker = jpeg[at + 1];
    const length = (jpeg[at + 2] << 8) | jpeg[at + 3];
    if (marker === 0xc0) {
      return Array.from({ length: jpeg[at + 9] }, (_, i) => ({
        id: jpeg[at + 10 + i * 3],
        sampling: jpeg[at + 11 + i * 3],
        table: jpeg[at + 12 + i * 3],
      }));
    }
    at += 2 + length;
  }
  throw new Error("no baseline frame header");
}

Deno.test("the native JPEG is baseline YCbCr 4:2:0, as Pillow writes by default, and follows quality", async () => {
  const pixels = palette(256, 256, 5000);
  const q90 = await encodePixels(pixels, "jpeg", { backend: "native" });
  assert.deepEqual(sof0Components(q90), [
    { id: 1, sampling: 0x22, table: 0 },
    { id: 2, sampling: 0x11, table: 1 },
    { id: 3, sampling: 0x11, table: 1 },
  ]);
  const q30 = await encodePixels(pixels, "jpeg", { backend: "native", quality: 30 });
  assert.ok(q30.byteLength < q90.byteLength * 0.7, `${q30.byteLength} vs ${q90.byteLength}`);
  const decoded = await decodePixels(q90);
  assert.equal(decoded.width, 256);
  assert.equal(decoded.height, 256);
});

Deno.test("the native JPEG keeps odd sizes and the extreme qualities within tolerance", async () => {
  for (const [width, height] of [[1, 1], [33, 17], [17, 33]]) {
    for (const quality of [1, 100]) {
      const bytes = await encodePixels(sample(width, height), "jpeg", {
        backend: "native",
        quality,
      });
      const decoded = await decodePixels(bytes);
      assert.deepEqual([decoded.width, decoded.height], [width, height]);
      if (quality === 100 && width > 1) assertSamplePattern(decoded, width, height, 8, 2);
    }
  }
});

Deno.test("encode() leaves the image's pixels as they were", async () => {
  const image = sampleImage(20, 10);
  const before = new Uint8Array(image.bitmap).slice();
  const png = await encode(image, "png");
  assert.deepEqual(new Uint8Array(image.bitmap), before);
  assertSamplePattern(await decodePixels(png), 20, 10);
});

Deno.test("toRgba() expands gray, gray with alpha and RGB, and keeps RGBA", () => {
  const cases: [1 | 2 | 3 | 4, number[], number[]][] = [
    [1, [7, 200], [7, 7, 7, 255, 200, 200, 200, 255]],
    [2, [7, 0, 200, 128], [7, 7, 7, 0, 200, 200, 200, 128]],
    [3, [1, 2, 3, 250, 251, 252], [1, 2, 3, 255, 250, 251, 252, 255]],
    [4, [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8]],
  ];
  for (const [channels, data, rgba] of cases) {
    const out = toRgba({ width: 2, height: 1, channels, data: new Uint8Array(data) });
    assert.deepEqual([...out.rgba], rgba, `${channels}`);
  }
  assert.throws(
    () => toRgba({ width: 2, height: 2, channels: 3, data: new Uint8Array(11) }),
    RangeError,
  );
});
