/**
 * Encode time and size per format against PIL on the same pixels, in one run: pixserve's
 * encoders (in this isolate, as each encode worker runs them, from ImageScript's RGBA
 * bitmap) and Pillow (`Image.save` from an RGB NumPy array, as the FastAPI answer does).
 * The two alternate (pixserve, PIL, pixserve, PIL) and each figure is the best of
 * 2 × `repeat` runs, to damp the noise of a shared machine.
 *
 * Run: `deno run -A bench/encode_vs_pil.ts [repeat]` (needs Debian's python3-pil)
 *
 * @module
 */

import { encodePixels, type RgbaPixels } from "../lib/image/encode.ts";
import type { ImageFormat } from "../lib/image/format.ts";
import { sampleImage } from "../lib/image/sample.ts";
import { DEBIAN_PYTHON, PROJECT_DIR } from "./_wrk.ts";

const repeat = Number(Deno.args[0] ?? 10);

function gradient(width: number, height: number): RgbaPixels {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      rgba.set([
        Math.floor(x * 255 / (width - 1)),
        Math.floor(y * 255 / (height - 1)),
        Math.floor((x + y) * 255 / (width + height - 2)),
        255,
      ], (y * width + x) * 4);
    }
  }
  return { width, height, rgba };
}

function sample(width: number, height: number): RgbaPixels {
  return { width, height, rgba: new Uint8Array(sampleImage(width, height).bitmap.buffer) };
}

const FORMATS: [string, ImageFormat, number | undefined][] = [
  ["png", "png", undefined],
  ["jpeg q90", "jpeg", 90],
  ["webp q80", "webp", 80],
  ["webp lossless", "webp", undefined],
  ["gif", "gif", undefined],
];

async function measurePil(): Promise<Record<string, [number, number]>> {
  const out = await new Deno.Command(DEBIAN_PYTHON, {
    args: [`${PROJECT_DIR}/bench/_pil_encode.py`, String(repeat)],
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

async function measurePixserve(): Promise<Record<string, [number, number]>> {
  const result: Record<string, [number, number]> = {};
  for (
    const [name, pixels] of [
      ["sample 512x512", sample(512, 512)],
      ["sample 1920x1080", sample(1920, 1080)],
      ["gradient 1920x1080", gradient(1920, 1080)],
    ] as const
  ) {
    for (const [key, format, quality] of FORMATS) {
      const bytes = await encodePixels(pixels, format, { quality });
      let best = Infinity;
      for (let i = 0; i < repeat; i++) {
        const start = performance.now();
        await encodePixels(pixels, format, { quality });
        best = Math.min(best, performance.now() - start);
      }
      result[`${name} ${key}`] = [best, bytes.byteLength];
    }
  }
  return result;
}

/** The better time of two runs, key by key. */
function best(
  a: Record<string, [number, number]>,
  b: Record<string, [number, number]>,
): Record<string, [number, number]> {
  return Object.fromEntries(
    Object.entries(a).map(([k, [ms, size]]) => [k, [Math.min(ms, b[k][0]), size]]),
  );
}

const ours1 = await measurePixserve();
const pil1 = await measurePil();
const ours2 = await measurePixserve();
const pil2 = await measurePil();
const ours = best(ours1, ours2);
const theirs = best(pil1, pil2);
console.log("| image, format | pixserve ms | PIL ms | time ratio | pixserve bytes | PIL bytes |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const [key, [ms, size]] of Object.entries(ours)) {
  const [pms, psize] = theirs[key];
  console.log(
    `| ${key} | ${ms.toFixed(2)} | ${pms.toFixed(2)} | ${
      (ms / pms).toFixed(2)
    }× | ${size} | ${psize} |`,
  );
}
