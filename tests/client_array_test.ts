import assert from "node:assert/strict";
import { parseArrayJson } from "../lib/arrays/json.ts";
import { parseNpy } from "../lib/arrays/npy.ts";
import { listDir, runClient, withTempDir } from "./_client.ts";
import { ARRAY_FIXTURES, expectedImages } from "./_arrays.ts";
import { assertSamplePattern, decodePixels } from "./_pixels.ts";
import { PROJECT_DIR, withServer } from "./_server.ts";

const IDENTITY = { "accept-encoding": "identity" };

for (
  const [route, output, tolerance, margin] of [
    ["image.json", "out.png", 0, 0],
    ["image.npy", "out.gif", 0, 0],
    ["image.json", "out.webp", 0, 0],
    ["image.npy", "out.jpg", 8, 8],
  ] as const
) {
  Deno.test(`fetch /${route} --array -o ${output} rebuilds the sample image`, async () => {
    await withServer(async ({ base }) => {
      await withTempDir(async (dir) => {
        const run = await runClient(dir, `${base}/${route}`, "--array", "-o", output);
        assert.equal(run.code, 0, run.stderr);
        const saved = await Deno.readFile(`${dir}/${output}`);
        const type = route.endsWith(".json") ? "application/json" : "application/x-npy";
        const format = output === "out.jpg" ? "jpeg" : output.slice(4);
        assert.match(run.stdout, new RegExp(`^content-type: ${type}\\b`, "m"));
        assert.match(run.stdout, /^array: \(512, 512, 3\) uint8$/m);
        assert.match(run.stdout, new RegExp(`^size: ${saved.byteLength} bytes `, "m"));
        assert.match(run.stdout, new RegExp(`^image: 512×512 ${format}$`, "m"));
        assert.match(run.stdout, new RegExp(`^saved: ${output.replace(".", "\\.")}$`, "m"));
        assert.deepEqual(await listDir(dir), [output]);
        assertSamplePattern(await decodePixels(saved), 512, 512, tolerance, margin);
      });
    });
  });
}

Deno.test("fetch --array rebuilds a gray H×W answer (?mode=gray) as a gray image", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      const run = await runClient(dir, `${base}/image.npy?mode=gray`, "--array", "-o", "g.png");
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^array: \(512, 512\) uint8$/m);
      const pixels = await decodePixels(await Deno.readFile(`${dir}/g.png`));
      assert.equal(pixels.width, 512);
      const luma = Math.round(0.299 * 255);
      assert.deepEqual([...pixels.rgba.subarray(0, 4)], [luma, luma, luma, 255]);
      assert.deepEqual([...pixels.rgba.subarray(pixels.rgba.length - 4)], [0, 0, 0, 255]);
    });
  });
});

Deno.test("fetch --array on an answer that is no array exits 1 and writes nothing", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      const run = await runClient(dir, `${base}/image.png`, "--array", "-o", "x.png");
      assert.equal(run.code, 1);
      assert.equal(
        run.stderr,
        "fetch: the answer (image/png) is not a JSON nested list, .npy or .npz\n",
      );
      assert.deepEqual(await listDir(dir), []);
    });
  });
});

for (
  const [entry, type, key] of [
    ["rgb_u8.npy", "application/x-npy", "rgb_u8"],
    ["rgba_u8.npy", "application/x-npy", "rgba_u8"],
    ["be_fortran_u16.npy?bits=8", "application/x-npy", "be_fortran_u16"],
    ["single.npz", "application/zip", "rgba_u8"],
  ] as const
) {
  // A uint16 array renders as a 16-bit PNG by default; ?bits=8 gives the 8-bit image expected.
  const [name, query] = entry.split("?");
  const fixture = name;
  Deno.test(`fetch --data ${entry} POSTs ${type} to /render.png and saves the render`, async () => {
    const expected = (await expectedImages())[key];
    await withServer(async ({ base }) => {
      await withTempDir(async (dir) => {
        const bytes = await Deno.readFile(`${ARRAY_FIXTURES}/${fixture}`);
        await Deno.writeFile(`${dir}/${fixture}`, bytes);
        const url = `${base}/render.png${query === undefined ? "" : `?${query}`}`;
        const run = await runClient(dir, url, "--data", fixture);
        assert.equal(run.code, 0, run.stderr);
        assert.match(
          run.stdout,
          new RegExp(`^sent: ${fixture} \\(${type}, ${bytes.length} bytes\\)\n`),
        );
        assert.match(run.stdout, /^image: 6×4 png$/m);
        assert.match(run.stdout, /^saved: render\.png$/m);
        const pixels = await decodePixels(await Deno.readFile(`${dir}/render.png`));
        assert.deepEqual([pixels.width, pixels.height], [6, 4]);
        assert.deepEqual([...pixels.rgba], expected.rgba);
      });
    });
  });
}

Deno.test("fetch --data list.json -o out.gif POSTs application/json to /render.gif", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/list.json`, "[[[255,0,0],[0,255,0]],[[0,0,255],[9,9,9]]]");
      const run = await runClient(dir, `${base}/render.gif`, "--data", "list.json", "-o", "o.gif");
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^sent: list\.json \(application\/json, 43 bytes\)$/m);
      const pixels = await decodePixels(await Deno.readFile(`${dir}/o.gif`));
      assert.deepEqual(
        [...pixels.rgba],
        [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 9, 9, 9, 255],
      );
    });
  });
});

Deno.test("fetch --data sample.png to /decode.json saves the pixels as JSON", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      await Deno.copyFile(`${PROJECT_DIR}/fixtures/sample.png`, `${dir}/sample.png`);
      const run = await runClient(dir, `${base}/decode.json?mode=rgb`, "--data", "sample.png");
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^sent: sample\.png \(image\/png, 3204 bytes\)$/m);
      assert.deepEqual(await listDir(dir), ["pixels.json", "sample.png"]);
      const decoded = parseArrayJson(await Deno.readFile(`${dir}/pixels.json`));
      const sample = await fetch(`${base}/image.json`, { headers: IDENTITY });
      const expected = parseArrayJson(new Uint8Array(await sample.arrayBuffer()));
      assert.deepEqual(decoded.shape, [512, 512, 3]);
      assert.deepEqual(decoded.data, expected.data);
    });
  });
});

Deno.test("fetch --data sample.png to /decode.npy with --array round-trips the pixels", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      await Deno.copyFile(`${PROJECT_DIR}/fixtures/sample.png`, `${dir}/in.png`);
      const run = await runClient(
        dir,
        `${base}/decode.npy?mode=rgb`,
        ...["--data", "in.png", "--array", "-o", "back.png"],
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^array: \(512, 512, 3\) uint8$/m);
      assertSamplePattern(await decodePixels(await Deno.readFile(`${dir}/back.png`)), 512, 512);
    });
  });
});

Deno.test("fetch --data sample.png to /decode.npy saves an .npy NumPy-shaped", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      await Deno.copyFile(`${PROJECT_DIR}/fixtures/sample.png`, `${dir}/in.png`);
      const run = await runClient(dir, `${base}/decode.npy?mode=rgb`, "--data", "in.png");
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^content-type: application\/x-npy$/m);
      const array = parseNpy(await Deno.readFile(`${dir}/pixels.npy`));
      assert.deepEqual(array.shape, [512, 512, 3]);
      assert.deepEqual([...array.data.subarray(0, 3)], [255, 0, 0]);
    });
  });
});

Deno.test("fetch --data with an array the server refuses prints its JSON error, exits 1", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      await Deno.copyFile(`${ARRAY_FIXTURES}/int64.npy`, `${dir}/int64.npy`);
      const run = await runClient(dir, `${base}/render.png`, "--data", "int64.npy");
      assert.equal(run.code, 1);
      assert.match(run.stdout, /^status: 422 Unprocessable Entity$/m);
      assert.match(
        run.stderr,
        /^unsupported_dtype: int64 has no default 8-bit mapping .* add \?cmap=NAME .*\n$/,
      );
      assert.deepEqual(await listDir(dir), ["int64.npy"]);
    });
  });
});

Deno.test("fetch --data with a missing file exits 1 without sending", async () => {
  await withTempDir(async (dir) => {
    const run = await runClient(dir, "http://127.0.0.1:9/render.png", "--data", "none.npy");
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^fetch: cannot read --data none\.npy: .*No such file/);
  });
});
