import assert from "node:assert/strict";
import { checkQueryNames } from "../lib/router.ts";
import { BadRequest } from "../lib/errors.ts";
import { assertError, post, readFixture } from "./_arrays.ts";
import { withServer } from "./_server.ts";

const NPY = "application/x-npy";

Deno.test("checkQueryNames() accepts listed names and refuses the first other one", () => {
  const known = new Set(["clip", "order"]);
  checkQueryNames(new URL("http://x/render.png?clip&order=bgr"), "POST", known);
  assert.throws(
    () => checkQueryNames(new URL("http://x/render.png?clip&clp&width=3"), "POST", known),
    (err: unknown) =>
      err instanceof BadRequest && err.code === "unknown_parameter" &&
      err.message === '"clp" is not a query parameter of POST /render.png; it takes clip, order',
  );
  assert.throws(
    () => checkQueryNames(new URL("http://x/a?b"), "POST", new Set()),
    (err: unknown) =>
      err instanceof BadRequest &&
      err.message === '"b" is not a query parameter of POST /a; it takes none',
  );
});

Deno.test("POST /render.png refuses a misspelt or inapplicable parameter with a 400 naming it", async () => {
  const body = await readFixture("rgb_u8.npy");
  await withServer(async ({ base }) => {
    for (const name of ["clp", "width"]) {
      const res = await post(`${base}/render.png?${name}=1`, body, NPY);
      const error = await res.json();
      assert.equal(res.status, 400);
      assert.equal(error.error, "unknown_parameter");
      assert.match(
        error.detail,
        new RegExp(`^"${name}" is not a query parameter of POST /render\\.png; it takes `),
      );
      assert.match(error.detail, /\bclip\b.*\bquality\b/);
    }
  });
});

Deno.test("POST /decode.npy refuses an unknown parameter and GET /image.png ignores one", async () => {
  const png = await Deno.readFile(new URL("../fixtures/sample.png", import.meta.url));
  await withServer(async ({ base }) => {
    await assertError(
      await post(`${base}/decode.npy?mod=gray`, png, "image/png"),
      400,
      "unknown_parameter",
      '"mod" is not a query parameter of POST /decode.npy; it takes download, dtype, field, ' +
        "filename, frame, mode, order",
    );
    const res = await fetch(`${base}/image.png?cachebust=17`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "image/png");
    assert.equal((await res.bytes()).byteLength, Number(res.headers.get("content-length")));
  });
});
