import assert from "node:assert/strict";
import { Image } from "imagescript";
import { etagOf } from "../lib/http/conditional.ts";
import { decodeSourceImage, readSourceHeader } from "../lib/image/source.ts";
import { sampleImage } from "../lib/image/sample.ts";
import { withMedia } from "./_media.ts";
import { assertSamplePattern, decodePixels } from "./_pixels.ts";
import { countingServices, PROJECT_DIR, withServer } from "./_server.ts";

const IDENTITY = { "accept-encoding": "identity" };
const FIXTURES = `${PROJECT_DIR}/fixtures`;

for (
  const [ext, type, tolerance, margin] of [
    ["png", "image/png", 0, 0],
    ["gif", "image/gif", 0, 0],
    ["webp", "image/webp", 0, 0],
    ["jpg", "image/jpeg", 8, 8],
    ["jpeg", "image/jpeg", 8, 8],
  ] as const
) {
  Deno.test(`GET /images/sample.${ext} re-encodes sample.png with the in-memory route's headers`, async () => {
    await withServer(async ({ base }) => {
      const res = await fetch(`${base}/images/sample.${ext}`, { headers: IDENTITY });
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(res.status, 200);
      assert.deepEqual(Object.fromEntries([...res.headers].filter(([k]) => k !== "date")), {
        "cache-control": "public, max-age=3600",
        "content-disposition": `inline; filename="sample.${ext}"`,
        "content-length": String(bytes.byteLength),
        "content-type": type,
        "etag": await etagOf(bytes),
        "x-content-type-options": "nosniff",
      });
      assertSamplePattern(await decodePixels(bytes), 512, 512, tolerance, margin);
    });
  });
}

for (
  const [stem, what, size, tolerance, margin] of [
    ["photo", "a JPEG", 64, 8, 8],
    ["frames", "a GIF's first frame", 64, 0, 0],
    ["scan", "an uncompressed RGB TIFF", 64, 0, 0],
    ["nested/alpha", "an LZW RGBA TIFF in a subfolder", 64, 8, 8],
    ["nested/tile", "a PNG in a subfolder", 16, 0, 0],
  ] as const
) {
  Deno.test(`GET /images/${stem}.png decodes ${what}`, async () => {
    await withServer(async ({ base }) => {
      const res = await fetch(`${base}/images/${stem}.png`, { headers: IDENTITY });
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "image/png");
      const name = stem.slice(stem.lastIndexOf("/") + 1);
      assert.equal(res.headers.get("content-disposition"), `inline; filename="${name}.png"`);
      assertSamplePattern(await decodePixels(bytes), size, size, tolerance, margin);
    });
  });
}

Deno.test("GET /images/{stem}.png answers 304 to its own ETag", async () => {
  await withServer(async ({ base }) => {
    const first = await fetch(`${base}/images/scan.png`, { headers: IDENTITY });
    await first.body?.cancel();
    const etag = first.headers.get("etag")!;
    const again = await fetch(`${base}/images/scan.png`, { headers: { "if-none-match": etag } });
    await again.body?.cancel();
    assert.equal(again.status, 304);
    assert.equal(again.headers.get("etag"), etag);
  });
});

Deno.test("GET /images/{stem}.jpg?quality&download&filename behave as on /image", async () => {
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/images/scan.jpg?quality=50&download&filename=x.jpg`, {
      headers: IDENTITY,
    });
    await res.body?.cancel();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-disposition"), `attachment; filename="x.jpg"`);
    const bad = await fetch(`${base}/images/scan.png?quality=50`);
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), {
      error: "invalid_quality",
      detail: "quality applies to jpeg, webp and avif, not png",
    });
  });
});

Deno.test("GET /images/broken.png answers 415 for a source that is not an image", async () => {
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/images/broken.webp`);
    assert.equal(res.status, 415);
    assert.deepEqual(await res.json(), {
      error: "unsupported_media_type",
      detail: "the source is not a PNG, JPEG, GIF or TIFF image",
    });
  });
});

Deno.test("GET /images/{stem}.png answers 415 for a truncated image", async () => {
  const png = await Deno.readFile(`${FIXTURES}/sample.png`);
  await withMedia({ "cut.png": png.subarray(0, 100) }, async ({ base }) => {
    const res = await fetch(`${base}/images/cut.png`);
    assert.equal(res.status, 415);
    const body = await res.json();
    assert.equal(body.error, "unsupported_media_type");
    assert.match(body.detail, /^the png source cannot be decoded: /);
  });
});

Deno.test("GET /images/{stem}.png answers 422 past MAX_PIXELS, before decoding", async () => {
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/images/scan.png`);
    assert.equal(res.status, 422);
    assert.deepEqual(await res.json(), {
      error: "too_many_pixels",
      detail: "the source is 64x64, 4096 pixels, more than MAX_PIXELS (4095)",
    });
  }, { maxPixels: 4095 });
});

Deno.test("GET /images/{stem}.png answers 422 for a source over MAX_BODY_BYTES", async () => {
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/images/sample.png`);
    assert.equal(res.status, 422);
    assert.deepEqual(await res.json(), {
      error: "source_too_large",
      detail: "the source is 3204 bytes, more than MAX_BODY_BYTES (3000)",
    });
  }, { maxBodyBytes: 3000 });
});

Deno.test("GET /images/{stem}.{ext} answers 404 without a source", async () => {
  await withServer(async ({ base }) => {
    for (const path of ["missing.png", "nested.png", ".secret.png"]) {
      const res = await fetch(`${base}/images/${path}`);
      assert.equal(res.status, 404, path);
      assert.equal((await res.json()).error, "not_found");
    }
  });
});

Deno.test("GET /images/{stem}.gif picks the .png source before the .gif one", async () => {
  const red = new Image(4, 4).fill(0xff0000ff);
  const blue = new Image(4, 4).fill(0x0000ffff);
  await withMedia(
    { "x.png": await red.encode(), "x.gif": await blue.encode() },
    async ({ base }) => {
      const res = await fetch(`${base}/images/x.gif`);
      const pixels = await decodePixels(new Uint8Array(await res.arrayBuffer()));
      assert.deepEqual([...pixels.rgba.subarray(0, 4)], [255, 0, 0, 255]);
    },
  );
});

Deno.test("GET /images/{stem}.png re-decodes once the source's size or mtime changes", async () => {
  const red = await new Image(4, 4).fill(0xff0000ff).encode();
  await withMedia({ "x.png": red }, async ({ base, root }) => {
    const before = await fetch(`${base}/images/x.png`);
    const first = await decodePixels(new Uint8Array(await before.arrayBuffer()));
    assert.deepEqual([...first.rgba.subarray(0, 4)], [255, 0, 0, 255]);
    await Deno.writeFile(`${root}/x.png`, await new Image(5, 5).fill(0x00ff00ff).encode());
    const after = await fetch(`${base}/images/x.png`);
    const second = await decodePixels(new Uint8Array(await after.arrayBuffer()));
    assert.equal(second.width, 5);
    assert.deepEqual([...second.rgba.subarray(0, 4)], [0, 255, 0, 255]);
    assert.notEqual(after.headers.get("etag"), before.headers.get("etag"));
  });
});

Deno.test("GET /images/{stem}.png decodes a source once for concurrent requests", async () => {
  const { services: counting, encodes } = await countingServices();
  await withServer(
    async ({ base }) => {
      const responses = await Promise.all(
        Array.from({ length: 4 }, () => fetch(`${base}/images/photo.webp`)),
      );
      for (const res of responses) await res.body?.cancel();
      assert.equal(encodes(), 1);
    },
    {},
    { services: counting },
  );
});

const HEADERS: [string, ReturnType<typeof readSourceHeader>][] = [
  ["sample.png", { format: "png", width: 512, height: 512 }],
  ["photo.jpg", { format: "jpeg", width: 64, height: 64 }],
  ["frames.gif", { format: "gif", width: 64, height: 64 }],
  ["scan.tiff", { format: "tiff", width: 64, height: 64 }],
  ["nested/alpha.tiff", { format: "tiff", width: 64, height: 64 }],
  ["broken.png", undefined],
];

for (const [file, expected] of HEADERS) {
  Deno.test(`readSourceHeader(${file}) is ${JSON.stringify(expected)}`, async () => {
    assert.deepEqual(readSourceHeader(await Deno.readFile(`${FIXTURES}/${file}`)), expected);
  });
}

Deno.test("readSourceHeader() refuses truncated headers and zero sizes", async () => {
  const png = await Deno.readFile(`${FIXTURES}/sample.png`);
  assert.equal(readSourceHeader(png.subarray(0, 20)), undefined);
  const zero = png.slice(0, 24);
  zero.set([0, 0, 0, 0], 16);
  assert.equal(readSourceHeader(zero), undefined);
  const jpeg = await Deno.readFile(`${FIXTURES}/photo.jpg`);
  assert.equal(readSourceHeader(jpeg.subarray(0, 24)), undefined);
});

Deno.test("decodeSourceImage() decodes the sample pattern from a TIFF", async () => {
  const image = await decodeSourceImage(await Deno.readFile(`${FIXTURES}/scan.tiff`), 4096);
  const expected = sampleImage(64, 64);
  assert.deepEqual(image.bitmap, expected.bitmap);
});
