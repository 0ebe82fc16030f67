import assert from "node:assert/strict";
import { getPriority } from "node:os";
import { serverArgs } from "../lib/launch.ts";
import {
  ENCODE_NICE,
  type EncodeJob,
  type EncodeReply,
  type JobScope,
  type PONG,
  serveEncodeJobs,
} from "../lib/pool/encode_job.ts";
import { encodePixels, toRgba } from "../lib/image/encode.ts";
import { EncodePool } from "../lib/pool/pool.ts";
import type { RELEASED } from "../lib/memory.ts";
import { sampleImage } from "../lib/image/sample.ts";
import { createServices } from "../lib/services.ts";
import { CRASH_WIDTH, GATE, HOLD_WIDTH, TEST_WORKER_URL } from "./_encode_gate.ts";
import { assertSamplePattern, decodePixels } from "./_pixels.ts";
import { PROJECT_DIR, testConfig, withServer } from "./_server.ts";
import { type SpawnedServer, spawnServer } from "./_spawn.ts";

const IDENTITY = { "accept-encoding": "identity" };

function samplePixels(width: number, height: number) {
  const image = sampleImage(width, height);
  return { width, height, rgba: new Uint8Array(image.bitmap.buffer) };
}

/** A promise of the next message on the test gate, and a way to release held jobs. */
function openGate() {
  const channel = new BroadcastChannel(GATE);
  const held = new Promise<void>((resolve) => {
    channel.onmessage = () => resolve();
  });
  let open = true;
  return {
    held,
    release() {
      if (!open) return;
      open = false;
      channel.postMessage("release");
      channel.close();
    },
  };
}

for (const inlineBytes of [0, undefined]) {
  Deno.test(`EncodePool({ inlineBytes: ${inlineBytes} }).encode() writes the same bytes as encodePixels()`, async () => {
    const pool = new EncodePool({ size: 2, inlineBytes });
    try {
      for (const format of ["png", "gif", "jpeg"] as const) {
        const expected = await encodePixels(samplePixels(64, 48), format);
        assert.deepEqual(await pool.encode(samplePixels(64, 48), format), expected);
      }
    } finally {
      pool.close();
    }
  });
}

Deno.test("EncodePool.encode() writes still PNGs of up to inlineBytes here, inlinePerTurn in a turn of the event loop, from the caller's bytes, and the rest on a worker", async () => {
  const crashes: unknown[] = [];
  const size = CRASH_WIDTH * 2 * 4;
  const pool = new EncodePool({
    size: 1,
    queue: 2,
    workerUrl: TEST_WORKER_URL,
    inlineBytes: size,
    inlinePerTurn: 2,
    onCrash: (error) => crashes.push(error),
  });
  try {
    const small = samplePixels(CRASH_WIDTH, 2);
    const png = await pool.encode(small, "png");
    assertSamplePattern(await decodePixels(png), CRASH_WIDTH, 2);
    assert.equal(small.rgba.byteLength, size, "the caller keeps its pixels");
    assert.equal(pool.workers, 0);
    const crashed = { status: 500, code: "encoder_crashed" };
    await assert.rejects(pool.encode(samplePixels(CRASH_WIDTH, 3), "png"), crashed);
    await assert.rejects(pool.encode(samplePixels(CRASH_WIDTH, 2), "jpeg"), crashed);
    // A new turn: two PNGs asked for in it are written here, the third on the worker.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const [first, second, third] = await Promise.allSettled(
      [0, 1, 2].map(() => pool.encode(samplePixels(CRASH_WIDTH, 2), "png")),
    );
    assert.equal(first.status, "fulfilled");
    assert.equal(second.status, "fulfilled");
    assert.equal(third.status, "rejected");
    assert.equal(crashes.length, 3);
  } finally {
    pool.close();
  }
  await assert.rejects(pool.encode(samplePixels(2, 2), "png"), {
    status: 503,
    code: "shutting_down",
  });
});

Deno.test("EncodePool({ inlinePerTurn: 0 }) writes every PNG on a worker", async () => {
  const crashes: unknown[] = [];
  const pool = new EncodePool({
    size: 1,
    queue: 0,
    workerUrl: TEST_WORKER_URL,
    inlinePerTurn: 0,
    onCrash: (error) => crashes.push(error),
  });
  try {
    await assert.rejects(pool.encode(samplePixels(CRASH_WIDTH, 2), "png"), {
      status: 500,
      code: "encoder_crashed",
    });
    assert.equal(crashes.length, 1);
  } finally {
    pool.close();
  }
});

Deno.test("EncodePool.encode() moves a whole buffer, copies a view of a larger one, or moves it on request", async () => {
  const pool = new EncodePool({ size: 1, inlineBytes: 0 });
  try {
    const whole = samplePixels(8, 8);
    await pool.encode(whole, "png");
    assert.equal(whole.rgba.byteLength, 0);
    const big = new Uint8Array(8 * 8 * 4 + 4);
    const view = { width: 8, height: 8, rgba: big.subarray(4) };
    await pool.encode(view, "png");
    assert.equal(view.rgba.byteLength, 8 * 8 * 4);
    const rgb = new Uint8Array(128 + 8 * 8 * 3);
    rgb.fill(255, 128, 128 + 3);
    const expected = await encodePixels(
      toRgba({ width: 8, height: 8, channels: 3, data: rgb.slice(128) }),
      "png",
    );
    const given = { width: 8, height: 8, channels: 3 as const, data: rgb.subarray(128) };
    assert.deepEqual(await pool.encode(given, "png", { moveBuffer: true }), expected);
    assert.equal(rgb.buffer.byteLength, 0);
  } finally {
    pool.close();
  }
});

Deno.test("EncodePool.encode() checks quality and size before taking a job", async () => {
  const pool = new EncodePool({ size: 1 });
  try {
    await assert.rejects(pool.encode(samplePixels(4, 4), "png", { quality: 80 }), {
      kind: "malformed",
      code: "invalid_quality",
    });
    await assert.rejects(pool.encode(samplePixels(16_384, 1), "webp"), {
      kind: "unprocessable",
      code: "too_large_for_format",
    });
    assert.equal(pool.running, 0);
  } finally {
    pool.close();
  }
});

Deno.test("GET /image.png answers 503 with Retry-After when the encode queue is full", async () => {
  const pool = new EncodePool({ size: 1, queue: 0, workerUrl: TEST_WORKER_URL, inlineBytes: 0 });
  const services = createServices(await testConfig(), { pool });
  const gate = openGate();
  try {
    await withServer(
      async ({ base }) => {
        const first = fetch(`${base}/image.png?width=${HOLD_WIDTH}`, { headers: IDENTITY });
        await gate.held;
        const res = await fetch(`${base}/image.png?width=20`, { headers: IDENTITY });
        assert.equal(res.status, 503);
        assert.equal(res.headers.get("retry-after"), "1");
        assert.equal(res.headers.get("content-type"), "application/json");
        assert.equal(res.headers.get("cache-control"), "no-store");
        assert.deepEqual(await res.json(), {
          error: "encoder_busy",
          detail: "all 1 encode workers are busy and 0 images wait; retry in 1 s",
        });
        gate.release();
        const held = await first;
        assert.equal(held.status, 200);
        assertSamplePattern(await decodePixels(new Uint8Array(await held.arrayBuffer())), 17, 512);
      },
      {},
      { services },
    );
  } finally {
    gate.release();
    services.close();
  }
});

Deno.test("EncodePool queues up to its bound and serves the queue in order", async () => {
  const pool = new EncodePool({ size: 1, queue: 1, workerUrl: TEST_WORKER_URL, inlineBytes: 0 });
  const gate = openGate();
  try {
    const first = pool.encode(samplePixels(HOLD_WIDTH, 2), "png");
    await gate.held;
    const second = pool.encode(samplePixels(5, 5), "png");
    assert.equal(pool.waiting, 1);
    await assert.rejects(pool.encode(samplePixels(6, 6), "png"), {
      status: 503,
      code: "encoder_busy",
    });
    gate.release();
    assertSamplePattern(await decodePixels(await first), HOLD_WIDTH, 2);
    assertSamplePattern(await decodePixels(await second), 5, 5);
    assert.equal(pool.waiting, 0);
  } finally {
    gate.release();
    pool.close();
  }
});

Deno.test("GET /image.png answers 500 when its encode worker dies, and the next request succeeds", async () => {
  const crashes: unknown[] = [];
  const pool = new EncodePool({
    size: 1,
    workerUrl: TEST_WORKER_URL,
    inlineBytes: 0,
    onCrash: (error) => crashes.push(error),
  });
  const services = createServices(await testConfig(), { pool });
  try {
    await withServer(
      async ({ base }) => {
        const crashed = await fetch(`${base}/image.png?width=${CRASH_WIDTH}`, {
          headers: IDENTITY,
        });
        assert.equal(crashed.status, 500);
        assert.equal(crashed.headers.get("content-type"), "application/json");
        assert.deepEqual(await crashed.json(), {
          error: "encoder_crashed",
          detail:
            "the encode worker stopped while encoding this image; it has been replaced, retry",
        });
        assert.equal(crashes.length, 1);
        const next = await fetch(`${base}/image.png?width=20&height=10`, { headers: IDENTITY });
        assert.equal(next.status, 200);
        assertSamplePattern(await decodePixels(new Uint8Array(await next.arrayBuffer())), 20, 10);
      },
      {},
      { services },
    );
  } finally {
    services.close();
  }
});

Deno.test("EncodePool.close() refuses waiting and new jobs with shutting_down", async () => {
  const pool = new EncodePool({ size: 1, queue: 1, workerUrl: TEST_WORKER_URL, inlineBytes: 0 });
  const gate = openGate();
  try {
    const running = pool.encode(samplePixels(HOLD_WIDTH, 2), "png");
    await gate.held;
    const waiting = pool.encode(samplePixels(4, 4), "png");
    pool.close();
    const refused = { status: 503, code: "shutting_down" };
    await assert.rejects(running, refused);
    await assert.rejects(waiting, refused);
    await assert.rejects(pool.encode(samplePixels(4, 4), "png"), refused);
  } finally {
    gate.release();
  }
});

Deno.test("EncodePool with warm starts every worker at once and replaces a dead one at once", async () => {
  const crashes: unknown[] = [];
  const pool = new EncodePool({
    size: 2,
    warm: true,
    workerUrl: TEST_WORKER_URL,
    inlineBytes: 0,
    onCrash: (error) => crashes.push(error),
  });
  try {
    assert.equal(pool.workers, 2);
    await assert.rejects(pool.encode(samplePixels(CRASH_WIDTH, 2), "png"), {
      status: 500,
      code: "encoder_crashed",
    });
    assert.equal(crashes.length, 1);
    assert.equal(pool.workers, 2);
    assertSamplePattern(await decodePixels(await pool.encode(samplePixels(9, 4), "png")), 9, 4);
  } finally {
    pool.close();
  }
  assert.equal(pool.workers, 0);
});

Deno.test("serveEncodeJobs() frees a job's pixels once it has answered", async () => {
  const replied = Promise.withResolvers<EncodeReply | typeof PONG | typeof RELEASED>();
  const scope: JobScope = {
    onmessage: null,
    postMessage: (message) => replied.resolve(message),
  };
  serveEncodeJobs(scope);
  const data = new Uint8Array(8 * 8 * 3).fill(200);
  const job: EncodeJob = {
    width: 8,
    height: 8,
    channels: 3,
    data,
    format: "png",
    backend: "native",
  };
  scope.onmessage!(new MessageEvent("message", { data: job }));
  const reply = await replied.promise;
  assert.ok("ok" in reply && reply.ok);
  assert.equal(data.byteLength, 0);
  const pixels = await decodePixels(reply.bytes);
  assert.deepEqual([pixels.width, pixels.height], [8, 8]);
  assert.ok(pixels.rgba.every((v, i) => v === (i % 4 === 3 ? 255 : 200)));
});

Deno.test("JPEGs of several sizes in turn each hold their own pixels (libjpeg-turbo's buffer is reused)", async () => {
  for (const [width, height] of [[96, 64], [8, 8], [200, 120]]) {
    const source = samplePixels(width, height);
    const jpeg = await encodePixels(source, "jpeg", { backend: "native", quality: 95 });
    const decoded = await decodePixels(jpeg);
    assert.deepEqual([decoded.width, decoded.height], [width, height]);
    assert.equal(jpeg.buffer.byteLength, jpeg.byteLength);
    let error = 0;
    for (let i = 0; i < source.rgba.length; i++) {
      error += Math.abs(source.rgba[i] - decoded.rgba[i]);
    }
    assert.ok(error / source.rgba.length < 8, `mean error ${error / source.rgba.length}`);
  }
});

Deno.test("services.encodeChannels() encodes RGB and gray bytes expanded in the worker", async () => {
  const services = createServices(await testConfig());
  try {
    const rgb = new Uint8Array(6 * 4 * 3);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) rgb[(y * 6 + x) * 3] = 255;
    const png = await services.encodeChannels(
      { width: 6, height: 4, channels: 3, data: rgb },
      "png",
    );
    assert.equal(png.format, "png");
    assertSamplePattern(await decodePixels(png.bytes), 6, 4);
    const gray = new Uint8Array([0, 128, 255, 9]);
    const gif = await services.encodeChannels(
      { width: 2, height: 2, channels: 1, data: gray },
      "gif",
    );
    const decoded = await decodePixels(gif.bytes);
    assert.deepEqual([...decoded.rgba], [
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
      9,
      9,
      9,
      255,
    ]);
    await assert.rejects(
      services.encodeChannels({ width: 2, height: 2, channels: 3, data: gray }, "png"),
      RangeError,
    );
  } finally {
    services.close();
  }
});

Deno.test("lowerThreadPriority() lowers only the calling worker's thread", async () => {
  const before = getPriority(0);
  const worker = new Worker(new URL("./_priority_worker.ts", import.meta.url), {
    type: "module",
  });
  try {
    const report = await new Promise<{ lowered: boolean; nice: number }>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => reject(event.error ?? event.message);
    });
    assert.deepEqual(report, { lowered: true, nice: before + ENCODE_NICE });
    assert.equal(getPriority(0), before);
  } finally {
    worker.terminate();
  }
});

/** The nice value of every thread of a process, by thread id, from `/proc`. */
async function threadNices(pid: number): Promise<Map<number, number>> {
  const nices = new Map<number, number>();
  for await (const task of Deno.readDir(`/proc/${pid}/task`)) {
    const stat = await Deno.readTextFile(`/proc/${pid}/task/${task.name}/stat`);
    nices.set(Number(task.name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]));
  }
  return nices;
}

Deno.test("a server started with the launcher's flags encodes on lowered threads and serves on its own", async () => {
  let server: SpawnedServer | undefined;
  try {
    const config = await testConfig({ workers: 1, encodeWorkers: 1 });
    server = await spawnServer(
      serverArgs(
        config,
        ["--port", "0", "--quiet", "--workers", "1", "--encode-workers", "1"],
        PROJECT_DIR,
      ),
    );
    assert.ok(server.base !== undefined, server.line);
    const res = await fetch(`${server.base}/image.png?width=96&height=64`);
    assertSamplePattern(await decodePixels(new Uint8Array(await res.arrayBuffer())), 96, 64);
    const jpeg = await fetch(`${server.base}/image.jpg?width=96&height=64`);
    assert.equal(jpeg.status, 200);
    assertSamplePattern(await decodePixels(new Uint8Array(await jpeg.arrayBuffer())), 96, 64, 8, 8);
    const nices = await threadNices(server.child.pid);
    const own = nices.get(server.child.pid)!;
    assert.ok([...nices.values()].includes(own + ENCODE_NICE), JSON.stringify([...nices]));
  } finally {
    await server?.close();
  }
});
