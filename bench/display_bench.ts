/**
 * Where a colormapped 1920×1080 float32 render spends its time, in-process (no HTTP): the
 * range with percentiles, the mapping to palette indices, the indexed PNG, and the three as
 * the encode worker runs them, against the PNG of the same picture as uint8 RGB (the
 * baseline: what `POST /render.png` of a uint8 RGB array encodes).
 *
 * Run: `deno bench -A bench/display_bench.ts`
 *
 * @module
 */

import { displayRange, expandIndexed, mapDisplay } from "../lib/arrays/display.ts";
import { DEPTH_HEIGHT, DEPTH_WIDTH, depthMap } from "./_depth.ts";
import { encodeDisplay } from "../lib/image/display_job.ts";
import { encodePixels, toRgba } from "../lib/image/encode.ts";
import { encodeIndexedPng } from "../lib/image/png_indexed.ts";

const WIDTH = DEPTH_WIDTH;
const HEIGHT = DEPTH_HEIGHT;
const OPTIONS = { cmap: "viridis", vmin: { percentile: 2 }, vmax: { percentile: 98 } };

const depth = depthMap();
const range = displayRange([depth], OPTIONS);
const pixels = mapDisplay(depth, range, OPTIONS);
if (pixels.kind !== "indexed") throw new Error("expected an indexed image");
const rgba = expandIndexed(pixels);
const rgb = new Uint8Array(WIDTH * HEIGHT * 3);
for (let p = 0; p < WIDTH * HEIGHT; p++) rgb.set(rgba.subarray(p * 4, p * 4 + 3), p * 3);
const bytes = new Uint8Array(depth.data.buffer);
const job = { shape: depth.shape, dtype: depth.dtype, options: OPTIONS, order: "rgb" as const };
const group = "1920x1080 float32, cmap=viridis&vmin=p2&vmax=p98";

Deno.bench({
  name: "uint8 RGB of the same picture → PNG (what /render encodes for it)",
  group,
  baseline: true,
  async fn() {
    await encodePixels(toRgba({ width: WIDTH, height: HEIGHT, channels: 3, data: rgb }), "png");
  },
});
Deno.bench({
  name: "whole: range, mapping and indexed PNG (what the encode worker runs)",
  group,
  async fn() {
    await encodeDisplay(bytes, job, "png");
  },
});
Deno.bench({
  name: "displayRange: p2 and p98",
  group,
  fn: () => void displayRange([depth], OPTIONS),
});
Deno.bench({
  name: "mapDisplay: palette indices",
  group,
  fn: () => void mapDisplay(depth, range, OPTIONS),
});
Deno.bench({
  name: "encodeIndexedPng",
  group,
  fn: () => void encodeIndexedPng(pixels.indices, WIDTH, HEIGHT, pixels.palette),
});
