import assert from "node:assert/strict";
import { assertSamplePattern, decodePixels } from "./_pixels.ts";
import { createServices } from "../lib/services.ts";
import { countingServices, testConfig, withServer } from "./_server.ts";

const IDENTITY = { "accept-encoding": "identity" };

async function errorOf(res: Response): Promise<{ error: string; detail: string }> {
  assert.equal(res.headers.get("content-type"), "application/json");
  return await res.json();
}

Deno.test("GET /image.png?width=&height= builds the pattern at that size", async () => {
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/image.png?width=31&height=20`);
    assertSamplePattern(await decodePixels(new Uint8Array(await res.arrayBuffer())), 31, 20);
  });
});

Deno.test("GET /image.png answers 304 to If-None-Match with the same ETag", async () => {
  await withServer(async ({ base }) => {
    const first = await fetch(`${base}/image.png`);
    await first.body?.cancel();
    const etag = first.headers.get("etag");
    assert.ok(etag !== null);
    for (const inm of [etag, `W/${etag}`, `"nope", ${etag}`, "*"]) {
      const res = await fetch(`${base}/image.png`, { headers: { "if-none-match": inm } });
      assert.equal(res.status, 304);
      assert.equal(res.headers.get("etag"), etag);
      assert.equal(res.headers.get("cache-control"), "public, max-age=3600");
      assert.equal(res.headers.get("content-type"), null);
      assert.equal(await res.text(), "");
    }
    const miss = await fetch(`${base}/image.png`, { headers: { "if-none-match": `"other"` } });
    assert.equal(miss.status, 200);
    await miss.body?.cancel();
  });
});

Deno.test("HEAD /image.jpg has the GET headers and no body", async () => {
  await withServer(async ({ base }) => {
    const get = await fetch(`${base}/image.jpg?quality=70`, { headers: IDENTITY });
    const bytes = new Uint8Array(await get.arrayBuffer());
    const head = await fetch(`${base}/image.jpg?quality=70`, { method: "HEAD", headers: IDENTITY });
    assert.equal(head.status, 200);
    for (const name of ["content-type", "content-disposition", "etag", "cache-control"]) {
      assert.equal(head.headers.get(name), get.headers.get(name));
    }
    assert.equal(head.headers.get("content-length"), String(bytes.byteLength));
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  });
});

Deno.test("GET /image chooses WebP only when Accept lists it, and varies on Accept", async () => {
  await withServer(async ({ base }) => {
    const cases: [string | null, string][] = [
      [null, "image/png"],
      ["*/*", "image/png"],
      ["image/*", "image/png"],
      ["image/avif,image/webp,image/apng,image/*,*/*;q=0.8", "image/webp"],
      ["image/webp;q=0", "image/png"],
    ];
    for (const [accept, type] of cases) {
      const headers: Record<string, string> = accept === null ? {} : { accept };
      const res = await fetch(`${base}/image`, { headers });
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(res.headers.get("content-type"), type, `Accept: ${accept}`);
      assert.equal(res.headers.get("vary"), "Accept");
      const ext = type === "image/webp" ? "webp" : "png";
      assert.equal(res.headers.get("content-disposition"), `inline; filename="sample.${ext}"`);
      assertSamplePattern(await decodePixels(bytes), 512, 512);
    }
  });
});

Deno.test("GET /image.png?download&filename= sends an attachment with RFC 6266 names", async () => {
  await withServer(async ({ base }) => {
    const cases: [string, string][] = [
      ["?download", `attachment; filename="sample.png"`],
      ["?download=1&filename=plot.png", `attachment; filename="plot.png"`],
      ["?download=false", `inline; filename="sample.png"`],
      [
        `?filename=${encodeURIComponent("résumé 1.png")}`,
        `inline; filename="resume 1.png"; filename*=UTF-8''r%C3%A9sum%C3%A9%201.png`,
      ],
      [
        `?download&filename=${encodeURIComponent("日本.png")}`,
        `attachment; filename="__.png"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.png`,
      ],
    ];
    for (const [query, expected] of cases) {
      const res = await fetch(`${base}/image.png${query}`);
      await res.body?.cancel();
      assert.equal(res.headers.get("content-disposition"), expected, query);
    }
  });
});

Deno.test("GET /image.* rejects bad parameters with JSON errors", async () => {
  await withServer(async ({ base }) => {
    const cases: [string, number, string, string][] = [
      [
        "/image.png?quality=80",
        400,
        "invalid_quality",
        "quality applies to jpeg, webp and avif, not png",
      ],
      [
        "/image.jpg?quality=0",
        400,
        "invalid_parameter",
        `quality must be an integer from 1 to 100, got "0"`,
      ],
      [
        "/image.webp?quality=high",
        400,
        "invalid_parameter",
        `quality must be an integer from 1 to 100, got "high"`,
      ],
      [
        "/image.png?width=abc",
        400,
        "invalid_parameter",
        `width must be an integer from 1 to 40000000, got "abc"`,
      ],
      [
        "/image.png?width=10000&height=5000",
        422,
        "too_many_pixels",
        "10000x5000 is 50000000 pixels, more than MAX_PIXELS (40000000)",
      ],
      [
        "/image.png?filename=..%2Fx.png",
        400,
        "invalid_filename",
        `file name "../x.png" contains a path separator`,
      ],
      ["/image.png?filename=", 400, "invalid_filename", `file name "" is empty`],
      [
        "/image.png?filename=a%0Ab.png",
        400,
        "invalid_filename",
        `file name "a\\nb.png" contains a control character`,
      ],
      [
        "/image.png?download=maybe",
        400,
        "invalid_parameter",
        `download is a flag: give it no value, 1/true or 0/false, got "maybe"`,
      ],
    ];
    for (const [path, status, error, detail] of cases) {
      const res = await fetch(`${base}${path}`);
      assert.equal(res.status, status, path);
      assert.deepEqual(await errorOf(res), { error, detail }, path);
    }
  });
});

Deno.test("MAX_PIXELS bounds the sample size", async () => {
  await withServer(async ({ base }) => {
    const ok = await fetch(`${base}/image.png?width=100&height=100`);
    await ok.body?.cancel();
    assert.equal(ok.status, 200);
    const res = await fetch(`${base}/image.png?width=100&height=101`);
    assert.equal(res.status, 422);
    assert.equal((await errorOf(res)).error, "too_many_pixels");
  }, { maxPixels: 10_000 });
});

Deno.test("unknown paths are 404 and wrong methods 405 with Allow, as JSON", async () => {
  await withServer(async ({ base }) => {
    const missing = await fetch(`${base}/nope`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await errorOf(missing), {
      error: "not_found",
      detail: "nothing is served at /nope",
    });
    const wrong = await fetch(`${base}/image.png`, { method: "DELETE" });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "GET, HEAD");
    assert.deepEqual(await errorOf(wrong), {
      error: "method_not_allowed",
      detail: "DELETE is not allowed here; use GET, HEAD",
    });
  });
});

Deno.test("GET /health answers ok with the version, the process id and the port", async () => {
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/health`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.equal(res.headers.get("cache-control"), "no-store");
    assert.deepEqual(await res.json(), {
      status: "ok",
      version: "0.1.0",
      pid: Deno.pid,
      port: Number(new URL(base).port),
    });
  });
});

Deno.test("each (size, format, quality) is encoded once and served from the cache", async () => {
  const { services: counting, encodes } = await countingServices();
  await withServer(
    async ({ base }) => {
      const urls = ["/image.png", "/image.png", "/image.png?width=8", "/image.jpg?quality=50"];
      const bodies = await Promise.all(
        [...urls, ...urls].map(async (u) =>
          new Uint8Array(await (await fetch(base + u)).arrayBuffer())
        ),
      );
      assert.equal(encodes(), 3);
      assert.deepEqual(bodies[0], bodies[1]);
      assert.deepEqual(bodies[0], bodies[4]);
    },
    {},
    { services: counting },
  );
});

Deno.test("an unexpected fault is a JSON 500 with a generic detail, logged once", async () => {
  const services = createServices(await testConfig());
  const broken = { ...services, encode: () => Promise.reject(new Error("disk on fire")) };
  const logged: unknown[] = [];
  const original = console.error;
  console.error = (e: unknown) => logged.push(e);
  try {
    await withServer(
      async ({ base }) => {
        const res = await fetch(`${base}/image.png`);
        assert.equal(res.status, 500);
        assert.deepEqual(await errorOf(res), {
          error: "internal_error",
          detail: "the server failed to answer this request; the fault was logged",
        });
      },
      {},
      { services: broken },
    );
  } finally {
    console.error = original;
  }
  assert.equal(logged.length, 1);
  assert.equal((logged[0] as Error).message, "disk on fire");
});

Deno.test("repeated GET /image.png is answered from the memo with the same bytes and headers", async () => {
  await withServer(async ({ base }) => {
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}/image.png?download`, { headers: IDENTITY });
      answers.push({
        status: res.status,
        headers: [...res.headers].filter(([name]) => name !== "date"),
        bytes: new Uint8Array(await res.arrayBuffer()),
      });
    }
    assert.deepEqual(answers[1], answers[0]);
    assert.deepEqual(answers[2], answers[0]);
    assert.deepEqual(Object.fromEntries(answers[2].headers), {
      "cache-control": "public, max-age=3600",
      "content-disposition": 'attachment; filename="sample.png"',
      "content-length": String(answers[0].bytes.byteLength),
      "content-type": "image/png",
      "etag": Object.fromEntries(answers[0].headers).etag,
      "x-content-type-options": "nosniff",
    });
    const etag = Object.fromEntries(answers[0].headers).etag;
    const conditional = await fetch(`${base}/image.png?download`, {
      headers: { "if-none-match": etag },
    });
    assert.equal(conditional.status, 304);
    assert.equal(conditional.headers.get("etag"), etag);
    assert.equal(await conditional.text(), "");
    const head = await fetch(`${base}/image.png?download`, { method: "HEAD", headers: IDENTITY });
    assert.equal(head.status, 200);
    assert.deepEqual(
      [...head.headers].filter(([name]) => name !== "date"),
      answers[0].headers,
    );
    assert.equal(await head.text(), "");
  });
});

Deno.test("GET /image is not memoized: Accept still chooses the format", async () => {
  await withServer(async ({ base }) => {
    for (const accept of ["image/png", "image/png", "image/webp", "image/png", "image/webp"]) {
      const res = await fetch(`${base}/image`, { headers: { accept } });
      await res.body?.cancel();
      assert.equal(res.headers.get("content-type"), accept);
      assert.equal(res.headers.get("vary"), "Accept");
    }
  });
});

Deno.test("the memo drops an image when the cache evicts it", async () => {
  const { services: counting, encodes } = await countingServices({ cacheBytes: 2000 });
  await withServer(
    async ({ base }) => {
      const get = async (path: string) =>
        new Uint8Array(await (await fetch(base + path, { headers: IDENTITY })).arrayBuffer());
      const first = await get("/image.png");
      assert.deepEqual(await get("/image.png"), first);
      assert.deepEqual(await get("/image.png"), first);
      assert.equal(encodes(), 1);
      assert.ok(first.byteLength + (await get("/image.png?width=500")).byteLength > 2000);
      assert.equal(encodes(), 2);
      assert.deepEqual(await get("/image.png"), first);
      assert.equal(encodes(), 3);
    },
    {},
    { services: counting },
  );
});
