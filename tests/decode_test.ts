import assert from "node:assert/strict";
import { parseArrayJson } from "../lib/arrays/json.ts";
import { parseNpy } from "../lib/arrays/npy.ts";
import type { PixelArray } from "../lib/arrays/types.ts";
import { assertError, post, readFixture, readGzipFixture } from "./_arrays.ts";
import { PROJECT_DIR, withServer } from "./_server.ts";

const ACCEPTED =
  "image/png, image/jpeg, image/gif, image/tiff, image/webp, image/apng, application/octet-stream, multipart/form-data";

/** POSTs bytes to a /decode route and reads the array it answers. */
async function decode(
  base: string,
  route: string,
  body: Uint8Array<ArrayBuffer>,
  type: string | null,
): Promise<{ array: PixelArray; res: Response }> {
  const res = await post(`${base}${route}`, body, type);
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal(res.status, 200, new TextDecoder().decode(bytes));
  const array = route.includes(".json") ? parseArrayJson(bytes) : parseNpy(bytes);
  assert.equal(res.headers.get("x-array-shape"), array.shape.join(","));
  assert.equal(res.headers.get("x-array-dtype"), "uint8");
  return { array, res };
}

/** Renders a NumPy fixture to an image through the server. */
async function renderFixture(base: string, name: string, ext: string) {
  const res = await post(`${base}/render.${ext}`, await readFixture(name), "application/x-npy");
  assert.equal(res.status, 200);
  return new Uint8Array(await res.arrayBuffer());
}

for (
  const [fixture, ext, renderQuery, query] of [
    ["rgb_u8.npy", "png", "", ""],
    ["rgba_u8.npy", "png", "", ""],
    ["gray_u8.npy", "png", "", "?mode=gray"],
    ["rgb_u8.npy", "gif", "", ""],
    ["rgb_u8.npy", "png", "?order=bgr", "?order=bgr"],
    ["rgba_u8.npy", "png", "?order=bgr", "?order=bgr"],
  ] as const
) {
  Deno.test(
    `array → /render.${ext}${renderQuery} → /decode.npy${query} gives ${fixture} back exactly`,
    async () => {
      const original = parseNpy(await readFixture(fixture));
      await withServer(async ({ base }) => {
        const body = await readFixture(fixture);
        const res = await post(`${base}/render.${ext}${renderQuery}`, body, null);
        assert.equal(res.status, 200);
        const image = new Uint8Array(await res.arrayBuffer());
        for (const route of [`/decode.npy${query}`, `/decode.json${query}`]) {
          const { array } = await decode(base, route, image, `image/${ext}`);
          assert.deepEqual(array.shape, original.shape, route);
          assert.deepEqual([...array.data], [...original.data], route);
        }
      });
    },
  );
}

// The sample PNG is stored as RGBA (every pixel opaque): /decode gives its four channels, as
// cv2.imread(IMREAD_UNCHANGED) does, and ?mode=rgb gives NumPy's (512, 512, 3) sample.
Deno.test("POST /decode.npy?mode=rgb of the sample PNG is byte for byte NumPy's sample.npy", async () => {
  await withServer(async ({ base }) => {
    const png = await Deno.readFile(`${PROJECT_DIR}/fixtures/sample.png`);
    const res = await post(`${base}/decode.npy?mode=rgb`, png, "image/png");
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(res.status, 200);
    assert.deepEqual(bytes, await readGzipFixture("sample.npy.gz"));
    assert.equal(res.headers.get("content-type"), "application/x-npy");
    assert.equal(res.headers.get("content-length"), String(bytes.byteLength));
    assert.equal(res.headers.get("content-disposition"), 'attachment; filename="pixels.npy"');
    assert.equal(res.headers.get("cache-control"), "no-store");
    assert.equal(res.headers.get("x-array-shape"), "512,512,3");
    assert.equal(res.headers.get("x-array-dtype"), "uint8");
  });
});

Deno.test("POST /decode.json?mode=rgb of the sample PNG is byte for byte NumPy's sample.json", async () => {
  await withServer(async ({ base }) => {
    const png = await Deno.readFile(`${PROJECT_DIR}/fixtures/sample.png`);
    const res = await post(`${base}/decode.json?mode=rgb`, png, null);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.equal(res.headers.get("content-disposition"), 'inline; filename="pixels.json"');
    assert.deepEqual(
      new Uint8Array(await res.arrayBuffer()),
      await readGzipFixture("sample.json.gz"),
    );
  });
});

Deno.test("POST /decode.npy reads NumPy's baseline TIFF", async () => {
  await withServer(async ({ base }) => {
    const tiff = await readFixture("rgb_u8.tiff");
    const { array } = await decode(base, "/decode.npy", tiff, "image/tiff");
    assert.deepEqual(array.shape, [4, 6, 3]);
    assert.deepEqual([...array.data], [...parseNpy(await readFixture("rgb_u8.npy")).data]);
  });
});

Deno.test("POST /decode.npy reads a JPEG of the sample within JPEG's error", async () => {
  await withServer(async ({ base }) => {
    const npy = await readGzipFixture("sample.npy.gz");
    const rendered = await post(`${base}/render.jpg`, npy, "application/x-npy");
    const jpeg = new Uint8Array(await rendered.arrayBuffer());
    const { array } = await decode(base, "/decode.npy", jpeg, "image/jpeg");
    assert.deepEqual(array.shape, [512, 512, 3]);
    for (const [y, x, rgb] of [[100, 100, [255, 0, 0]], [400, 400, [0, 0, 0]]] as const) {
      const at = (y * 512 + x) * 3;
      rgb.forEach((v, c) =>
        assert.ok(Math.abs(Number(array.data[at + c]) - v) <= 8, `(${x},${y})`)
      );
    }
  });
});

Deno.test("POST /decode.npy?mode= gives gray (BT.601), rgb and rgba", async () => {
  await withServer(async ({ base }) => {
    const png = await Deno.readFile(`${PROJECT_DIR}/fixtures/sample.png`);
    const gray = (await decode(base, "/decode.npy?mode=gray", png, "image/png")).array;
    assert.deepEqual(gray.shape, [512, 512]);
    assert.equal(gray.data[0], 76);
    assert.equal(gray.data[512 * 512 - 1], 0);
    const rgba = (await decode(base, "/decode.npy?mode=rgba", png, "image/png")).array;
    assert.deepEqual(rgba.shape, [512, 512, 4]);
    assert.deepEqual([...rgba.data.subarray(0, 4)], [255, 0, 0, 255]);
    const bgr = (await decode(base, "/decode.npy?order=bgr", png, "image/png")).array;
    assert.deepEqual([...bgr.data.subarray(0, 4)], [0, 0, 255, 255]);
    const own = (await decode(base, "/decode.npy", png, "image/png")).array;
    assert.deepEqual(own.shape, [512, 512, 4], "an RGBA PNG keeps its alpha, as cv2 does");
  });
});

for (
  const [label, query, body, type, status, error, detail] of [
    [
      "a media type it does not read",
      "",
      new TextEncoder().encode("hello"),
      "text/plain",
      415,
      "unsupported_media_type",
      `Content-Type text/plain is not read here; send one of ${ACCEPTED}`,
    ],
    [
      "bytes that are no image",
      "",
      new TextEncoder().encode("hello, not an image"),
      "image/png",
      415,
      "unsupported_media_type",
      "the source is not a PNG, JPEG, GIF, TIFF or WebP image",
    ],
    [
      "a bad mode",
      "?mode=cmyk",
      new Uint8Array(8),
      "image/png",
      400,
      "invalid_parameter",
      'mode must be one of gray, rgb, rgba, got "cmyk"',
    ],
  ] as const
) {
  Deno.test(`POST /decode.npy answers ${status} ${error} for ${label}`, async () => {
    await withServer(async ({ base }) => {
      await assertError(
        await post(`${base}/decode.npy${query}`, body, type),
        status,
        error,
        detail,
      );
    });
  });
}

Deno.test("POST /decode.npy reads a lossless WebP back exactly", async () => {
  await withServer(async ({ base }) => {
    const webp = await renderFixture(base, "rgb_u8.npy", "webp");
    const { array } = await decode(base, "/decode.npy", webp, "application/octet-stream");
    assert.deepEqual(array.shape, [4, 6, 3]);
    assert.deepEqual([...array.data], [...parseNpy(await readFixture("rgb_u8.npy")).data]);
  });
});

Deno.test("POST /decode.npy answers 422 too_many_pixels from the header alone", async () => {
  await withServer(async ({ base }) => {
    const png = await renderFixture(base, "rgb_u8.npy", "png");
    const huge = png.slice();
    new DataView(huge.buffer).setUint32(16, 100_000);
    new DataView(huge.buffer).setUint32(20, 100_000);
    await assertError(
      await post(`${base}/decode.npy`, huge, "image/png"),
      422,
      "too_many_pixels",
      "the source is 100000x100000, 10000000000 pixels, more than MAX_PIXELS (40000000)",
    );
  });
});

Deno.test("GET /decode.npy answers 405 with Allow: POST", async () => {
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/decode.npy`);
    assert.equal(res.headers.get("allow"), "POST");
    await assertError(res, 405, "method_not_allowed", "GET is not allowed here; use POST");
  });
});
