import assert from "node:assert/strict";
import { appRoutes } from "../lib/app.ts";
import { HttpError } from "../lib/errors.ts";
import { createServices } from "../lib/services.ts";
import { testConfig } from "./_server.ts";
import { compilePath, createRouter } from "../lib/router.ts";

const route = createRouter([
  { method: "GET", path: "/files/:path+", handler: (_r, { params }) => new Response(params.path) },
  { method: "POST", path: "/files/:path+", handler: () => new Response("posted") },
  {
    method: "GET",
    path: "/a.:ext(png|gif)",
    handler: (_r, { params }) => new Response(params.ext),
  },
]);

async function statusOf(request: Request): Promise<[number, string | null]> {
  try {
    await route(request);
    return [200, null];
  } catch (err) {
    assert.ok(err instanceof HttpError);
    return [err.status, err.headers.get("allow")];
  }
}

Deno.test("createRouter() passes named groups and answers HEAD with GET, bodiless", async () => {
  assert.equal(await (await route(new Request("http://x/files/a/b.png"))).text(), "a/b.png");
  assert.equal(await (await route(new Request("http://x/a.gif"))).text(), "gif");
  const head = await route(new Request("http://x/a.png", { method: "HEAD" }));
  assert.equal(head.status, 200);
  assert.equal(await head.text(), "");
});

Deno.test("createRouter() throws 404 for unknown paths and 405 with Allow", async () => {
  assert.deepEqual(await statusOf(new Request("http://x/a.jpg")), [404, null]);
  assert.deepEqual(await statusOf(new Request("http://x/files/a", { method: "PUT" })), [
    405,
    "GET, HEAD, POST",
  ]);
  assert.deepEqual(await statusOf(new Request("http://x/a.png", { method: "POST" })), [
    405,
    "GET, HEAD",
  ]);
});

Deno.test("compilePath() matches as URLPattern does for every pixserve route", async () => {
  const services = createServices(await testConfig());
  const paths = [
    "/",
    "/health",
    "/image",
    "/image.png",
    "/image.jpeg",
    "/image.json",
    "/image.npy",
    "/image.tiff",
    "/image.png/x",
    "/render.gif",
    "/decode.npy",
    "/files/a.png",
    "/files/a/b%20c.png",
    "/files/",
    "/files//a",
    "/stream/x/y",
    "/images/scan.webp",
    "/images/nested/tile.png",
    "/images/.png",
    "/page.js",
  ];
  try {
    for (const route of appRoutes(services)) {
      const pattern = new URLPattern({ pathname: route.path });
      const compiled = compilePath(route.path);
      for (const path of paths) {
        const expected = pattern.exec({ pathname: path })?.pathname.groups ?? null;
        const got = compiled.exec(path)?.groups ?? (compiled.test(path) ? {} : null);
        assert.deepEqual(got === null ? null : { ...got }, expected, `${route.path} ${path}`);
      }
    }
  } finally {
    services.close();
  }
});

Deno.test("compilePath() rejects syntax it does not implement", () => {
  for (const path of ["/a/*", "/a{s}?", "/a/(\\d+)"]) {
    assert.throws(() => compilePath(path), SyntaxError, path);
  }
});
