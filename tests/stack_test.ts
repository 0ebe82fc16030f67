import assert from "node:assert/strict";
import { encodeNpy, parseNpy } from "../lib/arrays/npy.ts";
import { numberData, type PixelArray } from "../lib/arrays/types.ts";
import { assertError, post } from "./_arrays.ts";
import { pillowFrames, runPython } from "./_python.ts";
import { withServer } from "./_server.ts";

const NPY = "application/x-npy";

/** A uint8 stack whose every value differs from its neighbours'. */
function stack(shape: number[], seed = 1): PixelArray {
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Uint8Array(count);
  for (let i = 0; i < count; i++) data[i] = (i * 97 + seed * 31) % 251;
  return { shape, dtype: "uint8", data };
}

async function render(
  base: string,
  path: string,
  array: PixelArray,
): Promise<Uint8Array<ArrayBuffer>> {
  const res = await post(`${base}${path}`, encodeNpy(array), NPY);
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal(res.status, 200, new TextDecoder().decode(bytes));
  return bytes;
}

/** The values of frame `k` of a channel-last stack. */
function frameValues(array: PixelArray, k: number): number[] {
  const size = array.data.length / array.shape[0];
  return [...numberData(array).subarray(k * size, (k + 1) * size)];
}

for (
  const [ext, file, query, ms] of [
    ["gif", "a.gif", "", 100],
    ["gif", "a.gif", "?fps=25&loop=3", 40],
    ["png", "a.png", "?duration=250", 250],
    ["webp", "a.webp", "?fps=5&loop=2", 200],
  ] as const
) {
  Deno.test(`POST /render.${ext}${query} of (4, 6, 7, 3) is an animation Pillow reads frame by frame`, async () => {
    const array = stack([4, 6, 7, 3]);
    await withServer(async ({ base }) => {
      const bytes = await render(base, `/render.${ext}${query}`, array);
      const read = await pillowFrames(file, bytes, "RGB");
      assert.equal(read.n, 4);
      assert.deepEqual(read.durations, [ms, ms, ms, ms]);
      const loop = new URL(`http://x/${query}`).searchParams.get("loop");
      assert.equal(read.loop, Number(loop ?? 0));
      for (let k = 0; k < 4; k++) {
        assert.deepEqual(read.frames[k], frameValues(array, k), `frame ${k}`);
      }
    });
  });
}

Deno.test("POST /render.png?frames of a uint16 (N, H, W) stack is a 16-bit APNG read back exactly", async () => {
  const data = new Uint16Array(3 * 4 * 5);
  for (let i = 0; i < data.length; i++) data[i] = (i * 3001) % 65536;
  const array: PixelArray = { shape: [3, 4, 5], dtype: "uint16", data };
  await withServer(async ({ base }) => {
    const apng = await render(base, "/render.png?frames", array);
    assert.equal(apng[24], 16);
    const res = await post(`${base}/decode.npy`, apng, "image/png");
    const back = parseNpy(new Uint8Array(await res.arrayBuffer()));
    assert.equal(back.dtype, "uint16");
    assert.deepEqual(back.shape, [3, 4, 5]);
    assert.deepEqual([...back.data], [...data]);
    const one = await post(`${base}/decode.npy?frame=2`, apng, "image/png");
    const frame = parseNpy(new Uint8Array(await one.arrayBuffer()));
    assert.deepEqual(frame.shape, [4, 5]);
    assert.deepEqual([...frame.data], [...data.subarray(40)]);
  });
});

for (const ext of ["gif", "webp", "png"]) {
  Deno.test(`POST /decode.npy of an animated ${ext} gives (N, H, W, C); ?frame=K one frame`, async () => {
    const array = stack([3, 5, 4, 3], 7);
    await withServer(async ({ base }) => {
      const bytes = await render(base, `/render.${ext}`, array);
      const res = await post(`${base}/decode.npy`, bytes, `image/${ext}`);
      const all = parseNpy(new Uint8Array(await res.arrayBuffer()));
      assert.equal(res.headers.get("x-array-shape"), "3,5,4,3");
      assert.deepEqual([...all.data], [...array.data]);
      const one = await post(`${base}/decode.npy?frame=1`, bytes, `image/${ext}`);
      const frame = parseNpy(new Uint8Array(await one.arrayBuffer()));
      assert.deepEqual(frame.shape, [5, 4, 3]);
      assert.deepEqual([...frame.data], frameValues(array, 1));
      await assertError(
        await post(`${base}/decode.npy?frame=3`, bytes, `image/${ext}`),
        422,
        "frame_out_of_range",
        "frame 3 does not exist: the source has 3 frames, numbered from 0",
      );
    });
  });
}

Deno.test("POST /render.gif of frames with more than 256 colours still has every frame", async () => {
  const array = stack([3, 32, 32, 3]);
  await withServer(async ({ base }) => {
    const read = await pillowFrames("a.gif", await render(base, "/render.gif", array), "RGB");
    assert.equal(read.n, 3);
    assert.deepEqual(read.durations, [100, 100, 100]);
  });
});

/** make_grid's algorithm in NumPy, applied by Debian's Python to the same frames. */
const MAKE_GRID = `
import json, math, numpy as np
from PIL import Image
def make_grid(t, nrow, padding, pad_value):
    if t.shape[1] == 1:
        t = np.concatenate((t, t, t), 1)
    if t.shape[0] == 1:
        return t[0]
    nmaps = t.shape[0]
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = t.shape[2] + padding, t.shape[3] + padding
    grid = np.full((t.shape[1], height * ymaps + padding, width * xmaps + padding), pad_value, t.dtype)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            grid[:, y * height + padding:(y + 1) * height, x * width + padding:(x + 1) * width] = t[k]
            k += 1
    return grid
`;

for (
  const [shape, query, nrow, pad, padValue] of [
    [[5, 6, 7, 3], "?grid=2", 2, 2, 0],
    [[5, 6, 7, 3], "?grid=3&pad=4&pad_value=200", 3, 4, 200],
    [[4, 6, 7, 1], "?grid=8&pad=0", 8, 0, 0],
    [[1, 6, 7, 3], "?grid=2", 2, 2, 0],
  ] as const
) {
  Deno.test(`POST /render.png${query} of ${shape.join("×")} is make_grid's layout pixel for pixel`, async () => {
    const array = stack([...shape]);
    await withServer(async ({ base }) => {
      const png = await render(base, `/render.png${query}`, array);
      const same = await runPython(
        `${MAKE_GRID}
frames = np.load("a.npy").transpose(0, 3, 1, 2)
expected = make_grid(frames, ${nrow}, ${pad}, ${padValue}).transpose(1, 2, 0)
got = np.asarray(Image.open("a.png").convert("RGB"))
print(json.dumps({"shape": list(got.shape), "expected": list(expected.shape), "equal": bool((got == expected).all()) if got.shape == expected.shape else False}))`,
        { "a.npy": encodeNpy(array), "a.png": png },
      ) as { shape: number[]; expected: number[]; equal: boolean };
      assert.deepEqual(same.shape, same.expected);
      assert.equal(same.equal, true);
    });
  });
}

Deno.test("POST /render.png?layout=chw reads (C, H, W) and (N, C, H, W) as PyTorch writes them", async () => {
  const hwc = stack([4, 5, 3]);
  const chw = new Uint8Array(hwc.data.length);
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 5; x++) {
      for (let c = 0; c < 3; c++) chw[c * 20 + y * 5 + x] = numberData(hwc)[(y * 5 + x) * 3 + c];
    }
  }
  const frames = stack([2, 4, 5, 3]);
  const nchw = new Uint8Array(frames.data.length);
  for (let n = 0; n < 2; n++) {
    for (let p = 0; p < 20; p++) {
      for (let c = 0; c < 3; c++) {
        nchw[n * 60 + c * 20 + p] = numberData(frames)[n * 60 + p * 3 + c];
      }
    }
  }
  await withServer(async ({ base }) => {
    const a = await render(base, "/render.png", hwc);
    const b = await render(base, "/render.png?layout=chw", { ...hwc, shape: [3, 4, 5], data: chw });
    assert.deepEqual(b, a);
    const c = await render(base, "/render.png?grid=2", frames);
    const d = await render(base, "/render.png?grid=2&layout=chw", {
      shape: [2, 3, 4, 5],
      dtype: "uint8",
      data: nchw,
    });
    assert.deepEqual(d, c);
  });
});

Deno.test("POST /render.png?grid=2&scale_each stretches each frame to its own range", async () => {
  const data = new Uint8Array([0, 10, 20, 30, 100, 100, 100, 200]);
  const array: PixelArray = { shape: [2, 2, 2], dtype: "uint8", data };
  await withServer(async ({ base }) => {
    const png = await render(base, "/render.png?frames&grid=2&pad=0&scale_each", array);
    const res = await post(`${base}/decode.npy`, png, "image/png");
    const back = parseNpy(new Uint8Array(await res.arrayBuffer()));
    assert.deepEqual([...back.data], [0, 85, 0, 0, 170, 255, 0, 255]);
  });
});

for (
  const [label, path, shape, status, error, detail] of [
    [
      "?grid=0",
      "/render.png?grid=0",
      [2, 2, 2, 3],
      400,
      "invalid_parameter",
      'grid must be an integer from 1 to 9007199254740991, got "0"',
    ],
    [
      "?fps=0",
      "/render.gif?fps=0",
      [2, 2, 2, 3],
      400,
      "invalid_parameter",
      'fps must be a number from 0.1 to 1000, got "0"',
    ],
    [
      "?duration=-1",
      "/render.gif?duration=-1",
      [2, 2, 2, 3],
      400,
      "invalid_parameter",
      'duration must be an integer from 1 to 65535, got "-1"',
    ],
    [
      "?fps with ?duration",
      "/render.gif?fps=5&duration=20",
      [2, 2, 2, 3],
      400,
      "invalid_parameter",
      "give fps or duration, not both",
    ],
    [
      "?layout=chw on (5, 4, 4)",
      "/render.png?layout=chw",
      [5, 4, 4],
      422,
      "unsupported_shape",
      "shape (5, 4, 4) is not channel-first; with ?layout=chw send (C, H, W) or (N, C, H, W) with C = 1, 3 or 4",
    ],
    [
      "?layout=chw on (2, 5, 4, 4)",
      "/render.png?layout=chw",
      [2, 5, 4, 4],
      422,
      "unsupported_shape",
      "shape (2, 5, 4, 4) is not channel-first; with ?layout=chw send (C, H, W) or (N, C, H, W) with C = 1, 3 or 4",
    ],
    [
      "a stack as JPEG",
      "/render.jpg",
      [2, 2, 2, 3],
      422,
      "unsupported_animation",
      "jpeg cannot hold an animation of 2 frames; ask for gif, webp or png (APNG), or lay the frames out in one image with ?grid=COLS",
    ],
    [
      "too many frames",
      "/render.gif",
      [4, 1, 1, 3],
      422,
      "too_many_frames",
      "the stack has 4 frames, more than MAX_FRAMES (3)",
    ],
    [
      "too many pixels",
      "/render.gif?frames",
      [3, 4, 5],
      422,
      "too_many_pixels",
      "3 frames of 5x4 are 60 pixels, more than MAX_PIXELS (50)",
    ],
    [
      "a grid whose padding passes MAX_PIXELS",
      "/render.png?frames&grid=3&pad=1000",
      [3, 1, 1],
      422,
      "too_many_pixels",
      "4003x2001 is 8010003 pixels, more than MAX_PIXELS (50)",
    ],
    [
      "a pad value uint8 cannot hold",
      "/render.png?grid=2&pad_value=300",
      [2, 1, 1, 3],
      422,
      "invalid_pad_value",
      "pad_value 300 does not fit uint8: give an integer from 0 to 255",
    ],
  ] as const
) {
  Deno.test(`POST /render answers ${status} ${error} for ${label}`, async () => {
    await withServer(async ({ base }) => {
      await assertError(
        await post(`${base}${path}`, encodeNpy(stack([...shape])), NPY),
        status,
        error,
        detail,
      );
    }, { maxFrames: 3, maxPixels: 50 });
  });
}

Deno.test("POST /decode.npy refuses from the header an APNG declaring more frames than MAX_FRAMES", async () => {
  await withServer(async ({ base }) => {
    const apng = await render(base, "/render.png", stack([2, 3, 3, 3]));
    assert.equal(String.fromCharCode(...apng.subarray(37, 41)), "acTL");
    const lying = apng.slice();
    new DataView(lying.buffer).setUint32(41, 5000);
    await assertError(
      await post(`${base}/decode.npy`, lying, "image/png"),
      422,
      "too_many_frames",
      "the source has 5000 frames, more than MAX_FRAMES (1000)",
    );
  });
});

for (const ext of ["png", "gif", "webp"]) {
  Deno.test(
    `POST /decode.npy refuses an animated ${ext} past MAX_FRAMES or frames × pixels past MAX_PIXELS`,
    async () => {
      let bytes = new Uint8Array();
      await withServer(async ({ base }) => {
        bytes = await render(base, `/render.${ext}`, stack([4, 5, 5, 3]));
      });
      await withServer(async ({ base }) => {
        await assertError(
          await post(`${base}/decode.npy`, bytes, `image/${ext}`),
          422,
          "too_many_frames",
          "the source has 4 frames, more than MAX_FRAMES (3)",
        );
      }, { maxFrames: 3 });
      await withServer(async ({ base }) => {
        await assertError(
          await post(`${base}/decode.npy`, bytes, `image/${ext}`),
          422,
          "too_many_pixels",
          "the source is 4 frames of 5x5, 100 pixels, more than MAX_PIXELS (99)",
        );
      }, { maxPixels: 99 });
    },
  );
}
