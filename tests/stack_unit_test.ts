import assert from "node:assert/strict";
import { conformArray } from "../lib/arrays/channels.ts";
import { makeGrid, rangeFrames, splitFrames, toChannelLast } from "../lib/arrays/stack.ts";
import type { PixelArray } from "../lib/arrays/types.ts";
import { CodecError } from "../lib/codec_error.ts";
import { readFrameHeader } from "../lib/image/frame_header.ts";
import { encodeGifFrames, gifPalette } from "../lib/image/gif.ts";

const u8 = (shape: number[], values: number[]): PixelArray => ({
  shape,
  dtype: "uint8",
  data: Uint8Array.from(values),
});

Deno.test("toChannelLast() moves C of (C, H, W) and (N, C, H, W) last", () => {
  const chw = toChannelLast(u8([3, 1, 2], [1, 2, 10, 20, 100, 200]), "chw");
  assert.deepEqual(chw.shape, [1, 2, 3]);
  assert.deepEqual([...chw.data], [1, 10, 100, 2, 20, 200]);
  const nchw = toChannelLast(u8([2, 1, 1, 2], [1, 2, 3, 4]), "chw");
  assert.deepEqual(nchw.shape, [2, 1, 2, 1]);
  assert.deepEqual([...nchw.data], [1, 2, 3, 4]);
  const same = u8([2, 2], [1, 2, 3, 4]);
  assert.equal(toChannelLast(same, "hwc"), same);
});

for (const shape of [[2, 2], [5, 2, 2], [2, 2, 2, 2]]) {
  Deno.test(`toChannelLast() refuses (${shape}) as channel-first`, () => {
    const array = u8(shape, new Array(shape.reduce((a, b) => a * b, 1)).fill(0));
    assert.throws(
      () => toChannelLast(array, "chw"),
      (err) => err instanceof CodecError && err.code === "unsupported_shape",
    );
  });
}

Deno.test("splitFrames() splits 4-D always and 3-D only as gray frames", () => {
  assert.equal(splitFrames(u8([2, 2, 3], new Array(12).fill(0)), false), undefined);
  const frames = splitFrames(u8([2, 1, 2], [1, 2, 3, 4]), true);
  assert.deepEqual(frames?.map((f) => [...f.data]), [[1, 2], [3, 4]]);
  assert.deepEqual(frames?.[0].shape, [1, 2]);
});

for (
  const [n, nrow, padding, expected] of [
    [2, 2, 2, [5, 8]],
    [3, 2, 2, [8, 8]],
    [5, 8, 0, [1, 5]],
    [4, 3, 1, [5, 7]],
  ] as const
) {
  Deno.test(`makeGrid() of ${n} 1×1 frames, nrow ${nrow}, padding ${padding} is ${expected}`, () => {
    const frames = Array.from({ length: n }, (_, k) => u8([1, 1], [k + 1]));
    const grid = makeGrid(frames, { nrow, padding, padValue: 9 });
    assert.deepEqual(grid.shape, expected);
    const [, width] = expected;
    const columns = Math.min(nrow, n);
    for (let k = 0; k < n; k++) {
      const y = Math.floor(k / columns) * (1 + padding) + padding;
      const x = (k % columns) * (1 + padding) + padding;
      assert.equal(grid.data[y * width + x], k + 1, `frame ${k}`);
    }
    const pads = [...grid.data].filter((v) => v === 9).length;
    assert.equal(pads, grid.data.length - n);
  });
}

Deno.test("makeGrid() of one frame is the frame itself, as make_grid", () => {
  const frame = u8([1, 2], [1, 2]);
  assert.equal(makeGrid([frame], { nrow: 4 }), frame);
});

Deno.test("rangeFrames() keeps one range unless scale_each", () => {
  const frames = [u8([2], [10, 20]), u8([2], [5, 5])];
  assert.deepEqual(rangeFrames(frames), frames);
  const each = rangeFrames(frames, { scaleEach: true });
  assert.deepEqual(each.map((f) => [...f.data]), [[0, 1], [0, 0]]);
});

Deno.test("conformArray() forces gray, rgb, rgba, bgr and dtype", () => {
  const rgb = u8([1, 1, 3], [255, 0, 0]);
  assert.deepEqual([...conformArray(rgb, 3, { mode: "gray" }).data], [76]);
  assert.deepEqual(conformArray(rgb, 3, { mode: "gray" }).shape, [1, 1]);
  assert.deepEqual([...conformArray(rgb, 3, { mode: "rgba", order: "bgr" }).data], [
    0,
    0,
    255,
    255,
  ]);
  const ga = u8([1, 1, 2], [7, 100]);
  assert.deepEqual([...conformArray(ga, 2, { mode: "rgba" }).data], [7, 7, 7, 100]);
  const gray16: PixelArray = {
    shape: [1, 2],
    dtype: "uint16",
    data: new Uint16Array([128, 65535]),
  };
  const eight = conformArray(gray16, 1, { dtype: "uint8", mode: "rgb" });
  assert.equal(eight.dtype, "uint8");
  assert.deepEqual(eight.shape, [1, 2, 3]);
  assert.deepEqual([...eight.data], [0, 0, 0, 255, 255, 255]);
});

Deno.test("readFrameHeader() counts GIF frames without decoding them", () => {
  const frames = [[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255]].map((p) =>
    gifPalette(Uint8Array.from(p))!
  );
  const gif = encodeGifFrames(frames, 1, 1, { delayCs: 10, loop: 0 });
  assert.deepEqual(readFrameHeader(gif, "gif"), { frames: 3, width: 1, height: 1 });
  assert.throws(
    () => readFrameHeader(gif.subarray(0, 10), "gif"),
    (err) => err instanceof CodecError && err.code === "undecodable_image",
  );
});
