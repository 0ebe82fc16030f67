import assert from "node:assert/strict";
import { etagOf } from "../lib/http/conditional.ts";
import { assertSamplePattern, decodePixels } from "./_pixels.ts";
import { withServer } from "./_server.ts";

const IDENTITY = { "accept-encoding": "identity" };

for (
  const [ext, type, tolerance, margin] of [
    ["png", "image/png", 0, 0],
    ["gif", "image/gif", 0, 0],
    ["jpg", "image/jpeg", 8, 8],
    ["jpeg", "image/jpeg", 8, 8],
    ["webp", "image/webp", 0, 0],
  ] as const
) {
  Deno.test(`GET /image.${ext} serves the sample with exact headers`, async () => {
    await withServer(async ({ base }) => {
      const res = await fetch(`${base}/image.${ext}`, { headers: IDENTITY });
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), type);
      assert.equal(res.headers.get("content-length"), String(bytes.byteLength));
      assert.equal(res.headers.get("content-disposition"), `inline; filename="sample.${ext}"`);
      assert.equal(res.headers.get("etag"), await etagOf(bytes));
      assert.equal(res.headers.get("cache-control"), "public, max-age=3600");
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assertSamplePattern(await decodePixels(bytes), 512, 512, tolerance, margin);
    });
  });
}
