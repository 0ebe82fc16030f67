/**
 * In-process costs of the file responses, run with `deno bench -A bench/files_bench.ts`:
 * the body of an 8 MiB file drained from `fileResponse`, `streamResponse` and a
 * 206, against draining `Deno.open(...).readable` (the baseline); and
 * `parseRange` on a one-range and a sixteen-range header.
 *
 * Without a socket, `file.readable` is read through JavaScript here too, so
 * these figures compare the JavaScript work per request; the HTTP figures
 * (where `Deno.serve` streams `file.readable` natively) are in `files_load.ts`.
 *
 * @module
 */

import { streamResponse } from "../lib/files/chunked.ts";
import { fileResponse } from "../lib/files/sized.ts";
import { parseRange } from "../lib/http/range.ts";

const SIZE = 8 * 1024 * 1024;
const dir = await Deno.makeTempDir({ prefix: "pixserve-files-bench-" });
const path = `${dir}/file.bin`;
await Deno.writeFile(path, Uint8Array.from({ length: SIZE }, (_, i) => i % 251));
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

async function drain(body: ReadableStream<Uint8Array> | null): Promise<void> {
  for await (const _ of body!) { /* read every chunk */ }
}

const GET = new Request("http://x/files/file.bin");
const RANGE = new Request("http://x/files/file.bin", {
  headers: { range: `bytes=1-${SIZE - 2}` },
});

Deno.bench({
  name: "Deno.open().readable, drained",
  group: "8 MiB body",
  baseline: true,
  async fn() {
    await drain((await Deno.open(path)).readable);
  },
});

Deno.bench({
  name: "fileResponse() 200, drained",
  group: "8 MiB body",
  async fn() {
    await drain((await fileResponse(path, GET)).body);
  },
});

Deno.bench({
  name: "fileResponse() 206 bytes=1-(size-2), drained",
  group: "8 MiB body",
  async fn() {
    await drain((await fileResponse(path, RANGE)).body);
  },
});

Deno.bench({
  name: "streamResponse() chunk 64 KiB, drained",
  group: "8 MiB body",
  async fn() {
    await drain((await streamResponse(path)).body);
  },
});

Deno.bench({
  name: "streamResponse() chunk 1 MiB, drained",
  group: "8 MiB body",
  async fn() {
    await drain((await streamResponse(path, { chunkSize: 1024 * 1024 })).body);
  },
});

const SIXTEEN = "bytes=" + Array.from({ length: 16 }, (_, i) => `${i * 100}-${i * 100 + 49}`)
  .join(", ");

Deno.bench({
  name: "parseRange() one range",
  group: "parseRange",
  baseline: true,
  fn() {
    parseRange("bytes=0-1023", SIZE);
  },
});

Deno.bench({
  name: "parseRange() sixteen ranges",
  group: "parseRange",
  fn() {
    parseRange(SIXTEEN, SIZE);
  },
});
