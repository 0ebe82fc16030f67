import assert from "node:assert/strict";
import { HttpError } from "../lib/errors.ts";
import { negotiateImageFormat } from "../lib/http/accept.ts";
import { hasValidSignature, parseSigningKeys, signedText, signUrl } from "../lib/http/signature.ts";
import { parseColor, readTransform, transformKey } from "../lib/http/transform_params.ts";
import type { ChannelPixels } from "../lib/image/encode.ts";
import {
  type Fit,
  IDENTITY_TRANSFORM,
  planResize,
  shrinkFactor,
  type TransformSpec,
} from "../lib/image/transform.ts";
import { DecodeShare, VariantIndex } from "../lib/image/variant.ts";
import { signCommand } from "../lib/sign_cli.ts";

const spec = (over: Partial<TransformSpec>): TransformSpec => ({ ...IDENTITY_TRANSFORM, ...over });

// A 400×300 source. Sharp's rules: cover fills the box and crops, contain fits inside and
// pads, fill stretches, inside fits inside, outside covers without cropping; one side alone
// keeps the aspect ratio; without enlarge no scale exceeds 1.
const FIT_TABLE: [string, Partial<TransformSpec>, [number, number], [number, number]][] = [
  ["w alone", { width: 200 }, [200, 150], [200, 150]],
  ["h alone", { height: 150 }, [200, 150], [200, 150]],
  ["w alone past the source", { width: 800 }, [400, 300], [400, 300]],
  ["w alone past the source, enlarge", { width: 800, enlarge: true }, [800, 600], [800, 600]],
  ["cover 200x200", { width: 200, height: 200, fit: "cover" }, [267, 200], [200, 200]],
  ["contain 200x200", { width: 200, height: 200, fit: "contain" }, [200, 150], [200, 200]],
  ["fill 200x200", { width: 200, height: 200, fit: "fill" }, [200, 200], [200, 200]],
  ["inside 200x200", { width: 200, height: 200, fit: "inside" }, [200, 150], [200, 150]],
  ["outside 200x200", { width: 200, height: 200, fit: "outside" }, [267, 200], [267, 200]],
  ["cover 800x100", { width: 800, height: 100, fit: "cover" }, [400, 300], [400, 100]],
  ["contain 800x100", { width: 800, height: 100, fit: "contain" }, [133, 100], [800, 100]],
  ["fill 800x100", { width: 800, height: 100, fit: "fill" }, [400, 100], [400, 100]],
  ["inside 800x100", { width: 800, height: 100, fit: "inside" }, [133, 100], [133, 100]],
  ["outside 800x100", { width: 800, height: 100, fit: "outside" }, [400, 300], [400, 300]],
  [
    "cover 800x100 enlarge",
    { width: 800, height: 100, fit: "cover", enlarge: true },
    [800, 600],
    [800, 100],
  ],
  [
    "fill 800x100 enlarge",
    { width: 800, height: 100, fit: "fill", enlarge: true },
    [800, 100],
    [800, 100],
  ],
  [
    "outside 800x100 enlarge",
    { width: 800, height: 100, fit: "outside", enlarge: true },
    [800, 600],
    [800, 600],
  ],
  ["contain 1000x1000", { width: 1000, height: 1000, fit: "contain" }, [400, 300], [1000, 1000]],
];

for (const [name, over, scaled, out] of FIT_TABLE) {
  Deno.test(`planResize() of 400x300, ${name}: scaled ${scaled.join("x")}, out ${out.join("x")}`, () => {
    assert.deepEqual(planResize(400, 300, spec(over)), {
      scaledWidth: scaled[0],
      scaledHeight: scaled[1],
      width: out[0],
      height: out[1],
    });
  });
}

Deno.test("shrinkFactor() allows the largest JPEG shrink that keeps the pixels a resize needs", () => {
  assert.equal(shrinkFactor(4000, 3000, spec({ width: 800 })), 4);
  assert.equal(shrinkFactor(4000, 3000, spec({ width: 400, height: 400, fit: "cover" })), 4);
  assert.equal(shrinkFactor(4000, 3000, spec({ width: 300 })), 8);
  assert.equal(shrinkFactor(4000, 3000, spec({ width: 2000 })), 2);
  assert.equal(shrinkFactor(4000, 3000, spec({ width: 2001 })), 1);
  assert.equal(shrinkFactor(4000, 3000, spec({})), 1);
  assert.equal(
    shrinkFactor(4000, 3000, spec({ width: 100, crop: { x: 0, y: 0, width: 10, height: 10 } })),
    1,
  );
});

Deno.test("readTransform() reads every parameter and applies dpr to w and h", () => {
  const url = new URL(
    "http://x/a.webp?w=100&h=50&dpr=2&fit=cover&position=top_left&background=%23ff000080" +
      "&enlarge&crop=1,2,30,40&rotate=270&flip&flop=1&keep_meta=true",
  );
  assert.deepEqual(readTransform(url, "webp", 40_000_000), {
    width: 200,
    height: 100,
    fit: "cover",
    position: "top_left",
    background: [255, 0, 0, 128],
    enlarge: true,
    crop: { x: 1, y: 2, width: 30, height: 40 },
    rotate: 270,
    flip: true,
    flop: true,
    keepMeta: true,
  });
  assert.deepEqual(readTransform(new URL("http://x/a.png"), "png", 1), {
    ...IDENTITY_TRANSFORM,
    width: undefined,
    height: undefined,
    crop: undefined,
  });
});

function refusal(query: string, format: "png" | "webp" = "png", maxPixels = 40_000_000) {
  try {
    readTransform(new URL(`http://x/a.${format}?${query}`), format, maxPixels);
  } catch (err) {
    assert.ok(err instanceof HttpError);
    return { status: err.status, error: err.code, detail: err.message };
  }
  assert.fail(`?${query} was accepted`);
}

Deno.test("readTransform() refuses unknown fit and position values with 400 listing the valid ones", () => {
  assert.deepEqual(refusal("fit=stretch"), {
    status: 400,
    error: "invalid_parameter",
    detail: `fit must be one of cover, contain, fill, inside, outside, got "stretch"`,
  });
  assert.deepEqual(refusal("position=middle"), {
    status: 400,
    error: "invalid_parameter",
    detail: "position must be one of centre, top, bottom, left, right, top_left, top_right, " +
      `bottom_left, bottom_right, entropy, attention, got "middle"`,
  });
  assert.deepEqual(refusal("w=10&h=10&position=entropy"), {
    status: 400,
    error: "invalid_parameter",
    detail: "position=entropy chooses what cover keeps; it needs fit=cover, not inside",
  });
});

Deno.test("readTransform() refuses malformed values with 400 naming them", () => {
  const cases: [string, string][] = [
    ["w=0", `w must be an integer from 1 to 1000000, got "0"`],
    ["h=abc", `h must be an integer from 1 to 1000000, got "abc"`],
    ["dpr=5", `dpr must be a number from 1 to 4, got "5"`],
    ["dpr=0.5", `dpr must be a number from 1 to 4, got "0.5"`],
    ["rotate=45", "rotate must be 0, 90, 180 or 270, got 45"],
    ["crop=1,2,3", `crop must be x,y,w,h: four integers, w and h at least 1, got "1,2,3"`],
    ["crop=0,0,0,5", `crop must be x,y,w,h: four integers, w and h at least 1, got "0,0,0,5"`],
    ["background=red", `background must be hex rgb, rgba, rrggbb or rrggbbaa, got "red"`],
    ["flip=maybe", `flip is a flag: give it no value, 1/true or 0/false, got "maybe"`],
  ];
  for (const [query, detail] of cases) {
    assert.deepEqual(refusal(query), { status: 400, error: "invalid_parameter", detail }, query);
  }
});

Deno.test("readTransform() answers 422 past the format's side or MAX_PIXELS, before any source", () => {
  assert.deepEqual(refusal("w=10000&dpr=2", "webp"), {
    status: 422,
    error: "too_large_for_format",
    detail: "w × dpr is 20000; webp images are at most 16383 pixels a side",
  });
  assert.deepEqual(refusal("w=100&h=100", "png", 9999), {
    status: 422,
    error: "too_many_pixels",
    detail: "100x100 is 10000 pixels, more than MAX_PIXELS (9999)",
  });
});

Deno.test("parseColor() reads 3, 4, 6 and 8 hex digits", () => {
  assert.deepEqual(parseColor("f00"), [255, 0, 0, 255]);
  assert.deepEqual(parseColor("#0f08"), [0, 255, 0, 136]);
  assert.deepEqual(parseColor("102030"), [16, 32, 48, 255]);
  assert.deepEqual(parseColor("#10203040"), [16, 32, 48, 64]);
});

Deno.test("transformKey() is the same for equal transforms written differently", () => {
  const a = readTransform(new URL("http://x/a.png?w=200&fit=cover&h=100"), "png", 1e9);
  const b = readTransform(new URL("http://x/a.png?h=50&dpr=2&fit=cover&w=100"), "png", 1e9);
  const c = readTransform(new URL("http://x/a.png?h=50&dpr=2&fit=contain&w=100"), "png", 1e9);
  assert.equal(transformKey(a), transformKey(b));
  assert.notEqual(transformKey(a), transformKey(c));
});

Deno.test("negotiateImageFormat() picks AVIF, then WebP, then the fallback", () => {
  const cases: [string | null, string][] = [
    ["image/avif,image/webp,image/apng,image/*,*/*;q=0.8", "avif"],
    ["image/webp,*/*", "webp"],
    ["image/avif;q=0,image/webp", "webp"],
    ["image/png,image/*;q=0.8", "jpeg"],
    ["*/*", "jpeg"],
    [null, "jpeg"],
  ];
  for (const [accept, format] of cases) {
    assert.equal(negotiateImageFormat(accept, "jpeg"), format, String(accept));
  }
});

const KEY = parseSigningKeys("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")[0];
const OTHER = parseSigningKeys("ff0102030405060708090a0b0c0d0e0f")[0];

Deno.test("signedText() sorts the query by name then value and leaves out s", () => {
  assert.equal(
    signedText(new URL("http://x/images/a%20b.webp?w=100&s=zzz&fit=cover&flip&a=2&a=1&t=%2F+")),
    "/images/a%20b.webp?a=1&a=2&fit=cover&flip=&t=%2F%20&w=100",
  );
  assert.equal(signedText(new URL("http://x/images/a.png")), "/images/a.png");
});

Deno.test("signUrl() matches an HMAC-SHA256 computed independently", async () => {
  const signed = await signUrl(new URL("http://x/images/a.webp?w=100&fit=cover"), KEY);
  // The same HMAC through node:crypto, as a Python or Node signer computes it.
  const { createHmac } = await import("node:crypto");
  const expected = createHmac("sha256", KEY).update("/images/a.webp?fit=cover&w=100")
    .digest("base64url");
  assert.equal(signed.searchParams.get("s"), expected);
  assert.equal(signed.search, `?w=100&fit=cover&s=${expected}`);
});

Deno.test("hasValidSignature() takes any key of the list and a reordered query", async () => {
  const signed = await signUrl(new URL("http://x/images/a.webp?w=100&fit=cover"), KEY);
  const reordered = new URL(
    `http://x/images/a.webp?s=${signed.searchParams.get("s")}&fit=cover&w=100`,
  );
  assert.equal(await hasValidSignature(signed, [KEY]), true);
  assert.equal(await hasValidSignature(reordered, [KEY]), true);
  assert.equal(await hasValidSignature(signed, [OTHER, KEY]), true);
  assert.equal(await hasValidSignature(signed, [OTHER]), false);
  const tampered = new URL(signed);
  tampered.searchParams.set("w", "101");
  assert.equal(await hasValidSignature(tampered, [KEY]), false);
  const bad = new URL(signed);
  bad.searchParams.set("s", "not base64!");
  assert.equal(await hasValidSignature(bad, [KEY]), false);
});

Deno.test("parseSigningKeys() refuses short or non-hex keys", () => {
  assert.throws(() => parseSigningKeys("abcd"), TypeError);
  assert.throws(() => parseSigningKeys("zz0102030405060708090a0b0c0d0e0f"), TypeError);
  assert.deepEqual(parseSigningKeys(""), []);
});

Deno.test("VariantIndex.use() evicts the least used variant past the bound", () => {
  const index = new VariantIndex(2);
  assert.deepEqual(index.use("a", "k1"), []);
  assert.deepEqual(index.use("a", "k1"), []);
  assert.deepEqual(index.use("a", "k2"), []);
  assert.deepEqual(index.use("b", "k9"), []);
  assert.deepEqual(index.use("a", "k3"), ["k2"]);
  assert.deepEqual(index.variants("a"), ["k1", "k3"]);
  assert.deepEqual(index.use("a", "k4"), ["k3"]);
  assert.deepEqual(index.variants("b"), ["k9"]);
});

function pixelsOfSize(shrink: number): ChannelPixels {
  const width = 4000 / shrink;
  const height = 3000 / shrink;
  return { width, height, channels: 1, data: new Uint8Array(width * height) };
}

Deno.test("DecodeShare decodes a source once for 20 widths asked together, at the largest's shrink", async () => {
  const decodes = new DecodeShare(1 << 30);
  const asked: number[] = [];
  const decode = (shrink: number) => {
    asked.push(shrink);
    return Promise.resolve(pixelsOfSize(shrink));
  };
  // Widths 100 to 2000 of a 4000×3000 JPEG, the narrowest first.
  const needs = Array.from(
    { length: 20 },
    (_, i) => shrinkFactor(4000, 3000, spec({ width: 100 * (i + 1) })),
  );
  assert.deepEqual([needs[0], needs[4], needs[9], needs[19]], [8, 8, 4, 2]);
  const tickets = needs.map(() => decodes.enter("src:1:0"));
  const gates = needs.map(() => Promise.withResolvers<void>());
  const results = needs.map(async (need, i) => {
    await gates[i].promise;
    try {
      return await decodes.get(tickets[i], need, decode);
    } finally {
      decodes.leave(tickets[i]);
    }
  });
  for (const gate of gates) gate.resolve();
  const served = await Promise.all(results);
  assert.deepEqual(asked, [2]);
  assert.equal(decodes.decodes, 1);
  assert.ok(served.every((s) => s.shrink === 2 && s.pixels.width === 2000));
});

Deno.test("DecodeShare starts a decode once every entered request has declared or left", async () => {
  const decodes = new DecodeShare(0);
  const asked: number[] = [];
  const decode = (shrink: number) => {
    asked.push(shrink);
    return Promise.resolve(pixelsOfSize(shrink));
  };
  const small = decodes.enter("src");
  const failing = decodes.enter("src");
  const pending = decodes.get(small, 8, decode);
  assert.deepEqual(asked, []);
  decodes.leave(failing);
  assert.equal((await pending).shrink, 8);
  decodes.leave(small);
  assert.deepEqual(asked, [8]);
  // Later, a request that needs more pixels decodes again; one that needs fewer reuses nothing
  // kept (budget 0) and decodes at its own factor.
  const big = decodes.enter("src");
  assert.equal((await decodes.get(big, 2, decode)).shrink, 2);
  decodes.leave(big);
  assert.deepEqual(asked, [8, 2]);
});

const FITS_LISTED: Fit[] = ["cover", "contain", "fill", "inside", "outside"];
Deno.test("planResize() keeps the source size for every fit when no box is asked", () => {
  for (const fit of FITS_LISTED) {
    assert.deepEqual(planResize(31, 17, spec({ fit })), {
      scaledWidth: 31,
      scaledHeight: 17,
      width: 31,
      height: 17,
    });
  }
});

Deno.test("signCommand() signs a URL or a path with the first key, as signUrl does", async () => {
  const env = (name: string) =>
    name === "SIGNING_KEYS"
      ? "000102030405060708090a0b0c0d0e0f,ffeeddccbbaa99887766554433221100"
      : undefined;
  const [first] = parseSigningKeys("000102030405060708090a0b0c0d0e0f");
  const url = "http://127.0.0.1:8000/images/photo.webp?w=400&fit=cover&h=300";
  assert.equal(await signCommand([url], env), (await signUrl(new URL(url), first)).href);
  assert.equal(
    await signCommand(["/images/photo.webp?w=400"], env),
    "/images/photo.webp?w=400&s=w_yURX0r-inmYleYX0MW3ShcIv08-kj0QnKs4zebMKY",
  );
  assert.equal(
    await signCommand(["--signing-keys", "ffeeddccbbaa99887766554433221100", "/a.png?w=1"], env),
    `/a.png?w=1&s=${
      (await signUrl(
        new URL("http://x/a.png?w=1"),
        parseSigningKeys("ffeeddccbbaa99887766554433221100")[0],
      ))
        .searchParams.get("s")
    }`,
  );
  await assert.rejects(
    signCommand([url], () => undefined),
    new TypeError("no key: set SIGNING_KEYS or --signing-keys"),
  );
  await assert.rejects(signCommand([], env), new TypeError("give exactly one URL or path"));
});

Deno.test("the README's Python signer prints what signUrl makes", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const python =
    readme.slice(readme.indexOf("### Signed URLs")).match(/```python\n([\s\S]*?)```/)![1];
  const run = await new Deno.Command("python3", {
    args: ["-c", python],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  assert.equal(new TextDecoder().decode(run.stderr), "");
  const url = "http://127.0.0.1:8000/images/photo.webp?w=400&fit=cover&h=300";
  const [key] = parseSigningKeys("000102030405060708090a0b0c0d0e0f");
  assert.equal(
    new TextDecoder().decode(run.stdout),
    `${(await signUrl(new URL(url), key)).href}\n`,
  );
});

Deno.test("the README's TypeScript signer makes what signUrl makes", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const code = readme.slice(readme.indexOf("### Signed URLs")).match(/```ts\n([\s\S]*?)```/)![1];
  const url = "http://127.0.0.1:8000/images/photo.webp?w=400&fit=cover&h=300&flip";
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/sign.ts`, `${code}\nexport { sign };\n`);
    const module = await import(`file://${dir}/sign.ts`);
    const [key] = parseSigningKeys("000102030405060708090a0b0c0d0e0f");
    assert.equal(
      await module.sign(url, "000102030405060708090a0b0c0d0e0f"),
      (await signUrl(new URL(url), key)).href,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
