import assert from "node:assert/strict";
import { CodecError } from "../lib/codec_error.ts";
import { colorbar, colormap, COLORMAP_NAMES } from "../lib/arrays/colormaps.ts";
import {
  displayRange,
  expandIndexed,
  labelColor,
  mapDisplay,
  renderDisplay,
} from "../lib/arrays/display.ts";
import { encodeNpy, parseNpy } from "../lib/arrays/npy.ts";
import type { Dtype, PixelArray } from "../lib/arrays/types.ts";
import { PROJECT_DIR } from "./_server.ts";

const DISPLAY_FIXTURES = `${PROJECT_DIR}/fixtures/display`;

function never(): never {
  throw new Error("unexpected pixel kind");
}

function assertCodecError(fn: () => unknown, code: string, detail: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CodecError, String(err));
    assert.equal(err.kind, "unprocessable");
    assert.equal(err.code, code);
    if (typeof detail === "string") assert.equal(err.message, detail);
    else assert.match(err.message, detail);
    return true;
  });
}

const PERCENTILES: Record<string, Record<string, string>> = JSON.parse(
  await Deno.readTextFile(`${DISPLAY_FIXTURES}/percentiles.json`),
);

for (const [name, table] of Object.entries(PERCENTILES)) {
  Deno.test(`displayRange() takes np.nanpercentile's exact values of ${name}`, async () => {
    const array = parseNpy(await Deno.readFile(`${DISPLAY_FIXTURES}/${name}.npy`));
    for (const [p, expected] of Object.entries(table)) {
      const percentile = Number(p);
      const range = displayRange([array], {
        vmin: { percentile },
        vmax: { value: Infinity },
      });
      assert.equal(range.vmin, Number(expected), `${name} p${p}`);
    }
  });
}

Deno.test("displayRange() spans several frames at once", () => {
  const a: PixelArray = { shape: [1, 3], dtype: "float32", data: new Float32Array([0, 1, NaN]) };
  const b: PixelArray = { shape: [1, 3], dtype: "int16", data: new Int16Array([-4, 9, 2]) };
  assert.deepEqual(displayRange([a, b], {}), { vmin: -4, vmax: 9 });
  assert.deepEqual(displayRange([a, b], { vmax: { percentile: 50 } }), { vmin: -4, vmax: 1 });
  assert.deepEqual(displayRange([a], {}), { vmin: 0, vmax: 1 });
});

Deno.test("displayRange() autoscales over nothing finite to NaN, which maps to transparent", () => {
  const a: PixelArray = {
    shape: [1, 3],
    dtype: "float64",
    data: new Float64Array([NaN, Infinity, -Infinity]),
  };
  const range = displayRange([a], {});
  assert.ok(Number.isNaN(range.vmin) && Number.isNaN(range.vmax));
  const pixels = mapDisplay(a, range, { cmap: "viridis" });
  assert.equal(pixels.kind, "indexed");
  // NaN is bad (transparent); +inf and -inf against NaN limits are NaN too.
  assert.deepEqual([...expandIndexed(pixels.kind === "indexed" ? pixels : never())], [
    ...new Array(12).fill(0),
  ]);
});

Deno.test("displayRange() refuses vmin >= vmax and percentiles of nothing", () => {
  const a: PixelArray = { shape: [1, 2], dtype: "float32", data: new Float32Array([3, 3]) };
  assertCodecError(
    () => displayRange([a], { vmin: { percentile: 2 }, vmax: { percentile: 98 } }),
    "invalid_range",
    "vmin (3) must be less than vmax (3) (vmin is p2, vmax is p98)",
  );
  assertCodecError(
    () => displayRange([a], { vmin: { value: 5 } }),
    "invalid_range",
    "vmin (5) must be less than vmax (3) (vmax is the finite maximum)",
  );
  const nan: PixelArray = { shape: [1, 1], dtype: "float32", data: new Float32Array([NaN]) };
  assertCodecError(
    () => displayRange([nan], { vmin: { percentile: 2 } }),
    "invalid_range",
    "p2 needs finite values, but the array has none",
  );
});

Deno.test("mapDisplay() maps int64 exactly up to 2^53 and refuses beyond", () => {
  const ok: PixelArray = {
    shape: [1, 2],
    dtype: "int64",
    data: new BigInt64Array([-(2n ** 53n), 2n ** 53n - 1n]),
  };
  assert.deepEqual(displayRange([ok], {}), { vmin: -(2 ** 53), vmax: 2 ** 53 - 1 });
  const big: PixelArray = {
    shape: [1, 2],
    dtype: "uint64",
    data: new BigUint64Array([0n, 2n ** 53n + 1n]),
  };
  assertCodecError(
    () => renderDisplay(big, { cmap: "viridis" }),
    "unrepresentable_value",
    /^element 1 of the uint64 array is 9007199254740993, beyond ±2\^53/,
  );
});

Deno.test("mapDisplay() rescales every channel with round(255 * (v - vmin) / (vmax - vmin))", () => {
  const rgb: PixelArray = {
    shape: [1, 2, 3],
    dtype: "float64",
    data: new Float64Array([0, 0.5, 1, NaN, -3, 2.5]),
  };
  const pixels = renderDisplay(rgb, { vmin: { value: 0 }, vmax: { value: 2 } });
  assert.equal(pixels.kind, "channels");
  if (pixels.kind !== "channels") return;
  assert.equal(pixels.channels, 3);
  // 63.75 → 64, 127.5 → 128 (half to even), NaN → 0, clipped below and above.
  assert.deepEqual([...pixels.data], [0, 64, 128, 0, 0, 255]);
  const u16: PixelArray = {
    shape: [1, 3],
    dtype: "uint16",
    data: new Uint16Array([0, 2048, 4095]),
  };
  const gray = renderDisplay(u16, { vmax: { value: 4095 } });
  assert.deepEqual(gray.kind === "channels" ? [...gray.data] : [], [0, 128, 255]);
});

Deno.test("mapDisplay() gives labels fixed colours, 0 the background, as palette indices", () => {
  const mask: PixelArray = {
    shape: [2, 3],
    dtype: "int32",
    data: new Int32Array([0, 3, 3, 1, 0, 300]),
  };
  const pixels = renderDisplay(mask, { cmap: "labels" });
  assert.equal(pixels.kind, "indexed");
  if (pixels.kind !== "indexed") return;
  assert.deepEqual([...pixels.indices], [0, 1, 1, 2, 0, 3]);
  assert.deepEqual([...pixels.palette], [
    0,
    0,
    0,
    0,
    ...labelColor(3),
    255,
    ...labelColor(1),
    255,
    ...labelColor(300),
    255,
  ]);
  assert.deepEqual(labelColor(1), [0x1f, 0x77, 0xb4]);
  assert.deepEqual(labelColor(3), [0x2c, 0xa0, 0x2c]);
  assert.deepEqual([...expandIndexed(pixels).subarray(4, 8)], [...labelColor(3), 255]);
  const white = renderDisplay(mask, { cmap: "labels", background: [255, 255, 255, 255] });
  assert.deepEqual(white.kind === "indexed" ? [...white.palette.subarray(0, 4)] : [], [
    255,
    255,
    255,
    255,
  ]);
});

Deno.test("mapDisplay() gives more than 256 labels as RGBA", () => {
  const data = new Int16Array(300).map((_, i) => i);
  const pixels = renderDisplay({ shape: [10, 30], dtype: "int16", data }, { cmap: "labels" });
  assert.equal(pixels.kind, "channels");
  if (pixels.kind !== "channels") return;
  assert.deepEqual([...pixels.data.subarray(0, 4)], [0, 0, 0, 0]);
  assert.deepEqual([...pixels.data.subarray(299 * 4, 300 * 4)], [...labelColor(299), 255]);
});

Deno.test("mapDisplay() refuses cmap on colour, labels of floats and labels with limits", () => {
  const rgb: PixelArray = { shape: [1, 1, 3], dtype: "uint8", data: new Uint8Array(3) };
  assertCodecError(
    () => renderDisplay(rgb, { cmap: "viridis" }),
    "cmap_needs_one_channel",
    "a colormap maps one value per pixel, but shape (1, 1, 3) has 3 channels; send H×W or " +
      "H×W×1, or leave out cmap (vmin/vmax alone rescale every channel)",
  );
  const f: PixelArray = { shape: [1, 1], dtype: "float32", data: new Float32Array(1) };
  assertCodecError(
    () => renderDisplay(f, { cmap: "labels" }),
    "labels_need_integers",
    "labels are integers, but the array is float32; send an integer or bool mask " +
      "(arr.astype(np.int32)) or choose a colormap",
  );
  const i: PixelArray = { shape: [1, 1], dtype: "int8", data: new Int8Array(1) };
  assertCodecError(
    () => renderDisplay(i, { cmap: "labels", vmin: { value: 0 } }),
    "labels_take_no_range",
    "labels have fixed colours; vmin and vmax apply to colormaps and rescaling",
  );
});

Deno.test("colorbar() runs from the low end on the left to the high end on the right", () => {
  const { lut } = colormap("viridis");
  const bar = colorbar("viridis", 512, 2);
  assert.deepEqual([...bar.subarray(0, 4)], [...lut.subarray(0, 4)]);
  assert.deepEqual([...bar.subarray(511 * 4, 512 * 4)], [...lut.subarray(255 * 4, 256 * 4)]);
  assert.deepEqual([...bar.subarray(512 * 4, 513 * 4)], [...lut.subarray(0, 4)]);
  const tab = colorbar("tab10", 10, 1);
  assert.deepEqual([...tab], [...colormap("tab10").lut.subarray(0, 40)]);
});

Deno.test("COLORMAP_NAMES holds every colormap the issue lists, each with its _r twin", () => {
  for (
    const name of [
      "viridis",
      "plasma",
      "inferno",
      "magma",
      "cividis",
      "turbo",
      "gray",
      "coolwarm",
      "RdBu",
      "Spectral",
      "jet",
      "tab10",
      "tab20",
    ]
  ) {
    assert.ok(COLORMAP_NAMES.includes(name), name);
    assert.ok(COLORMAP_NAMES.includes(`${name}_r`), `${name}_r`);
  }
  assert.equal(colormap("tab20").n, 20);
  assert.deepEqual([...colormap("viridis").lut.subarray(0, 4)], [68, 1, 84, 255]);
});

const NEW_DTYPES: [Dtype, PixelArray["data"]][] = [
  ["int8", new Int8Array([-128, -1, 0, 127])],
  ["int16", new Int16Array([-32768, -1, 0, 32767])],
  ["int32", new Int32Array([-(2 ** 31), -1, 0, 2 ** 31 - 1])],
  ["int64", new BigInt64Array([-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n])],
  ["uint32", new Uint32Array([0, 1, 2 ** 31, 2 ** 32 - 1])],
  ["uint64", new BigUint64Array([0n, 1n, 2n ** 63n, 2n ** 64n - 1n])],
  ["float16", new Float16Array([-65504, 0.5, NaN, Infinity])],
];

for (const [dtype, data] of NEW_DTYPES) {
  Deno.test(`parseNpy() reads ${dtype} as np.save writes it`, () => {
    const array = parseNpy(encodeNpy({ shape: [2, 2], dtype, data }));
    assert.equal(array.dtype, dtype);
    assert.deepEqual(array.shape, [2, 2]);
    assert.deepEqual([...array.data], [...data]);
  });
}

Deno.test("parseNpy() reads the int64 fixture np.save wrote", async () => {
  const array = parseNpy(await Deno.readFile(`${PROJECT_DIR}/fixtures/arrays/int64.npy`));
  assert.equal(array.dtype, "int64");
  assert.deepEqual(array.shape, [4, 6]);
  assert.deepEqual([...array.data].slice(0, 4), [0n, 11n, 22n, 33n]);
});

Deno.test("displayRange() takes percentiles of values whose span overflows float64", () => {
  const a: PixelArray = {
    shape: [1, 3],
    dtype: "float64",
    data: new Float64Array([1e308, 0, -1e308]),
  };
  for (const [p, expected] of [[0, -1e308], [50, 0], [100, 1e308]]) {
    const range = displayRange([a], { vmin: { percentile: p }, vmax: { value: Infinity } });
    assert.equal(range.vmin, expected, `p${p}`);
  }
});

Deno.test("mapDisplay() gives every colormap's rows for float32 values, NaN, ±inf and row edges included", () => {
  const vmin = 0.1;
  const vmax = 2.3;
  const values = [NaN, Infinity, -Infinity, -5, 0.1, 2.3, 7, 1e30, -1e30];
  for (let k = 0; k <= 256; k++) {
    const edge = Math.fround(vmin + ((vmax - vmin) * k) / 256);
    const bits = new Uint32Array(new Float32Array([edge]).buffer)[0];
    for (const step of [-1, 0, 1]) {
      values.push(new Float32Array(new Uint32Array([bits + step]).buffer)[0]);
    }
  }
  const data = new Float32Array(values);
  const array: PixelArray = { shape: [1, data.length], dtype: "float32", data };
  for (const name of COLORMAP_NAMES) {
    const { n, lut } = colormap(name);
    const low = Math.fround(vmin);
    const span = Math.fround(vmax - vmin);
    const pixels = mapDisplay(array, { vmin, vmax }, { cmap: name });
    const rgba = pixels.kind === "indexed"
      ? expandIndexed(pixels)
      : pixels.kind === "channels"
      ? pixels.data
      : never();
    data.forEach((v, i) => {
      const x = Math.fround(Math.fround(Math.fround(v - low) / span) * n);
      const row = x >= 0 && x < n
        ? Math.floor(x)
        : x !== x
        ? n + 2
        : x < 0
        ? n
        : x === n
        ? n - 1
        : n + 1;
      assert.deepEqual([...rgba.subarray(i * 4, i * 4 + 4)], [
        ...lut.subarray(row * 4, row * 4 + 4),
      ], `${name}: ${v}`);
    });
  }
});
