/**
 * Encode time per format of the 512×512 sample and of the same pattern at 1920×1080:
 * pixserve's encoders (its PNG and GIF writers, libjpeg-turbo for JPEG, libwebp for WebP) against
 * ImageScript's, which pixserve used before (the baseline of each group).
 *
 * Run: `deno bench -A bench/encode_bench.ts`
 *
 * @module
 */

import { Frame, GIF } from "imagescript";
import { encodePixels } from "../lib/image/encode.ts";
import { sampleImage } from "../lib/image/sample.ts";

const SIZES = [[512, 512], [1920, 1080]] as const;

for (const [width, height] of SIZES) {
  const image = sampleImage(width, height);
  const pixels = { width, height, rgba: new Uint8Array(image.bitmap.buffer) };
  const size = `${width}x${height}`;
  const cases = [
    ["png", undefined, () => image.encode(1)],
    ["jpeg", 90, () => image.encodeJPEG(90)],
    ["webp", 80, () => image.encodeWEBP(80)],
    ["webp", undefined, () => image.encodeWEBP(null)],
    ["gif", undefined, () => new GIF([Frame.from(image)]).encode(100)],
  ] as const;
  for (const [format, quality, imagescript] of cases) {
    const group = `${format}${quality === undefined ? "" : ` q${quality}`}${
      format === "webp" && quality === undefined ? " lossless" : ""
    } ${size}`;
    Deno.bench({
      name: `imagescript ${group}`,
      group,
      baseline: true,
      async fn() {
        await imagescript();
      },
    });
    Deno.bench({
      name: `pixserve ${group}`,
      group,
      async fn() {
        await encodePixels(pixels, format, { quality });
      },
    });
  }
}
