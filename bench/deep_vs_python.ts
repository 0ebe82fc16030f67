/**
 * 16-bit PNG and animated GIF against the Python baselines, in one run, alternating:
 * - a 1920×1080 `uint16` gray depth-like array (a smooth surface plus sensor noise) to a
 *   16-bit PNG: pixserve's writer against `cv2.imencode('.png', arr)` at OpenCV's default
 *   settings (the issue's target: no slower, file within 10 %);
 * - a 100-frame 256×256 RGB stack to an animated GIF: pixserve (own exact writer when every
 *   frame has ≤ 256 colours, else libvips' quantizer) against Pillow's
 *   `save(save_all=True)` (target: 3× faster), for frames of few colours and of many.
 *
 * Each side runs `repeat` encodes per round, rounds alternate (pixserve, Python, …) and the
 * figure is the median of all of a side's encodes. Pin both to one core and load the
 * other: `taskset -c 1 deno run -A bench/deep_vs_python.ts [repeat] [rounds]` (the Python
 * child inherits the affinity). Needs Debian's python3-opencv and python3-pil.
 *
 * @module
 */

import { encodeNpy } from "../lib/arrays/npy.ts";
import type { PixelArray } from "../lib/arrays/types.ts";
import { encodeDeep } from "../lib/image/animate.ts";
import { encodePng16 } from "../lib/image/png.ts";
import { DEBIAN_PYTHON, PROJECT_DIR } from "./_wrk.ts";

const repeat = Number(Deno.args[0] ?? 10);
const rounds = Number(Deno.args[1] ?? 3);

/** A deterministic pseudo-random generator (xorshift32), for the same noise every run. */
function noise(seed: number): () => number {
  let s = seed;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function depthMap(width: number, height: number): PixelArray {
  const data = new Uint16Array(width * height);
  const rand = noise(12345);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const surface = 20000 + 8000 * Math.sin(x / 150) * Math.cos(y / 110);
      data[y * width + x] = Math.round(surface + (rand() - 0.5) * 60);
    }
  }
  return { shape: [height, width], dtype: "uint16", data };
}

function frames(n: number, side: number, colours: "few" | "many"): PixelArray {
  const data = new Uint8Array(n * side * side * 3);
  for (let f = 0, i = 0; f < n; f++) {
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++, i += 3) {
        if (colours === "few") {
          const on = ((x + f * 2) >> 5) % 2 === ((y >> 5) % 2);
          data.set(on ? [230, 40 + f, 30] : [20, 20, 60 + f], i);
        } else {
          data.set([(x + f) & 255, (y * 2 + f) & 255, (x + y + 3 * f) & 255], i);
        }
      }
    }
  }
  return { shape: [n, side, side, 3], dtype: "uint8", data };
}

async function python(mode: string, path: string): Promise<{ ms: number[]; bytes: number }> {
  const out = await new Deno.Command(DEBIAN_PYTHON, {
    args: [`${PROJECT_DIR}/bench/_deep_python.py`, mode, path, String(repeat)],
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

async function ours(run: () => Promise<Uint8Array> | Uint8Array) {
  const bytes = (await run()).byteLength;
  const ms: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    await run();
    ms.push(performance.now() - start);
  }
  return { ms, bytes };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const dir = await Deno.makeTempDir({ prefix: "pixserve_bench_" });
const cases: [string, string, PixelArray, () => Promise<Uint8Array> | Uint8Array][] = [];
const depth = depthMap(1920, 1080);
cases.push([
  "1920×1080 uint16 gray → 16-bit PNG (vs cv2.imencode)",
  "png16",
  depth,
  () => encodePng16(depth.data as Uint16Array, 1920, 1080, 1),
]);
for (const colours of ["few", "many"] as const) {
  const stack = frames(100, 256, colours);
  const pixels = {
    width: 256,
    height: 256,
    channels: 3 as const,
    data: stack.data as Uint8Array,
    frames: 100,
  };
  cases.push([
    `100×256×256 RGB, ${colours} colours → animated GIF (vs Pillow save_all)`,
    "gif",
    stack,
    () => encodeDeep(pixels, "gif", {}),
  ]);
}
try {
  console.log("| case | pixserve ms | Python ms | time ratio | pixserve bytes | Python bytes |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const [name, mode, array, run] of cases) {
    const path = `${dir}/${mode}.npy`;
    await Deno.writeFile(path, encodeNpy(array));
    const a = { ms: [] as number[], bytes: 0 };
    const b = { ms: [] as number[], bytes: 0 };
    for (let r = 0; r < rounds; r++) {
      const x = await ours(run);
      const y = await python(mode, path);
      a.ms.push(...x.ms);
      a.bytes = x.bytes;
      b.ms.push(...y.ms);
      b.bytes = y.bytes;
    }
    const [ma, mb] = [median(a.ms), median(b.ms)];
    console.log(
      `| ${name} | ${ma.toFixed(1)} | ${mb.toFixed(1)} | ${
        (ma / mb).toFixed(2)
      }× | ${a.bytes} | ${b.bytes} |`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
