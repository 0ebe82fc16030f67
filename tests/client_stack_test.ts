import assert from "node:assert/strict";
import { encodeNpy } from "../lib/arrays/npy.ts";
import type { PixelArray } from "../lib/arrays/types.ts";
import { post } from "./_arrays.ts";
import { formatBytes } from "../lib/client/progress.ts";
import { listDir, runClient, withTempDir } from "./_client.ts";
import { pillowFrames } from "./_python.ts";
import { withServer } from "./_server.ts";

const NPY = "application/x-npy";

/** A (4, 6, 7, 3) uint8 stack whose every value differs from its neighbours'. */
function stack(): PixelArray {
  const shape = [4, 6, 7, 3];
  const data = new Uint8Array(4 * 6 * 7 * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 97 + 31) % 251;
  return { shape, dtype: "uint8", data };
}

/** The values of frame `k`. */
function frameValues(array: PixelArray, k: number): number[] {
  const size = array.data.length / array.shape[0];
  return [...(array.data as Uint8Array).subarray(k * size, (k + 1) * size)];
}

for (
  const [output, flags, ms, loop, line] of [
    ["a.gif", [], 100, 0, "frames: 4, 100 ms each, looping forever"],
    ["a.gif", ["--fps", "25", "--loop", "3"], 40, 3, "frames: 4, 40 ms each, played 3 times"],
    ["a.png", ["--duration", "250"], 250, 0, "frames: 4, 250 ms each, looping forever"],
    ["a.webp", ["--fps", "5", "--loop", "1"], 200, 1, "frames: 4, 200 ms each, played 1 time"],
  ] as const
) {
  Deno.test(`fetch --array frames.npy ${[...flags, "-o", output].join(" ")} writes an animation Pillow reads frame by frame`, async () => {
    const array = stack();
    await withTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/frames.npy`, encodeNpy(array));
      const run = await runClient(dir, "--array", "frames.npy", ...flags, "-o", output);
      assert.equal(run.code, 0, run.stderr);
      const saved = await Deno.readFile(`${dir}/${output}`);
      const format = output.slice(2);
      assert.equal(
        run.stdout,
        [
          "array: (4, 6, 7, 3) uint8",
          `size: ${saved.byteLength} bytes (${formatBytes(saved.byteLength)})`,
          `image: 7×6 ${format}`,
          line,
          `saved: ${output}`,
          "",
        ].join("\n"),
      );
      const read = await pillowFrames(output, saved, "RGB");
      assert.equal(read.n, 4);
      assert.deepEqual(read.durations, [ms, ms, ms, ms]);
      assert.equal(read.loop, loop);
      for (let k = 0; k < 4; k++) {
        assert.deepEqual(read.frames[k], frameValues(array, k), `frame ${k}`);
      }
      assert.deepEqual(await listDir(dir), [output, "frames.npy"].sort());
    });
  });
}

Deno.test("fetch --array of solid-colour frames: each APNG frame is its colour", async () => {
  const colours = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0], [0, 255, 255]];
  const size = 3 * 2 * 3;
  const data = new Uint8Array(colours.length * size);
  colours.forEach((rgb, k) => {
    for (let i = 0; i < size; i++) data[k * size + i] = rgb[i % 3];
  });
  await withTempDir(async (dir) => {
    await Deno.writeFile(
      `${dir}/solid.npy`,
      encodeNpy({ shape: [colours.length, 3, 2, 3], dtype: "uint8", data }),
    );
    const run = await runClient(dir, "--array", "solid.npy", "--fps", "2", "-o", "solid.png");
    assert.equal(run.code, 0, run.stderr);
    const read = await pillowFrames("solid.png", await Deno.readFile(`${dir}/solid.png`), "RGB");
    assert.deepEqual(read.durations, colours.map(() => 500));
    assert.deepEqual(
      read.frames,
      colours.map((rgb) => Array.from({ length: 6 }, () => rgb).flat()),
    );
  });
});

/** Client flags and the `/render` query that asks for the same. */
const SAME_AS_SERVER = [
  ["a.gif", ["--fps", "25", "--loop", "3"], "/render.gif?fps=25&loop=3"],
  ["a.png", ["--duration", "250"], "/render.png?duration=250"],
  ["a.webp", ["--fps", "2.5"], "/render.webp?fps=2.5"],
  [
    "g.png",
    ["--grid", "3", "--pad", "1", "--pad-value", "255"],
    "/render.png?grid=3&pad=1&pad_value=255",
  ],
  ["s.png", ["--grid", "2", "--scale-each"], "/render.png?grid=2&scale_each"],
  ["c.gif", ["--layout", "chw", "--frames"], "/render.gif?layout=chw"],
  [
    "v.gif",
    ["--frames", "--cmap", "viridis", "--vmin", "p10"],
    "/render.gif?frames&cmap=viridis&vmin=p10",
  ],
  [
    "w.gif",
    ["--frames", "--cmap", "magma", "--scale-each"],
    "/render.gif?frames&cmap=magma&scale_each",
  ],
  ["b.png", ["--frames", "--bits", "8"], "/render.png?frames&bits=8"],
] as const;

Deno.test("fetch --array with stack flags writes the bytes POST /render answers with the same query", async () => {
  const rgb = stack();
  const gray: PixelArray = { shape: [4, 6, 7], dtype: "uint16", data: new Uint16Array(168) };
  (gray.data as Uint16Array).forEach((_, i, a) => a[i] = (i * 3001) % 65536);
  const chw: PixelArray = { shape: [2, 3, 6, 7], dtype: "uint8", data: rgb.data.slice(0, 252) };
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/rgb.npy`, encodeNpy(rgb));
      await Deno.writeFile(`${dir}/gray.npy`, encodeNpy(gray));
      await Deno.writeFile(`${dir}/chw.npy`, encodeNpy(chw));
      for (const [output, flags, route] of SAME_AS_SERVER) {
        const array = route.includes("layout=chw") ? chw : route.includes("frames") ? gray : rgb;
        const file = array === chw ? "chw.npy" : array === gray ? "gray.npy" : "rgb.npy";
        const run = await runClient(dir, "--array", file, ...flags, "-o", output);
        assert.equal(run.code, 0, `${flags.join(" ")}: ${run.stderr}`);
        const res = await post(`${base}${route}`, encodeNpy(array), NPY);
        const served = new Uint8Array(await res.arrayBuffer());
        assert.equal(res.status, 200, new TextDecoder().decode(served));
        assert.deepEqual(await Deno.readFile(`${dir}/${output}`), served, route);
      }
    });
  });
});

/** Client flags and the `/render` query they stand for, both refused. */
const REFUSED = [
  [["--grid", "0"], "a.png", "/render.png?grid=0"],
  [["--fps", "0"], "a.gif", "/render.gif?fps=0"],
  [["--fps", "5", "--duration", "40"], "a.gif", "/render.gif?fps=5&duration=40"],
  [["--loop=-1"], "a.gif", "/render.gif?loop=-1"],
  [["--layout", "nchw"], "a.gif", "/render.gif?layout=nchw"],
  [["--pad-value", "300", "--grid", "2"], "a.png", "/render.png?pad_value=300&grid=2"],
  [["--bits", "16"], "a.gif", "/render.gif?bits=16"],
  [[], "a.jpg", "/render.jpg"],
] as const;

Deno.test("fetch --array with bad stack flags prints the server's detail and exits 1", async () => {
  const array = stack();
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/frames.npy`, encodeNpy(array));
      for (const [flags, output, route] of REFUSED) {
        const res = await post(`${base}${route}`, encodeNpy(array), NPY);
        const { detail } = await res.json();
        assert.ok(res.status === 400 || res.status === 422, `${route}: ${res.status}`);
        const run = await runClient(dir, "--array", "frames.npy", ...flags, "-o", output);
        assert.equal(run.code, 1, flags.join(" "));
        assert.equal(run.stderr, `fetch: ${detail}\n`);
        assert.equal(run.stdout, "");
      }
      assert.deepEqual(await listDir(dir), ["frames.npy"]);
    });
  });
});

Deno.test("fetch <url> --array --fps renders a stack the server answered as an animation", async () => {
  const array = stack();
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/frames.npy`, encodeNpy(array));
      const gif = await post(`${base}/render.gif`, encodeNpy(array), NPY);
      await Deno.writeFile(`${dir}/in.gif`, new Uint8Array(await gif.arrayBuffer()));
      const run = await runClient(
        dir,
        `${base}/decode.npy`,
        ...["--data", "in.gif", "--array", "--duration", "30", "-o", "back.png"],
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^array: \(4, 6, 7, 3\) uint8$/m);
      assert.match(run.stdout, /^frames: 4, 30 ms each, looping forever$/m);
      const read = await pillowFrames("back.png", await Deno.readFile(`${dir}/back.png`), "RGB");
      assert.deepEqual(read.durations, [30, 30, 30, 30]);
      for (let k = 0; k < 4; k++) assert.deepEqual(read.frames[k], frameValues(array, k));
    });
  });
});
