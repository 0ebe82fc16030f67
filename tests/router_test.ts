import assert from "node:assert/strict";
import { HttpError } from "../lib/errors.ts";
import { createRouter } from "../lib/router.ts";

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
