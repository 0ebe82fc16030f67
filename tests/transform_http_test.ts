import assert from "node:assert/strict";
import sharp from "sharp";
import { etagOf } from "../lib/http/conditional.ts";
import { parseSigningKeys, signUrl } from "../lib/http/signature.ts";
import { BLOCK, BLOCK_COLOURS } from "../fixtures/transforms/make_fixtures.ts";
import { post } from "./_arrays.ts";
import { countingServices, PROJECT_DIR, withServer } from "./_server.ts";

const IDENTITY = { "accept-encoding": "identity" };

/** Decoded pixels, channels as the file has them. */
interface Raw {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

async function rawOf(bytes: Uint8Array): Promise<Raw> {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data };
}

async function get(url: string, headers: HeadersInit = {}) {
  const res = await fetch(url, { headers: { ...IDENTITY, ...headers } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { res, bytes };
}

function pixel(raw: Raw, x: number, y: number): number[] {
  const i = (y * raw.width + x) * raw.channels;
  return [...raw.data.subarray(i, i + raw.channels)];
}

function assertNear(
  actual: number[],
  expected: readonly number[],
  tolerance: number,
  what: string,
) {
  for (let c = 0; c < expected.length; c++) {
    assert.ok(
      Math.abs(actual[c] - expected[c]) <= tolerance,
      `${what}: ${actual.join(",")} is not within ${tolerance} of ${expected.join(",")}`,
    );
  }
}

// ---- Reference geometry on raw RGB pixels: plain index arithmetic, no libvips. ----

function crop(src: Raw, x0: number, y0: number, w: number, h: number): Raw {
  const data = new Uint8Array(w * h * src.channels);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) data.set(pixel(src, x0 + x, y0 + y), (y * w + x) * src.channels);
  }
  return { width: w, height: h, channels: src.channels, data };
}

function mapPixels(
  src: Raw,
  width: number,
  height: number,
  from: (x: number, y: number) => [number, number],
): Raw {
  const data = new Uint8Array(width * height * src.channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = from(x, y);
      data.set(pixel(src, sx, sy), (y * width + x) * src.channels);
    }
  }
  return { width, height, channels: src.channels, data };
}

const flip = (s: Raw) => mapPixels(s, s.width, s.height, (x, y) => [x, s.height - 1 - y]);
const flop = (s: Raw) => mapPixels(s, s.width, s.height, (x, y) => [s.width - 1 - x, y]);
/** Clockwise quarter turn: output (x, y) shows input (y, H-1-x). */
const turn = (s: Raw) => mapPixels(s, s.height, s.width, (x, y) => [y, s.height - 1 - x]);

const GRID = `${PROJECT_DIR}/fixtures/transforms/grid.png`;

const GEOMETRY: [string, (grid: Raw) => Raw][] = [
  ["crop=1,1,3,2", (g) => crop(g, 1, 1, 3, 2)],
  ["rotate=90", (g) => turn(g)],
  ["rotate=180", (g) => turn(turn(g))],
  ["rotate=270", (g) => turn(turn(turn(g)))],
  ["flip", (g) => flip(g)],
  ["flop", (g) => flop(g)],
  ["flip&flop", (g) => flop(flip(g))],
  ["crop=2,0,4,3&flip&rotate=90", (g) => turn(flip(crop(g, 2, 0, 4, 3)))],
  ["crop=0,1,5,3&flop&rotate=270", (g) => turn(turn(turn(flop(crop(g, 0, 1, 5, 3)))))],
];

for (const [query, reference] of GEOMETRY) {
  Deno.test(`GET /images/transforms/grid.png?${query} matches the reference pixel for pixel`, async () => {
    const grid = await rawOf(await Deno.readFile(GRID));
    await withServer(async ({ base }) => {
      const { res, bytes } = await get(`${base}/images/transforms/grid.png?${query}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "image/png");
      const got = await rawOf(bytes);
      const want = reference(grid);
      assert.deepEqual(
        { width: got.width, height: got.height, channels: got.channels },
        { width: want.width, height: want.height, channels: want.channels },
      );
      assert.deepEqual([...got.data], [...want.data]);
    });
  });
}

const UPRIGHT = "transforms/orientation_1";

/** The colour at the centre of each 16-pixel block of the upright picture, scaled by `s`. */
function assertBlocks(raw: Raw, s: number, tolerance: number, what: string) {
  for (let row = 0; row < 2; row++) {
    for (let col = 0; col < 3; col++) {
      const x = Math.floor((col * BLOCK + BLOCK / 2) * s);
      const y = Math.floor((row * BLOCK + BLOCK / 2) * s);
      assertNear(
        pixel(raw, x, y),
        BLOCK_COLOURS[row * 3 + col],
        tolerance,
        `${what} block ${row},${col}`,
      );
    }
  }
}

for (let o = 1; o <= 8; o++) {
  Deno.test(`GET /images/transforms/orientation_${o}.png is upright, metadata stripped`, async () => {
    await withServer(async ({ base }) => {
      const { res, bytes } = await get(`${base}/images/transforms/orientation_${o}.png`);
      assert.equal(res.status, 200);
      const raw = await rawOf(bytes);
      assert.deepEqual([raw.width, raw.height], [48, 32]);
      assertBlocks(raw, 1, 12, `orientation ${o}`);
      const meta = await sharp(bytes).metadata();
      assert.equal(meta.orientation, undefined);
      assert.equal(meta.exif, undefined);
    });
  });
}

// The 48×32 upright picture in a 24×24 box, for each fit.
const HTTP_FITS: [string, [number, number]][] = [
  ["w=24&h=24&fit=cover", [24, 24]],
  ["w=24&h=24&fit=contain", [24, 24]],
  ["w=24&h=24&fit=fill", [24, 24]],
  ["w=24&h=24&fit=inside", [24, 16]],
  ["w=24&h=24", [24, 16]],
  ["w=24&h=24&fit=outside", [36, 24]],
  ["w=12&dpr=2", [24, 16]],
  ["h=8", [12, 8]],
  ["w=96", [48, 32]],
  ["w=96&enlarge", [96, 64]],
  ["w=96&h=96&fit=cover", [48, 32]],
  ["w=96&h=96&fit=contain", [96, 96]],
  ["w=16&h=16&fit=cover&position=entropy", [16, 16]],
  ["w=16&h=16&fit=cover&position=attention", [16, 16]],
  ["w=24&rotate=90", [24, 36]],
];

for (const [query, size] of HTTP_FITS) {
  Deno.test(`GET /images/${UPRIGHT}.webp?${query} is ${size.join("x")}`, async () => {
    await withServer(async ({ base }) => {
      const { res, bytes } = await get(`${base}/images/${UPRIGHT}.webp?${query}`);
      assert.equal(res.status, 200);
      const raw = await rawOf(bytes);
      assert.deepEqual([raw.width, raw.height], size);
    });
  });
}

Deno.test("GET /images/{stem}.png?w&h&fit=cover&position keeps the named edge", async () => {
  await withServer(async ({ base }) => {
    for (const [position, columns] of [["left", [0, 1]], ["right", [2, 3]]] as const) {
      const { bytes } = await get(
        `${base}/images/${UPRIGHT}.png?w=16&h=32&fit=cover&position=${position}`,
      );
      const raw = await rawOf(bytes);
      assert.deepEqual([raw.width, raw.height], [16, 32]);
      const first = position === "left" ? 0 : 2;
      assertNear(pixel(raw, 8, 8), BLOCK_COLOURS[first], 12, `${position} top`);
      assertNear(pixel(raw, 8, 24), BLOCK_COLOURS[first + 3], 12, `${position} bottom`);
      assert.equal(columns.length, 2);
    }
  });
});

Deno.test("GET /images/{stem}.png?fit=contain&background pads with the colour, centred", async () => {
  await withServer(async ({ base }) => {
    const { bytes } = await get(
      `${base}/images/${UPRIGHT}.png?w=24&h=24&fit=contain&background=ff0000`,
    );
    const raw = await rawOf(bytes);
    assert.deepEqual([raw.width, raw.height, raw.channels], [24, 24, 3]);
    // 24×16 picture, 4 rows of red above and below.
    for (const y of [0, 3, 20, 23]) assert.deepEqual(pixel(raw, 12, y), [255, 0, 0], `row ${y}`);
    assertNear(pixel(raw, 4, 8), BLOCK_COLOURS[0], 16, "top left block");
    const clear = await rawOf(
      (await get(`${base}/images/${UPRIGHT}.png?w=24&h=24&fit=contain`)).bytes,
    );
    assert.deepEqual([clear.channels, ...pixel(clear, 12, 0)], [4, 0, 0, 0, 0]);
  });
});

Deno.test("GET /images/{stem}.png?crop outside the image is a 422 naming it", async () => {
  await withServer(async ({ base }) => {
    const { res, bytes } = await get(`${base}/images/transforms/grid.png?crop=4,2,3,2`);
    assert.equal(res.status, 422);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(bytes)), {
      error: "crop_outside_image",
      detail: "crop 4,2,3,2 reaches column 7 and row 4, outside the 6x4 image",
    });
  });
});

Deno.test("GET /images/{stem}.png?fit=bogus is a 400 listing the fits", async () => {
  await withServer(async ({ base }) => {
    const { res, bytes } = await get(`${base}/images/${UPRIGHT}.png?w=10&fit=bogus`);
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(bytes)), {
      error: "invalid_parameter",
      detail: `fit must be one of cover, contain, fill, inside, outside, got "bogus"`,
    });
  });
});

Deno.test("GET /images/{stem}.webp?w past the side and w×h past MAX_PIXELS are 422", async () => {
  await withServer(async ({ base }) => {
    const side = await get(`${base}/images/${UPRIGHT}.webp?w=16384`);
    assert.equal(side.res.status, 422);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(side.bytes)), {
      error: "too_large_for_format",
      detail: "w × dpr is 16384; webp images are at most 16383 pixels a side",
    });
    const many = await get(`${base}/images/${UPRIGHT}.webp?w=100&h=100&fit=fill`);
    assert.equal(many.res.status, 422);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(many.bytes)), {
      error: "too_many_pixels",
      detail: "100x100 is 10000 pixels, more than MAX_PIXELS (5000)",
    });
  }, { maxPixels: 5000 });
});

for (const ext of ["png", "jpg"]) {
  Deno.test(`GET /images/transforms/lottapixel.webp refuses the ${ext} bomb from its header`, async () => {
    await withServer(async ({ base }) => {
      for (const query of ["", "?w=100", "?keep_meta"]) {
        const stem = ext === "png" ? "lottapixel" : "lottapixel_jpeg";
        const url = `${base}/images/transforms/${stem}.webp${query}`;
        const { res, bytes } = await get(url);
        assert.equal(res.status, 422, url);
        assert.deepEqual(JSON.parse(new TextDecoder().decode(bytes)), {
          error: "too_many_pixels",
          detail: "the source is 64250x64250, 4128062500 pixels, more than MAX_PIXELS (40000000)",
        });
      }
    });
  });
}

Deno.test("GET /images/{stem}.avif answers AVIF that decodes to the picture", async () => {
  await withServer(async ({ base }) => {
    const { res, bytes } = await get(`${base}/images/${UPRIGHT}.avif?w=24&quality=80&effort=2`);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.fromEntries([...res.headers].filter(([k]) => k !== "date")), {
      "cache-control": "public, max-age=3600",
      "content-disposition": `inline; filename="orientation_1.avif"`,
      "content-length": String(bytes.byteLength),
      "content-type": "image/avif",
      "etag": await etagOf(bytes),
      "x-content-type-options": "nosniff",
    });
    assert.equal(new TextDecoder().decode(bytes.subarray(4, 12)), "ftypavif");
    const raw = await rawOf(bytes);
    assert.deepEqual([raw.width, raw.height], [24, 16]);
    assertBlocks(raw, 0.5, 24, "avif");
    const effort = await get(`${base}/images/${UPRIGHT}.png?effort=2`);
    assert.equal(effort.res.status, 400);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(effort.bytes)), {
      error: "invalid_parameter",
      detail: "effort applies to avif, not png",
    });
  });
});

Deno.test("GET /images/{stem}.avif without effort encodes at effort 2, with keep_meta too", async () => {
  await withServer(async ({ base }) => {
    for (const extra of ["", "&keep_meta"]) {
      const query = `w=48&quality=60${extra}`;
      const plain = await get(`${base}/images/${UPRIGHT}.avif?${query}`);
      const two = await get(`${base}/images/${UPRIGHT}.avif?${query}&effort=2`);
      const four = await get(`${base}/images/${UPRIGHT}.avif?${query}&effort=4`);
      assert.deepEqual([plain.res.status, two.res.status, four.res.status], [200, 200, 200]);
      assert.deepEqual(plain.bytes, two.bytes, `default effort${extra}`);
      assert.notDeepEqual(plain.bytes, four.bytes, `effort 4${extra}`);
    }
  });
});

const AUTO_CASES: [string | undefined, string, string][] = [
  ["image/avif,image/webp,image/apng,image/*,*/*;q=0.8", "image/avif", "avif"],
  ["image/webp,*/*", "image/webp", "webp"],
  ["image/avif;q=0,image/webp", "image/webp", "webp"],
  ["*/*", "image/jpeg", "jpg"],
  [undefined, "image/jpeg", "jpg"],
];

for (const [accept, type, ext] of AUTO_CASES) {
  Deno.test(`GET /images/{stem}.auto with Accept ${accept ?? "(none)"} answers ${type}`, async () => {
    await withServer(async ({ base }) => {
      const headers: Record<string, string> = accept === undefined ? {} : { accept };
      for (
        const url of [
          `${base}/images/${UPRIGHT}.auto?w=24`,
          `${base}/images/${UPRIGHT}.png?format=auto&w=24&quality=70`,
        ]
      ) {
        const { res, bytes } = await get(url, headers);
        assert.equal(res.status, 200, url);
        assert.equal(res.headers.get("content-type"), type);
        assert.equal(res.headers.get("vary"), "Accept");
        assert.equal(
          res.headers.get("content-disposition"),
          `inline; filename="orientation_1.${ext}"`,
        );
        const raw = await rawOf(bytes);
        assert.deepEqual([raw.width, raw.height], [24, 16]);
      }
    });
  });
}

Deno.test("GET /images/{stem}.auto falls back to PNG for a TIFF source and GIF for a GIF", async () => {
  await withServer(async ({ base }) => {
    const tiff = await get(`${base}/images/scan.auto`, { accept: "image/png" });
    assert.equal(tiff.res.headers.get("content-type"), "image/png");
    const gif = await get(`${base}/images/frames.auto`, { accept: "*/*" });
    assert.equal(gif.res.headers.get("content-type"), "image/gif");
  });
});

Deno.test("GET /images/{stem}.png?keep_meta keeps the ICC profile; without it none is sent", async () => {
  await withServer(async ({ base }) => {
    const kept = await sharp((await get(`${base}/images/transforms/profiled.png?keep_meta`)).bytes)
      .metadata();
    const stripped = await sharp((await get(`${base}/images/transforms/profiled.png?w=8`)).bytes)
      .metadata();
    const source = await sharp(`${PROJECT_DIR}/fixtures/transforms/profiled.jpg`).metadata();
    assert.ok(source.icc !== undefined);
    assert.deepEqual(kept.icc, source.icc);
    assert.equal(stripped.icc, undefined);
  });
});

const KEY_OLD = "000102030405060708090a0b0c0d0e0f";
const KEY_NEW = "f0e0d0c0b0a090807060504030201000";
const FORBIDDEN = {
  error: "invalid_signature",
  detail: "this URL needs a valid signature in ?s= (HMAC-SHA256 of the path and sorted query)",
};

Deno.test("GET /images with SIGNING_KEYS: valid, invalid, reordered and rotated signatures", async () => {
  const [oldKey] = parseSigningKeys(KEY_OLD);
  const [newKey] = parseSigningKeys(KEY_NEW);
  await withServer(async ({ base }) => {
    const plain = await get(`${base}/images/${UPRIGHT}.png?download&filename=x.png`);
    assert.equal(plain.res.status, 200);
    const unsigned = await get(`${base}/images/${UPRIGHT}.png?w=10`);
    assert.equal(unsigned.res.status, 403);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(unsigned.bytes)), FORBIDDEN);
    const signed = await signUrl(
      new URL(`${base}/images/${UPRIGHT}.png?w=10&fit=cover&h=5`),
      newKey,
    );
    const ok = await get(signed.href);
    assert.equal(ok.res.status, 200);
    assert.deepEqual([(await rawOf(ok.bytes)).width, (await rawOf(ok.bytes)).height], [10, 5]);
    const s = signed.searchParams.get("s");
    const reordered = await get(`${base}/images/${UPRIGHT}.png?h=5&s=${s}&fit=cover&w=10`);
    assert.equal(reordered.res.status, 200);
    assert.deepEqual(reordered.bytes, ok.bytes);
    const rotated = await signUrl(new URL(`${base}/images/${UPRIGHT}.png?w=10`), oldKey);
    assert.equal((await get(rotated.href)).res.status, 200);
    for (
      const bad of [
        `${base}/images/${UPRIGHT}.png?w=11&fit=cover&h=5&s=${s}`,
        `${base}/images/transforms/grid.png?w=10&fit=cover&h=5&s=${s}`,
        `${base}/images/${UPRIGHT}.png?w=10&fit=cover&h=5&s=${s?.slice(1)}`,
      ]
    ) {
      const { res, bytes } = await get(bad);
      assert.equal(res.status, 403, bad);
      assert.deepEqual(JSON.parse(new TextDecoder().decode(bytes)), FORBIDDEN);
    }
  }, { signingKeys: [newKey, oldKey] });
  await withServer(async ({ base }) => {
    const retired = await signUrl(new URL(`${base}/images/${UPRIGHT}.png?w=10`), oldKey);
    const { res, bytes } = await get(retired.href);
    assert.equal(res.status, 403);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(bytes)), FORBIDDEN);
  }, { signingKeys: [newKey] });
});

Deno.test("GET /images keeps at most MAX_VARIANTS variants of a source, the least used leave", async () => {
  const { services, encodes } = await countingServices({ maxVariants: 2 });
  await withServer(
    async ({ base }) => {
      const ask = async (w: number) => {
        const { res } = await get(`${base}/images/${UPRIGHT}.png?w=${w}`);
        assert.equal(res.status, 200);
      };
      await ask(10);
      await ask(10);
      await ask(11);
      assert.equal(encodes(), 2);
      await ask(12); // evicts w=11, used once
      assert.equal(encodes(), 3);
      await ask(10); // still cached
      assert.equal(encodes(), 3);
      await ask(11); // made again
      assert.equal(encodes(), 4);
    },
    { maxVariants: 2 },
    { services },
  );
});

/** The grid fixture as a JSON nested list, rows of [r, g, b]. */
function gridJson(grid: Raw): string {
  return JSON.stringify(
    Array.from(
      { length: grid.height },
      (_, y) => Array.from({ length: grid.width }, (_, x) => pixel(grid, x, y)),
    ),
  );
}

Deno.test("POST /render.png runs the same transforms on the rendered pixels", async () => {
  const grid = await rawOf(await Deno.readFile(GRID));
  await withServer(async ({ base }) => {
    for (const [query, reference] of GEOMETRY) {
      const res = await post(`${base}/render.png?${query}`, gridJson(grid), "application/json");
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(res.status, 200, query);
      const got = await rawOf(bytes);
      const want = reference(grid);
      assert.deepEqual([got.width, got.height], [want.width, want.height], query);
      assert.deepEqual([...got.data], [...want.data], query);
    }
    const sized = await post(
      `${base}/render.avif?w=12&enlarge&effort=1`,
      gridJson(grid),
      "application/json",
    );
    const bytes = new Uint8Array(await sized.arrayBuffer());
    assert.equal(sized.status, 200);
    assert.equal(sized.headers.get("content-type"), "image/avif");
    const raw = await rawOf(bytes);
    assert.deepEqual([raw.width, raw.height], [12, 8]);
    const outside = await post(
      `${base}/render.png?crop=5,0,2,1`,
      gridJson(grid),
      "application/json",
    );
    assert.equal(outside.status, 422);
    assert.deepEqual(await outside.json(), {
      error: "crop_outside_image",
      detail: "crop 5,0,2,1 reaches column 7 and row 1, outside the 6x4 image",
    });
  });
});

Deno.test("GET /images/{stem}.auto?w answers 304 to its ETag, keeping Vary: Accept; HEAD has no body", async () => {
  await withServer(async ({ base }) => {
    const url = `${base}/images/${UPRIGHT}.auto?w=24`;
    const accept = "image/webp,*/*";
    const first = await get(url, { accept });
    const etag = first.res.headers.get("etag")!;
    assert.equal(etag, await etagOf(first.bytes));
    const again = await fetch(url, { headers: { accept, "if-none-match": etag } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), "");
    assert.deepEqual(Object.fromEntries([...again.headers].filter(([k]) => k !== "date")), {
      "cache-control": "public, max-age=3600",
      "etag": etag,
      "vary": "Accept",
    });
    const head = await fetch(url, { method: "HEAD", headers: { ...IDENTITY, accept } });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(first.bytes.byteLength));
    assert.equal(head.headers.get("content-type"), "image/webp");
    assert.equal(await head.text(), "");
  });
});
