import assert from "node:assert/strict";
import { appRoutes } from "../lib/app.ts";
import { ERROR_CODES, expandPath } from "../lib/openapi.ts";
import { createServices } from "../lib/services.ts";
import { Validator } from "./_test_deps.ts";
import { PROJECT_DIR, withServer } from "./_server.ts";

type Json = Record<string, unknown>;
type Operation = {
  parameters?: { name: string; in: string; schema: Json }[];
  responses: Record<string, Json>;
  requestBody?: { content: Record<string, unknown> };
};

async function fetchDocument(base: string): Promise<{ doc: Json; etag: string }> {
  const res = await fetch(`${base}/openapi.json`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.equal(res.headers.get("cache-control"), "no-cache");
  return { doc: await res.json(), etag: res.headers.get("etag") ?? "" };
}

Deno.test("GET /openapi.json is valid OpenAPI 3.1", async () => {
  await withServer(async ({ base }) => {
    const { doc } = await fetchDocument(base);
    assert.equal(doc.openapi, "3.1.0");
    const validator = new Validator();
    const result = await validator.validate(doc);
    assert.deepEqual(result, { valid: true });
    assert.equal(validator.version, "3.1");
  });
});

Deno.test("GET /openapi.json lists every route, method and query parameter, and nothing else", async () => {
  await withServer(async ({ base, config }) => {
    const { doc } = await fetchDocument(base);
    const paths = doc.paths as Record<string, Record<string, Operation>>;
    const expected = new Map<string, { query: string[]; path: string[] }>();
    for (const route of appRoutes(createServices(config))) {
      for (const path of expandPath(route.path)) {
        expected.set(`${route.method.toLowerCase()} ${path.template}`, {
          query: (route.query ?? []).map((q) => q.name).sort(),
          path: path.params.map((p) => p.name),
        });
      }
    }
    const documented = new Map<string, { query: string[]; path: string[] }>();
    for (const [template, item] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(item)) {
        const params = op.parameters ?? [];
        documented.set(`${method} ${template}`, {
          query: params.filter((p) => p.in === "query").map((p) => p.name).sort(),
          path: params.filter((p) => p.in === "path").map((p) => p.name),
        });
      }
    }
    assert.deepEqual(documented, expected);
    for (
      const key of [
        "get /image.png",
        "get /image.webp",
        "get /image",
        "get /image.npy",
        "post /render.png",
        "post /decode.json",
        "get /files/{path}",
        "get /stream/{path}",
        "get /images/{stem}.png",
        "get /health",
        "get /metrics",
        "get /openapi.json",
        "get /docs",
        "get /redoc",
      ]
    ) {
      assert.ok(documented.has(key), key);
    }
  });
});

Deno.test("GET /openapi.json gives types, ranges, media types, headers and every error code", async () => {
  await withServer(async ({ base, config }) => {
    const { doc } = await fetchDocument(base);
    const paths = doc.paths as Record<string, Record<string, Operation>>;
    const png = paths["/image.png"].get;
    const width = png.parameters?.find((p) => p.name === "width");
    assert.deepEqual(width?.schema, { type: "integer", minimum: 1, maximum: config.maxPixels });
    assert.deepEqual(png.parameters?.find((p) => p.name === "download")?.schema, {
      type: "boolean",
    });
    assert.deepEqual(Object.keys(png.responses["200"].content as Json), ["image/png"]);
    assert.deepEqual(
      Object.keys(png.responses["200"].headers as Json),
      ["etag", "cache-control", "content-disposition", "content-length", "x-content-type-options"],
    );
    assert.deepEqual(Object.keys(paths["/image.jpg"].get.responses["200"].content as Json), [
      "image/jpeg",
    ]);
    const npy = paths["/image.npy"].get.responses["200"];
    assert.deepEqual(Object.keys(npy.content as Json), ["application/x-npy"]);
    assert.ok(Object.keys(npy.headers as Json).includes("x-array-shape"));
    const render = paths["/render.webp"].post;
    assert.deepEqual(Object.keys(render.requestBody?.content ?? {}), [
      "application/json",
      "application/x-npy",
      "application/zip",
      "application/octet-stream",
    ]);
    assert.deepEqual(render.parameters?.find((p) => p.name === "order")?.schema, {
      type: "string",
      enum: ["rgb", "bgr"],
    });
    assert.deepEqual(Object.keys(paths["/decode.json"].post.requestBody?.content ?? {}), [
      "image/png",
      "image/jpeg",
      "image/gif",
      "image/tiff",
      "image/webp",
      "image/apng",
      "application/octet-stream",
    ]);
    assert.deepEqual(render.responses["415"], { $ref: "#/components/responses/Error415" });
    const files = paths["/files/{path}"].get.parameters ?? [];
    assert.deepEqual(files.filter((p) => p.in === "header").map((p) => p.name), [
      "range",
      "if-range",
      "if-none-match",
      "if-modified-since",
      "if-match",
      "if-unmodified-since",
    ]);
    const components = doc.components as { schemas: { Error: { properties: { error: Json } } } };
    assert.deepEqual(components.schemas.Error.properties.error.enum, Object.keys(ERROR_CODES));
  });
});

Deno.test("ERROR_CODES holds every error code the server's code can throw", async () => {
  const thrown = new Set([
    "not_found",
    "method_not_allowed",
    "precondition_failed",
    "unsupported_media_type",
    "range_not_satisfiable",
    "payload_too_large",
    "internal_error",
  ]);
  const pattern =
    /new (?:BadRequest|Unprocessable|ServiceUnavailable|HttpError|CodecError)\(\s*(?:\d+,\s*)?(?:"(?:malformed|unsupported_media|unprocessable|too_large)",\s*)?"([a-z_]+)"|new PayloadTooLarge\([^;]*?,\s*"([a-z_]+)",?\s*\)/gs;
  for await (const path of walk(`${PROJECT_DIR}/lib`)) {
    for (const match of (await Deno.readTextFile(path)).matchAll(pattern)) {
      thrown.add(match[1] ?? match[2]);
    }
  }
  assert.deepEqual([...thrown].filter((code) => !(code in ERROR_CODES)), []);
  assert.ok(thrown.has("inflated_too_large") && thrown.has("encoder_busy"));
});

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walk(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

Deno.test("/openapi.json and /docs answer HEAD and 304 like other cached routes", async () => {
  await withServer(async ({ base }) => {
    for (
      const path of ["/openapi.json", "/docs", "/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"]
    ) {
      const get = await fetch(`${base}${path}`, { headers: { "accept-encoding": "identity" } });
      const body = await get.bytes();
      const etag = get.headers.get("etag");
      assert.match(etag ?? "", /^"[^"]+"$/, path);
      assert.equal(get.headers.get("content-length"), String(body.byteLength), path);
      const head = await fetch(`${base}${path}`, {
        method: "HEAD",
        headers: { "accept-encoding": "identity" },
      });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("etag"), etag);
      assert.equal(head.headers.get("content-length"), String(body.byteLength));
      assert.equal((await head.bytes()).byteLength, 0);
      const again = await fetch(`${base}${path}`, { headers: { "if-none-match": etag ?? "" } });
      assert.equal(again.status, 304, path);
      assert.equal(again.headers.get("etag"), etag);
      assert.equal((await again.bytes()).byteLength, 0);
    }
    const redoc = await fetch(`${base}/redoc`, { redirect: "manual" });
    await redoc.body?.cancel();
    assert.equal(redoc.status, 302);
    assert.equal(redoc.headers.get("location"), "docs");
  });
});

Deno.test("the docs page loads Swagger UI from pixserve itself", async () => {
  await withServer(async ({ base }) => {
    const html = await (await fetch(`${base}/docs`)).text();
    assert.ok(html.includes('<script src="docs/swagger-ui-bundle.js"></script>'));
    assert.ok(!/https?:\/\//.test(html), "the page names no other origin");
    const bundle = await fetch(`${base}/docs/swagger-ui-bundle.js`);
    assert.equal(bundle.headers.get("content-type"), "text/javascript; charset=utf-8");
    const installed = await Deno.readTextFile(
      `${PROJECT_DIR}/node_modules/swagger-ui-dist/swagger-ui-bundle.js`,
    );
    assert.equal(await bundle.text(), installed);
  });
});
