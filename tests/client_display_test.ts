import assert from "node:assert/strict";
import { listDir, runClient, withTempDir } from "./_client.ts";
import { decodePixels } from "./_pixels.ts";
import { PROJECT_DIR } from "./_server.ts";

const FIXTURES = `${PROJECT_DIR}/fixtures/display`;

Deno.test("fetch --array depth.npy --cmap magma --vmin p10.5 --vmax 8 renders locally as matplotlib does", async () => {
  await withTempDir(async (dir) => {
    await Deno.copyFile(`${FIXTURES}/depth32.npy`, `${dir}/depth.npy`);
    const run = await runClient(
      dir,
      "--array",
      "depth.npy",
      "--cmap",
      "magma",
      "--vmin",
      "p10.5",
      "--vmax",
      "8",
      "-o",
      "depth.png",
    );
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split("\n");
    assert.equal(lines[0], "array: (40, 48) float32");
    assert.match(lines[1], /^range: vmin 1\.\d+, vmax 8$/);
    assert.equal(lines.at(-1), "saved: depth.png");
    const expected = await decodePixels(await Deno.readFile(`${FIXTURES}/depth_p10_5_8.png`));
    assert.deepEqual(await decodePixels(await Deno.readFile(`${dir}/depth.png`)), expected);
    assert.deepEqual(await listDir(dir), ["depth.npy", "depth.png"]);
  });
});

Deno.test("fetch --array labels.npy --cmap labels writes an indexed PNG; bad flags exit 1", async () => {
  await withTempDir(async (dir) => {
    await Deno.copyFile(`${FIXTURES}/labels_int16.npy`, `${dir}/labels.npy`);
    const ok = await runClient(dir, "--array", "labels.npy", "--cmap", "labels", "-o", "l.png");
    assert.equal(ok.code, 0, ok.stderr);
    const png = await Deno.readFile(`${dir}/l.png`);
    assert.equal(png[25], 3, "colour type 3 (indexed)");
    const bad = await runClient(dir, "--array", "labels.npy", "--cmap", "virdis", "-o", "x.png");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^fetch: cmap "virdis" is not a colormap; use one of labels, /);
    const float = await runClient(
      dir,
      "--array",
      "labels.npy",
      "--vmin",
      "30",
      "--vmax",
      "10",
      "-o",
      "x.png",
    );
    assert.equal(float.code, 1);
    assert.equal(float.stderr, "fetch: vmin (30) must be less than vmax (10)\n");
    assert.deepEqual(await listDir(dir), ["l.png", "labels.npy"]);
  });
});
