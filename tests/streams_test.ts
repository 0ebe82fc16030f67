import assert from "node:assert/strict";
import { createApp } from "../lib/app.ts";
import { encodeNpy } from "../lib/arrays/npy.ts";
import type { Config } from "../lib/config.ts";
import { serveIsolate } from "../lib/serve.ts";
import { createServices, type Services } from "../lib/services.ts";
import { boundaryOf, MJPEG_CONTENT_TYPE, MjpegReader } from "../lib/streams/mjpeg.ts";
import { assertError } from "./_arrays.ts";
import { decodePixels, type Pixels } from "./_pixels.ts";
import {
  countingServices,
  PROJECT_DIR,
  testConfig,
  type TestServer,
  withServer,
} from "./_server.ts";
import { spawnServer } from "./_spawn.ts";

type Rgb = readonly [number, number, number];

const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];

/** A `.npy` of an H×W RGB frame of one colour. */
function solidNpy(color: Rgb, width = 64, height = 48): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(color, i);
  return encodeNpy({ shape: [height, width, 3], dtype: "uint8", data });
}

/** A `.npy` of an H×W RGB frame of noise (large as JPEG). */
function noiseNpy(seed: number, width = 640, height = 480): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(width * height * 3);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < data.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    data[i] = x >>> 24;
  }
  return encodeNpy({ shape: [height, width, 3], dtype: "uint8", data });
}

/** PUTs a frame. */
function push(
  base: string,
  name: string,
  body: Uint8Array<ArrayBuffer>,
  type = "application/x-npy",
  query = "",
): Promise<Response> {
  return fetch(`${base}/streams/${name}${query}`, {
    method: "PUT",
    body,
    headers: { "content-type": type },
  });
}

/** PUTs a frame and checks the 204. */
async function pushOk(base: string, name: string, body: Uint8Array<ArrayBuffer>, type?: string) {
  const res = await push(base, name, body, type);
  assert.equal(res.status, 204, await res.text());
}

/** Asserts every pixel within `tolerance` of a colour. */
function assertSolid(pixels: Pixels, color: Rgb, tolerance: number): void {
  for (let i = 0; i < pixels.rgba.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const diff = Math.abs(pixels.rgba[i + c] - color[c]);
      if (diff > tolerance) {
        assert.fail(`pixel ${i / 4} channel ${c} is ${pixels.rgba[i + c]}, not ${color[c]}`);
      }
    }
  }
}

/** Opens `.mjpg` and checks the headers of the response. */
async function watch(base: string, name: string, query = ""): Promise<MjpegReader> {
  const res = await fetch(`${base}/streams/${name}.mjpg${query}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), MJPEG_CONTENT_TYPE);
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.equal(res.headers.get("content-length"), null);
  return new MjpegReader(res.body!, boundaryOf(res.headers.get("content-type"))!);
}

/** Reads the next part, checks its headers (and its frame number when given), and decodes it. */
async function nextFrame(reader: MjpegReader, frameNumber?: number): Promise<Pixels> {
  const part = await reader.next();
  assert.ok(part !== undefined, "the stream ended");
  assert.deepEqual(part.headers, {
    "content-type": "image/jpeg",
    "content-length": String(part.body.byteLength),
    "x-frame-number": String(frameNumber ?? part.headers["x-frame-number"]),
  });
  assert.match(part.headers["x-frame-number"], /^[1-9]\d*$/);
  return await decodePixels(part.body);
}

/** Resolves once the hub counts this many viewers. */
function viewersReach(services: Services, count: number): Promise<void> {
  const hub = services.streams;
  if (hub.viewers === count) return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (hub.viewers !== count) return;
      hub.removeEventListener("viewers", check);
      resolve();
    };
    hub.addEventListener("viewers", check);
  });
}

/** Runs a server with its own services, closed at the end. */
async function withStreams(
  fn: (server: TestServer, services: Services) => Promise<void>,
  overrides: Partial<Config> = {},
): Promise<void> {
  const services = createServices(await testConfig(overrides));
  try {
    await withServer((server) => fn(server, services), overrides, { services });
  } finally {
    services.close();
  }
}

Deno.test("GET /streams/{name}.mjpg sends the current frame at once, then each pushed one in order", async () => {
  await withStreams(async ({ base }) => {
    await pushOk(base, "cam", solidNpy(RED));
    const reader = await watch(base, "cam");
    try {
      const first = await nextFrame(reader, 1);
      assert.deepEqual([first.width, first.height], [64, 48]);
      assertSolid(first, RED, 2);
      for (const [i, color] of [GREEN, BLUE].entries()) {
        await pushOk(base, "cam", solidNpy(color));
        assertSolid(await nextFrame(reader, i + 2), color, 2);
      }
    } finally {
      await reader.cancel();
    }
  });
});

Deno.test("PUT /streams/{name} takes images (PNG, sniffed JPEG) and every /render array kind", async () => {
  await withStreams(async ({ base }) => {
    const png = await (await fetch(`${base}/image.png?width=64&height=32`)).bytes();
    await pushOk(base, "img", png, "image/png");
    const served = await decodePixels(await (await fetch(`${base}/streams/img.png`)).bytes());
    assert.deepEqual(served, await decodePixels(png));

    const jpeg = await (await fetch(`${base}/image.jpg?width=32&height=16`)).bytes();
    await pushOk(base, "img", jpeg, "application/octet-stream");
    const fromJpeg = await decodePixels(await (await fetch(`${base}/streams/img.png`)).bytes());
    assert.deepEqual(fromJpeg, await decodePixels(jpeg));

    await pushOk(
      base,
      "arr",
      new TextEncoder().encode("[[0, 128], [255, 64]]"),
      "application/json",
    );
    const json = await decodePixels(await (await fetch(`${base}/streams/arr.png`)).bytes());
    assert.deepEqual([...json.rgba], [
      0,
      0,
      0,
      255,
      128,
      128,
      128,
      255,
      255,
      255,
      255,
      255,
      64,
      64,
      64,
      255,
    ]);

    const bgr = new Uint8Array([10, 20, 30]);
    const raw = await push(base, "arr", bgr, "application/octet-stream", "?shape=1,1,3&order=bgr");
    assert.equal(raw.status, 204);
    const pixel = await decodePixels(await (await fetch(`${base}/streams/arr.png`)).bytes());
    assert.deepEqual([...pixel.rgba], [30, 20, 10, 255]);
  });
});

Deno.test("A bad frame gets /render's error and leaves the previous frame in place", async () => {
  await withStreams(async ({ base }) => {
    await pushOk(base, "cam", solidNpy(RED));
    const bad = new TextEncoder().encode("not an array");
    const render = await fetch(`${base}/render.png`, {
      method: "POST",
      body: bad,
      headers: { "content-type": "application/x-npy" },
    });
    const renderBody = await render.json();
    const res = await push(base, "cam", bad);
    await assertError(res, render.status, renderBody.error, renderBody.detail);
    assert.equal(res.status, 400);
    await assertError(
      await push(base, "cam", bad, "text/plain"),
      415,
      "unsupported_media_type",
      "Content-Type text/plain is not read here; send one of application/json, " +
        "application/x-npy, application/zip, application/octet-stream",
    );
    await assertError(
      await push(base, "cam", solidNpy(RED), "application/x-npy", "?quality=50"),
      400,
      "unknown_parameter",
      '"quality" is not a query parameter of PUT /streams/cam; it takes background, clip, cmap, ' +
        "dtype, key, order, shape, vmax, vmin",
    );
    const status = await (await fetch(`${base}/streams/cam`)).json();
    assert.equal(status.frames, 1);
    assertSolid(await decodePixels(await (await fetch(`${base}/streams/cam.png`)).bytes()), RED, 0);
  });
});

Deno.test("Stream names outside 1-64 of [A-Za-z0-9_-] are a 400; unknown streams a 404", async () => {
  await withStreams(async ({ base }) => {
    const long = "x".repeat(65);
    await assertError(
      await push(base, long, solidNpy(RED)),
      400,
      "invalid_stream_name",
      `stream names are 1 to 64 of A-Z, a-z, 0-9, _ and -, got "${long}"`,
    );
    await assertError(
      await push(base, "a%20b", solidNpy(RED)),
      400,
      "invalid_stream_name",
      'stream names are 1 to 64 of A-Z, a-z, 0-9, _ and -, got "a%20b"',
    );
    const missing = 'there is no stream named "nope"';
    for (const path of ["nope", "nope.mjpg", "nope.jpg", "nope.png", "nope.webp"]) {
      await assertError(await fetch(`${base}/streams/${path}`), 404, "not_found", missing);
    }
    await assertError(
      await fetch(`${base}/streams/nope`, { method: "DELETE" }),
      404,
      "not_found",
      missing,
    );
  });
});

Deno.test("GET /streams/{name} and /streams give the status JSON", async () => {
  await withStreams(async ({ base }, services) => {
    const before = Date.now();
    await pushOk(base, "b", solidNpy(RED, 8, 4));
    await pushOk(base, "a", solidNpy(RED, 64, 48));
    await pushOk(base, "a", solidNpy(GREEN, 32, 16));
    const reader = await watch(base, "a");
    try {
      await viewersReach(services, 1);
      const res = await fetch(`${base}/streams/a`);
      assert.equal(res.headers.get("cache-control"), "no-store");
      const status = await res.json();
      assert.deepEqual(Object.keys(status), [
        "name",
        "width",
        "height",
        "frames",
        "viewers",
        "fps",
        "updated",
      ]);
      assert.deepEqual(
        [status.name, status.width, status.height, status.frames, status.viewers],
        ["a", 32, 16, 2, 1],
      );
      assert.equal(status.fps, 1);
      const updated = Date.parse(status.updated);
      assert.ok(updated >= before && updated <= Date.now(), status.updated);
      const list = await (await fetch(`${base}/streams`)).json();
      assert.deepEqual(list.streams.map((s: { name: string }) => s.name), ["a", "b"]);
      assert.deepEqual(list.streams[0], status);
    } finally {
      await reader.cancel();
    }
  });
});

Deno.test("GET /streams/{name}.jpg answers the latest frame: ETag per frame, no-cache, 304", async () => {
  await withStreams(async ({ base }) => {
    await pushOk(base, "cam", solidNpy(RED));
    const first = await fetch(`${base}/streams/cam.jpg`);
    assert.equal(first.headers.get("content-type"), "image/jpeg");
    assert.equal(first.headers.get("cache-control"), "no-cache");
    assert.equal(first.headers.get("content-disposition"), 'inline; filename="cam.jpg"');
    assertSolid(await decodePixels(await first.bytes()), RED, 2);
    const etag = first.headers.get("etag")!;
    const again = await fetch(`${base}/streams/cam.jpg`, { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
    await again.body?.cancel();
    await pushOk(base, "cam", solidNpy(BLUE));
    const second = await fetch(`${base}/streams/cam.jpg`, { headers: { "if-none-match": etag } });
    assert.equal(second.status, 200);
    assert.notEqual(second.headers.get("etag"), etag);
    assertSolid(await decodePixels(await second.bytes()), BLUE, 2);
    const webp = await fetch(`${base}/streams/cam.webp?quality=80`);
    assert.equal(webp.headers.get("content-type"), "image/webp");
    assertSolid(await decodePixels(await webp.bytes()), BLUE, 4);
  });
});

Deno.test("A frame of another size replaces the size and viewers keep going", async () => {
  await withStreams(async ({ base }) => {
    await pushOk(base, "cam", solidNpy(RED, 64, 48));
    const reader = await watch(base, "cam", "?quality=70");
    try {
      assert.equal((await nextFrame(reader)).width, 64);
      await pushOk(base, "cam", solidNpy(GREEN, 20, 10));
      const resized = await nextFrame(reader);
      assert.deepEqual([resized.width, resized.height], [20, 10]);
      assertSolid(resized, GREEN, 3);
    } finally {
      await reader.cancel();
    }
  });
});

Deno.test("A viewer that stops reading skips to the newest frame; it never gets a queue", async () => {
  await withStreams(async ({ base }) => {
    const PUSHED = 60;
    await pushOk(base, "cam", noiseNpy(0));
    const reader = await watch(base, "cam");
    try {
      await nextFrame(reader);
      // Each noise frame is ~0.5 MB of JPEG: far more than the socket buffers hold.
      for (let i = 1; i <= PUSHED; i++) await pushOk(base, "cam", noiseNpy(i));
      await pushOk(base, "cam", solidNpy(BLUE));
      let received = 0;
      let last: Pixels;
      do {
        last = await nextFrame(reader);
        received++;
      } while (last.width !== 64);
      assertSolid(last, BLUE, 2);
      assert.ok(received < PUSHED / 2, `${received} of ${PUSHED + 1} frames were delivered`);
    } finally {
      await reader.cancel();
    }
  });
});

Deno.test("A viewer that stops reading holds at most one frame in the server, and the newest comes next", async () => {
  // The handler's response is read as Deno.serve reads it, without a socket between: a
  // socket's buffers would take parts of their own, so what the server holds for a viewer
  // that stops reading is exactly what it took from the stream and has not handed over.
  const { services, encodes } = await countingServices();
  const app = createApp(services.config, { services });
  const put = async (color: Rgb) => {
    const body = solidNpy(color);
    const res = await app(
      new Request("http://pixserve.test/streams/cam", {
        method: "PUT",
        body,
        headers: { "content-type": "application/x-npy", "content-length": `${body.length}` },
      }),
    );
    assert.equal(res.status, 204);
  };
  try {
    await put(RED);
    const res = await app(new Request("http://pixserve.test/streams/cam.mjpg?quality=70"));
    assert.equal(res.status, 200);
    const reader = new MjpegReader(res.body!, boundaryOf(res.headers.get("content-type"))!);
    try {
      assertSolid(await nextFrame(reader, 1), RED, 3);
      const PUSHED = 40;
      for (let i = 0; i < PUSHED; i++) await put(i % 2 === 0 ? GREEN : BLUE);
      // Each frame the viewer took was encoded at its quality, 70: the pushes encode once each
      // at the default. Taken: the frame it read, and at most one more that waits.
      const taken = encodes() - (1 + PUSHED);
      assert.ok(taken >= 1 && taken <= 2, `the viewer took ${taken} frames`);
      const numbers = [];
      let part;
      do {
        part = await reader.next();
        assert.ok(part !== undefined);
        numbers.push(Number(part.headers["x-frame-number"]));
      } while (numbers.at(-1) !== PUSHED + 1);
      // At most the one frame that waited comes before the newest; none of those in between.
      const expected = taken === 2 ? [2, PUSHED + 1] : [PUSHED + 1];
      assert.deepEqual(numbers, expected);
      assertSolid(await decodePixels(part.body), BLUE, 3);
    } finally {
      await reader.cancel();
    }
  } finally {
    services.close();
  }
});

Deno.test("A viewer that disconnects is removed and its stream keeps serving others", async () => {
  await withStreams(async ({ base }, services) => {
    await pushOk(base, "cam", solidNpy(RED));
    const leaving = await watch(base, "cam");
    const staying = await watch(base, "cam");
    await nextFrame(leaving);
    await nextFrame(staying);
    await viewersReach(services, 2);
    await leaving.cancel();
    await viewersReach(services, 1);
    assert.equal((await (await fetch(`${base}/streams/cam`)).json()).viewers, 1);
    await pushOk(base, "cam", solidNpy(GREEN));
    assertSolid(await nextFrame(staying), GREEN, 2);
    await staying.cancel();
    await viewersReach(services, 0);
  });
});

Deno.test("MAX_STREAMS and MAX_VIEWERS answer 429 with Retry-After", async () => {
  await withStreams(async ({ base }) => {
    await pushOk(base, "a", solidNpy(RED));
    await pushOk(base, "b", solidNpy(RED));
    const refused = await push(base, "c", solidNpy(RED));
    assert.equal(refused.headers.get("retry-after"), "5");
    await assertError(refused, 429, "too_many_streams", "2 streams exist, MAX_STREAMS is 2");
    await pushOk(base, "a", solidNpy(GREEN));
    const reader = await watch(base, "a");
    try {
      const second = await fetch(`${base}/streams/b.mjpg`);
      assert.equal(second.headers.get("retry-after"), "5");
      await assertError(
        second,
        429,
        "too_many_viewers",
        "1 viewers are watching, MAX_VIEWERS is 1",
      );
    } finally {
      await reader.cancel();
    }
  }, { maxStreams: 2, maxViewers: 1 });
});

Deno.test("DELETE /streams/{name} ends its viewers' responses cleanly", async () => {
  await withStreams(async ({ base }, services) => {
    await pushOk(base, "cam", solidNpy(RED));
    const reader = await watch(base, "cam");
    await nextFrame(reader);
    const res = await fetch(`${base}/streams/cam`, { method: "DELETE" });
    assert.equal(res.status, 204);
    assert.equal(await reader.next(), undefined);
    await viewersReach(services, 0);
    await assertError(
      await fetch(`${base}/streams/cam`),
      404,
      "not_found",
      'there is no stream named "cam"',
    );
    assert.deepEqual(await (await fetch(`${base}/streams`)).json(), { streams: [] });
  });
});

Deno.test("Stopping the server ends the viewers' responses, and the stop completes", async () => {
  const server = serveIsolate(await testConfig(), false);
  const base = `http://127.0.0.1:${server.addr.port}`;
  await pushOk(base, "cam", solidNpy(RED));
  const reader = await watch(base, "cam");
  await nextFrame(reader);
  const stopped = server.stop();
  assert.equal(await reader.next(), undefined);
  await stopped;
});

Deno.test("Frames pushed to one isolate reach viewers on every isolate", async () => {
  const server = await spawnServer([
    "run",
    "-A",
    "--unstable-net",
    `${PROJECT_DIR}/main.ts`,
    "--quiet",
  ], {
    PORT: "0",
    WORKERS: "2",
  });
  const clients = Array.from({ length: 6 }, () => Deno.createHttpClient({}));
  const readers: MjpegReader[] = [];
  try {
    const base = server.base!;
    await pushOk(base, "cam", solidNpy(RED));
    for (const client of clients) {
      const res = await fetch(`${base}/streams/cam.mjpg`, { client });
      assert.equal(res.status, 200);
      readers.push(new MjpegReader(res.body!));
    }
    for (const reader of readers) assertSolid(await nextFrame(reader), RED, 2);
    await pushOk(base, "cam", solidNpy(GREEN));
    for (const reader of readers) assertSolid(await nextFrame(reader), GREEN, 2);
  } finally {
    for (const reader of readers) await reader.cancel();
    for (const client of clients) client.close();
    await server.close("SIGTERM");
  }
});

Deno.test("Stream routes check their query parameters", async () => {
  await withStreams(async ({ base }, services) => {
    await pushOk(base, "cam", solidNpy(RED));
    await assertError(
      await fetch(`${base}/streams/cam.mjpg?quality=0`),
      400,
      "invalid_parameter",
      'quality must be an integer from 1 to 100, got "0"',
    );
    await assertError(
      await fetch(`${base}/streams/cam.png?quality=50`),
      400,
      "invalid_quality",
      "quality applies to jpeg, webp and avif, not png",
    );
    await assertError(
      await fetch(`${base}/streams/cam?now=1`, { method: "DELETE" }),
      400,
      "unknown_parameter",
      '"now" is not a query parameter of DELETE /streams/cam; it takes none',
    );
    assert.equal(services.streams.viewers, 0);
    const head = await fetch(`${base}/streams/cam.mjpg`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-type"), MJPEG_CONTENT_TYPE);
    assert.equal(await head.text(), "");
    await viewersReach(services, 0);
  });
});
