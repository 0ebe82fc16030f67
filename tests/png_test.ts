import assert from "node:assert/strict";
import { Image } from "imagescript";
import sharp from "sharp";
import {
  crc32,
  encodePng,
  encodePngChannels,
  packPixels,
  type PngColorType,
  pngColorType,
} from "../lib/image/png.ts";
import { decodePixels } from "./_pixels.ts";

/** Pixels from a function of (x, y) → [r, g, b, a]. */
function pixels(
  width: number,
  height: number,
  at: (x: number, y: number) => readonly number[],
): Uint8Array<ArrayBuffer> {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgba.set(at(x, y), (y * width + x) * 4);
  }
  return rgba;
}

/** A pattern with every filter case: zero rows, repeated rows, gradients, noise. */
function mixed(channels: "gray" | "rgb", alpha: boolean) {
  return (x: number, y: number) => {
    const band = Math.floor(y / 5) % 4;
    const v = band === 0
      ? 0
      : band === 1
      ? 200
      : band === 2
      ? (x * 7 + y * 3) & 255
      : (x * y * 31 + 17) & 255;
    const a = alpha ? (x * 13 + y) & 255 : 255;
    return channels === "gray" ? [v, v, v, a] : [v, (v + x) & 255, (255 - v + y) & 255, a];
  };
}

Deno.test("crc32() matches the ISO 3309 check values", () => {
  const cases: [string, number][] = [
    ["", 0],
    ["a", 0xe8b7be43],
    ["123456789", 0xcbf43926],
    ["IEND", 0xae426082],
  ];
  for (const [text, crc] of cases) assert.equal(crc32(new TextEncoder().encode(text)), crc, text);
  const whole = new TextEncoder().encode("123456789");
  assert.equal(crc32(whole.subarray(4), crc32(whole.subarray(0, 4))), 0xcbf43926);
});

Deno.test("pngColorType() picks the smallest exact colour type", () => {
  const cases: [number[], PngColorType][] = [
    [[0, 0, 0, 255, 7, 7, 7, 255], 0],
    [[0, 0, 0, 255, 7, 7, 8, 255], 2],
    [[7, 7, 7, 255, 9, 9, 9, 0], 4],
    [[1, 2, 3, 254], 6],
    [[255, 255, 255, 255], 0],
  ];
  for (const [rgba, type] of cases) {
    assert.equal(pngColorType(new Uint8Array(rgba)), type, `${rgba}`);
  }
});

Deno.test("packPixels() writes each colour type's layout", () => {
  const rgba = new Uint8Array([
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    19,
    20,
  ]);
  const cases: [PngColorType, number[]][] = [
    [0, [1, 5, 9, 13, 17]],
    [2, [1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15, 17, 18, 19]],
    [4, [1, 4, 5, 8, 9, 12, 13, 16, 17, 20]],
    [6, [...rgba]],
  ];
  for (const [type, expected] of cases) {
    assert.deepEqual([...packPixels(rgba, type)], expected, `${type}`);
  }
  const into = new Uint8Array(64);
  assert.equal(packPixels(rgba, 2, into).buffer, into.buffer);
});

for (
  const [name, width, height, at, type] of [
    ["RGB", 37, 41, mixed("rgb", false), 2],
    ["RGBA", 33, 29, mixed("rgb", true), 6],
    ["gray", 31, 23, mixed("gray", false), 0],
    ["gray with alpha", 19, 27, mixed("gray", true), 4],
    ["one pixel", 1, 1, () => [9, 8, 7, 255], 2],
    ["a zero image", 40, 30, () => [0, 0, 0, 0], 4],
  ] as const
) {
  Deno.test(`encodePng() writes ${name} (colour type ${type}) that decodes pixel-exact`, async () => {
    const rgba = pixels(width, height, at);
    const png = encodePng(rgba, width, height);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png[25], type);
    const decoded = await decodePixels(png);
    assert.equal(decoded.width, width);
    assert.equal(decoded.height, height);
    assert.deepEqual(decoded.rgba, rgba);
    const { data } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual(new Uint8Array(data), rgba);
  });
}

Deno.test("encodePng() writes the 512x512 sample as an RGB PNG smaller than ImageScript's", async () => {
  const image = new Image(512, 512).fill(0x000000ff);
  image.drawBox(1, 1, 256, 256, 0xff0000ff);
  const rgba = new Uint8Array(image.bitmap.buffer);
  const png = encodePng(rgba, 512, 512);
  assert.equal(png[25], 2);
  assert.ok(png.byteLength < (await image.encode(1)).byteLength);
  assert.deepEqual((await decodePixels(png)).rgba, rgba);
});

Deno.test("encodePng() reads pixels from an unaligned view", async () => {
  const rgba = pixels(5, 3, mixed("rgb", true));
  const padded = new Uint8Array(rgba.byteLength + 1);
  padded.set(rgba, 1);
  const png = encodePng(padded.subarray(1), 5, 3);
  assert.deepEqual((await decodePixels(png)).rgba, rgba);
});

Deno.test("encodePng() rejects sizes that do not match the pixels", () => {
  assert.throws(() => encodePng(new Uint8Array(16), 2, 3), RangeError);
  assert.throws(() => encodePng(new Uint8Array(0), 0, 0), RangeError);
  assert.throws(() => encodePng(new Uint8Array(8), 2.5, 1), RangeError);
});

/** The first `channels` bytes of each RGBA pixel. */
function channelsOf(rgba: Uint8Array, channels: 1 | 3): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array((rgba.length / 4) * channels);
  for (let p = 0; p < rgba.length / 4; p++) {
    for (let c = 0; c < channels; c++) out[p * channels + c] = rgba[p * 4 + c];
  }
  return out;
}

for (
  const [name, width, height, at, channels, type] of [
    ["RGB", 37, 41, mixed("rgb", false), 3, 2],
    ["RGB rows 4-byte aligned", 32, 41, mixed("rgb", false), 3, 2],
    ["RGB with r = g = b", 31, 23, mixed("gray", false), 3, 0],
    ["gray", 31, 23, mixed("gray", false), 1, 0],
    ["gray rows 4-byte aligned", 40, 23, mixed("gray", false), 1, 0],
    ["one RGB pixel", 1, 1, () => [9, 8, 7, 255], 3, 2],
    ["a zero image", 40, 30, () => [0, 0, 0, 255], 3, 0],
  ] as const
) {
  Deno.test(`encodePngChannels() writes ${name} as encodePng() writes its RGBA`, async () => {
    const rgba = pixels(width, height, at);
    const data = channelsOf(rgba, channels);
    const png = encodePngChannels(data, width, height, channels);
    assert.equal(png[25], type);
    assert.deepEqual((await decodePixels(png)).rgba, rgba);
    assert.deepEqual(png, encodePng(rgba, width, height));
    const padded = new Uint8Array(data.byteLength + 1);
    padded.set(data, 1);
    assert.deepEqual(encodePngChannels(padded.subarray(1), width, height, channels), png);
  });
}

Deno.test("encodePngChannels() rejects sizes that do not match the bytes", () => {
  assert.throws(() => encodePngChannels(new Uint8Array(10), 2, 2, 3), RangeError);
  assert.throws(() => encodePngChannels(new Uint8Array(0), 0, 1, 1), RangeError);
  assert.throws(() => encodePngChannels(new Uint8Array(3), 1.5, 2, 1), RangeError);
});
