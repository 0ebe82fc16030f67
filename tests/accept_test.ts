import assert from "node:assert/strict";
import { acceptsExplicitly } from "../lib/http/accept.ts";

Deno.test("acceptsExplicitly() needs the type itself with q > 0", () => {
  const cases: [string | null, boolean][] = [
    [null, false],
    ["*/*", false],
    ["image/*", false],
    ["image/webp", true],
    ["IMAGE/WEBP", true],
    ["image/avif,image/webp,*/*;q=0.8", true],
    ["image/webp;q=0", false],
    ["image/webp; q=0.5", true],
    ["image/webpx", false],
  ];
  for (const [accept, expected] of cases) {
    assert.equal(acceptsExplicitly(accept, "image/webp"), expected, String(accept));
  }
});
