import assert from "node:assert/strict";
import { encodeNpy } from "../lib/arrays/npy.ts";
import { assertError, post } from "./_arrays.ts";
import { decodePixels } from "./_pixels.ts";
import { withServer } from "./_server.ts";

const DEPTH = encodeNpy({
  shape: [1, 3],
  dtype: "float32",
  data: new Float32Array([0, 5, 10]),
});

function form(entries: [string, Blob | string, string?][]): FormData {
  const data = new FormData();
  for (const [name, value, filename] of entries) {
    if (typeof value === "string") data.append(name, value);
    else data.append(name, value, filename);
  }
  return data;
}

async function renderForm(base: string, body: FormData, query: string): Promise<Response> {
  return await fetch(`${base}/render.png${query}`, { method: "POST", body });
}

Deno.test("POST /render.png reads the first file part of a multipart/form-data upload", async () => {
  await withServer(async ({ base }) => {
    const body = form([
      ["note", "a depth map"],
      ["file", new Blob([DEPTH], { type: "application/octet-stream" }), "depth.npy"],
    ]);
    const res = await renderForm(base, body, "?cmap=gray");
    assert.equal(res.status, 200);
    const pixels = await decodePixels(new Uint8Array(await res.arrayBuffer()));
    assert.deepEqual([...pixels.rgba].filter((_, i) => i % 4 === 0), [0, 128, 255]);
  });
});

Deno.test("POST /render.png?field= picks a part; JSON parts are read by type or name", async () => {
  await withServer(async ({ base }) => {
    const body = form([
      ["other", new Blob(["[[1]]"], { type: "application/json" }), "one.json"],
      ["mask", new Blob(["[[0, 255]]"]), "mask.json"],
    ]);
    const res = await renderForm(base, body, "?field=mask");
    assert.equal(res.status, 200);
    const pixels = await decodePixels(new Uint8Array(await res.arrayBuffer()));
    assert.deepEqual([...pixels.rgba], [0, 0, 0, 255, 255, 255, 255, 255]);
  });
});

Deno.test("POST /render.png answers 400 missing_field for an absent field or no file", async () => {
  await withServer(async ({ base }) => {
    await assertError(
      await renderForm(base, form([["file", new Blob([DEPTH]), "d.npy"]]), "?field=image"),
      400,
      "missing_field",
      'the form has no field "image"; it has file',
    );
    await assertError(
      await renderForm(base, form([["note", "hi"]]), ""),
      400,
      "missing_field",
      "the form has no file part (fields: note); upload a file",
    );
    await assertError(
      await post(`${base}/render.png?field=file`, DEPTH, "application/x-npy"),
      400,
      "invalid_parameter",
      "field picks a part of a multipart/form-data upload; this body is application/x-npy",
    );
  });
});

Deno.test("POST /render.png refuses a form upload past MAX_BODY_BYTES with 413", async () => {
  await withServer(async ({ base }) => {
    const big = form([["file", new Blob([new Uint8Array(4096)]), "big.npy"]]);
    await assertError(
      await renderForm(base, big, ""),
      413,
      "payload_too_large",
      "the request body is larger than MAX_BODY_BYTES (2048 bytes)",
    );
  }, { maxBodyBytes: 2048 });
});

Deno.test("POST /render.png answers 400 invalid_multipart for a body its boundary does not split", async () => {
  await withServer(async ({ base }) => {
    await assertError(
      await post(`${base}/render.png`, "no parts here", "multipart/form-data; boundary=xyz"),
      400,
      "invalid_multipart",
      "the multipart/form-data body could not be split by its boundary",
    );
  });
});

Deno.test("POST /decode.npy reads a PNG uploaded as a form file", async () => {
  const png = await Deno.readFile(new URL("../fixtures/sample.png", import.meta.url));
  await withServer(async ({ base }) => {
    const body = form([["file", new Blob([png], { type: "image/png" }), "sample.png"]]);
    const res = await fetch(`${base}/decode.npy?mode=gray`, { method: "POST", body });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-array-shape"), "512,512");
    assert.equal(res.headers.get("x-array-dtype"), "uint8");
    await res.body?.cancel();
  });
});

Deno.test("requests.post(url, files={'file': f}) renders a float .npy with a colormap", async () => {
  await withServer(async ({ base }) => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeFile(`${dir}/depth.npy`, DEPTH);
      const script = [
        "import sys, requests",
        "with open(sys.argv[2], 'rb') as f:",
        "    r = requests.post(sys.argv[1], files={'file': f})",
        "sys.stdout.write(f'{r.status_code} {r.headers[\"content-type\"]}')",
        "open(sys.argv[3], 'wb').write(r.content)",
      ].join("\n");
      const run = await new Deno.Command(Deno.env.get("PIXSERVE_PYTHON") ?? "python3", {
        args: ["-c", script, `${base}/render.png?cmap=gray`, `${dir}/depth.npy`, `${dir}/out.png`],
        env: { NO_PROXY: "127.0.0.1", no_proxy: "127.0.0.1" },
      }).output();
      assert.equal(
        new TextDecoder().decode(run.stdout),
        "200 image/png",
        new TextDecoder().decode(run.stderr),
      );
      const pixels = await decodePixels(await Deno.readFile(`${dir}/out.png`));
      assert.deepEqual([...pixels.rgba].filter((_, i) => i % 4 === 0), [0, 128, 255]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
