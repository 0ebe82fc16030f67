/**
 * The baseline of the load benchmarks: a bare `deno serve` handler that answers every
 * request with the bytes pixserve sends for `GET /image.png`, encoded once at start-up,
 * with `Content-Type` only, or with pixserve's six headers when `BARE_HEADERS=full`: the
 * same five values in one `Headers` built at start-up (the cheapest init a `Response`
 * copies), and `Content-Length`, which `Deno.serve` writes from the body.
 * Run as `deno serve [--parallel] --port N bench/_bare_server.ts`.
 *
 * @module
 */

import { etagOf } from "../lib/http/conditional.ts";
import { encodePixels } from "../lib/image/encode.ts";
import { sampleImage } from "../lib/image/sample.ts";

const image = sampleImage();
const bytes = await encodePixels(
  { width: image.width, height: image.height, rgba: new Uint8Array(image.bitmap.buffer) },
  "png",
);
const full = Deno.env.get("BARE_HEADERS") === "full";
const etag = await etagOf(bytes);

const init: ResponseInit = full
  ? {
    headers: new Headers({
      "content-type": "image/png",
      "content-disposition": 'inline; filename="sample.png"',
      etag,
      "cache-control": "public, max-age=3600",
      "x-content-type-options": "nosniff",
    }),
  }
  : { headers: { "content-type": "image/png" } };

export default {
  fetch() {
    return new Response(bytes, init);
  },
} satisfies Deno.ServeDefaultExport;
