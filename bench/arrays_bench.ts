/**
 * Array bodies: producing `/image.json` and `/image.npy`, and parsing them as
 * `POST /render` does, against the naive `JSON.stringify` / `JSON.parse` of
 * nested arrays, for the sample pattern at 512×512×3 and 1920×1080×3.
 * The nested lists of the naive baseline are built outside the timed part of
 * each iteration and dropped after it, so that millions of live small arrays
 * do not slow every other benchmark's garbage collections.
 *
 * Run: `deno bench --allow-all bench/arrays_bench.ts`. The same run first prints
 * Python's figures for the same arrays (`bench/arrays_python.py`: the reference
 * answer's `json.dumps(arr.tolist())`, `json.loads`, `np.save`, `np.load`) when
 * `PIXSERVE_PYTHON` or `python3` has NumPy.
 *
 * @module
 */

import { imageToArray } from "../lib/arrays/convert.ts";
import { encodeArrayJson, parseArrayJson } from "../lib/arrays/json.ts";
import { encodeNpy, parseNpy } from "../lib/arrays/npy.ts";
import type { PixelArray } from "../lib/arrays/types.ts";
import { sampleImage } from "../lib/image/sample.ts";

/** Prints Python's figures for the same arrays, or why there are none. */
async function reportPython(): Promise<void> {
  const python = Deno.env.get("PIXSERVE_PYTHON") ?? "python3";
  const script = new URL("./arrays_python.py", import.meta.url).pathname;
  try {
    const run = await new Deno.Command(python, { args: [script], stderr: "piped" }).output();
    if (run.success) {
      console.log(`Python (${python} ${script}):\n${new TextDecoder().decode(run.stdout)}`);
      return;
    }
    console.log(`Python figures skipped: ${new TextDecoder().decode(run.stderr).trim()}`);
  } catch (err) {
    console.log(`Python figures skipped: ${python} cannot be started (${err})`);
  }
}

await reportPython();

/** `arr.tolist()`: the nested lists a naive server builds. */
function toNested(array: PixelArray): number[][][] {
  const [h, w, c] = array.shape;
  const rows: number[][][] = [];
  for (let y = 0; y < h; y++) {
    const row: number[][] = [];
    for (let x = 0; x < w; x++) {
      const at = (y * w + x) * c;
      row.push(Array.from(array.data.subarray(at, at + c), Number));
    }
    rows.push(row);
  }
  return rows;
}

/** What a naive `/render` does with a JSON body: parse, then copy into bytes. */
function naiveParse(text: string): Uint8Array {
  const rows: number[][][] = JSON.parse(text);
  const out = new Uint8Array(rows.length * rows[0].length * rows[0][0].length);
  let i = 0;
  for (const row of rows) for (const px of row) for (const v of px) out[i++] = v;
  return out;
}

for (const [width, height] of [[512, 512], [1920, 1080]]) {
  const label = `${height}x${width}x3`;
  const image = sampleImage(width, height);
  const array = imageToArray(image, { mode: "rgb" });
  const json = encodeArrayJson(array);
  const jsonText = new TextDecoder().decode(json);
  const npy = encodeNpy(array);
  console.log(
    `${label}: JSON body ${json.byteLength} bytes, .npy body ${npy.byteLength} bytes`,
  );

  Deno.bench({
    name: `naive JSON.stringify(nested) ${label}`,
    group: `json encode ${label}`,
    baseline: true,
    fn: (b) => {
      const nested = toNested(array);
      b.start();
      JSON.stringify(nested);
      b.end();
    },
  });
  Deno.bench({
    name: `naive tolist + JSON.stringify ${label}`,
    group: `json encode ${label}`,
    fn: () => {
      JSON.stringify(toNested(array));
    },
  });
  Deno.bench({
    name: `encodeArrayJson ${label}`,
    group: `json encode ${label}`,
    fn: () => {
      encodeArrayJson(array);
    },
  });
  Deno.bench({
    name: `/image.json body (imageToArray + encodeArrayJson) ${label}`,
    group: `json encode ${label}`,
    fn: () => {
      encodeArrayJson(imageToArray(image, { mode: "rgb" }));
    },
  });

  Deno.bench({
    name: `naive JSON.parse + copy ${label}`,
    group: `json parse ${label}`,
    baseline: true,
    fn: () => {
      naiveParse(jsonText);
    },
  });
  Deno.bench({
    name: `parseArrayJson ${label}`,
    group: `json parse ${label}`,
    fn: () => {
      parseArrayJson(json);
    },
  });

  Deno.bench({
    name: `encodeNpy ${label}`,
    group: `npy ${label}`,
    baseline: true,
    fn: () => {
      encodeNpy(array);
    },
  });
  Deno.bench({
    name: `/image.npy body (imageToArray + encodeNpy) ${label}`,
    group: `npy ${label}`,
    fn: () => {
      encodeNpy(imageToArray(image, { mode: "rgb" }));
    },
  });
  Deno.bench({
    name: `parseNpy ${label}`,
    group: `npy ${label}`,
    fn: () => {
      parseNpy(npy);
    },
  });
}
