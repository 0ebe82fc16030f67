/**
 * The baseline of the load benchmarks: a bare `deno serve` handler that answers every
 * request with the bytes pixserve sends for `GET /image.png`, encoded once at start-up,
 * with `Content-Type` only, or with pixserve's six headers when `BARE_HEADERS=full`.
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

export default {
  fetch() {
    const headers: HeadersInit = full
      ? {
        "content-type": "image/png",
        "content-length": String(bytes.byteLength),
        "content-disposition": 'inline; filename="sample.png"',
        etag,
        "cache-control": "public, max-age=3600",
        "x-content-type-options": "nosniff",
      }
      : { "content-type": "image/png" };
    return new Response(bytes, { headers });
  },
} satisfies Deno.ServeDefaultExport;
