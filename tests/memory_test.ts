import assert from "node:assert/strict";
import { encodeNpy } from "../lib/arrays/npy.ts";
import { serverEnv } from "../lib/launch.ts";
import { IdleRelease, libcPathOf, ownLibcPath, releaseMemory } from "../lib/memory.ts";
import { DecodePool } from "../lib/pool/decode_pool.ts";
import { EncodePool, INLINE_PNG_BYTES } from "../lib/pool/pool.ts";
import { spawnServer } from "./_spawn.ts";
import { decodePixels } from "./_pixels.ts";

/** Larger than `INLINE_PNG_BYTES`, so that the server encodes its PNG on a worker. */
const WIDTH = 1024, HEIGHT = 520;
const RGB = new Uint8Array(WIDTH * HEIGHT * 3).map((_, i) => (i * 37) & 0xff);
const RGBA = new Uint8Array(WIDTH * HEIGHT * 4).map((_, i) =>
  i % 4 === 3 ? 255 : RGB[Math.floor(i / 4) * 3 + (i % 4)]
);

/** Waits for `condition`, checking it after each turn of the event loop, for at most 20 s. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, `${what} did not happen within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One sample of `/metrics`. */
async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  assert.ok(line !== undefined, `${name} is not in /metrics`);
  return Number(line.slice(name.length + 1));
}

/** POST /render.png of the test array; its pixels decoded back. */
async function render(base: string): Promise<Uint8Array> {
  const res = await fetch(`${base}/render.png`, {
    method: "POST",
    body: encodeNpy({ shape: [HEIGHT, WIDTH, 3], dtype: "uint8", data: RGB }),
    headers: { "content-type": "application/x-npy" },
  });
  assert.equal(res.status, 200, await res.clone().text());
  const pixels = await decodePixels(new Uint8Array(await res.arrayBuffer()));
  assert.deepEqual([pixels.width, pixels.height], [WIDTH, HEIGHT]);
  return pixels.rgba;
}

Deno.test("libcPathOf() finds glibc among a process's mappings, and nothing in musl's", () => {
  const glibc = "7f3a1c000000-7f3a1c028000 r--p 00000000 08:01 1835 " +
    "/usr/lib/x86_64-linux-gnu/libc.so.6\n7f3a1c200000-7f3a1c201000 rw-p 00000000 00:00 0\n";
  assert.equal(libcPathOf(glibc), "/usr/lib/x86_64-linux-gnu/libc.so.6");
  const musl = "7f0000000000-7f0000010000 r-xp 00000000 08:01 77 /lib/ld-musl-x86_64.so.1\n";
  assert.equal(libcPathOf(musl), undefined);
});

Deno.test("releaseMemory() trims glibc's heap when FFI on it is granted (this process: -A)", () => {
  const released = releaseMemory();
  assert.equal(released.trimmed, ownLibcPath() !== undefined);
  assert.equal(released.collected, typeof (globalThis as { gc?: unknown }).gc === "function");
});

Deno.test("IdleRelease gives memory back once per quiet spell, never while busy", () => {
  let released = 0;
  const start = performance.now();
  const idle = new IdleRelease(1000, () => released++);
  assert.equal(idle.check(start + 5000, start - 1, false), false, "no request since it started");
  assert.equal(idle.check(start + 500, start + 100, false), false, "not quiet long enough");
  assert.equal(idle.check(start + 1200, start + 100, true), false, "a request is open");
  assert.equal(idle.check(start + 1200, start + 100, false), true);
  assert.equal(idle.check(start + 9000, start + 100, false), false, "once per quiet spell");
  assert.equal(idle.check(start + 10_500, start + 10_000, false), false, "a new request");
  assert.equal(idle.check(start + 11_000, start + 10_000, false), true, "quiet again");
  assert.equal(released, 2);
});

Deno.test("EncodePool has a worker idle for releaseIdleMs after a job give memory back, and encodes after", async () => {
  const pool = new EncodePool({ size: 2, warm: true, releaseIdleMs: 50, inlineBytes: 0 });
  try {
    const pixels = () => ({ width: WIDTH, height: HEIGHT, rgba: RGBA.slice() });
    const first = await decodePixels(await pool.encode(pixels(), "png"));
    assert.deepEqual(first.rgba, RGBA);
    await until(() => pool.released === 1, "the used worker's release");
    assert.equal(pool.workers, 2);
    const after = await decodePixels(await pool.encode(pixels(), "png"));
    assert.deepEqual(after.rgba, RGBA);
    await until(() => pool.released === 2, "the second release");
    assert.equal(pool.workers, 2);
  } finally {
    pool.close();
  }
});

Deno.test("DecodePool has a worker idle for releaseIdleMs after a job give memory back, and decodes after", async () => {
  const pool = new DecodePool({ size: 1, warm: true, releaseIdleMs: 50 });
  const encoder = new EncodePool({ size: 1 });
  try {
    const png = await encoder.encode({ width: WIDTH, height: HEIGHT, rgba: RGBA.slice() }, "png");
    assert.deepEqual((await pool.decode(png.slice(), 1e6)).rgba, RGBA);
    await until(() => pool.released === 1, "the used worker's release");
    assert.equal(pool.workers, 1);
    assert.deepEqual((await pool.decode(png.slice(), 1e6)).rgba, RGBA);
  } finally {
    pool.close();
    encoder.close();
  }
});

Deno.test("serverEnv() caps glibc's arenas and tunes its allocator unless set, and names libc", () => {
  assert.deepEqual(serverEnv(() => undefined, undefined), {
    MALLOC_ARENA_MAX: "2",
    GLIBC_TUNABLES: "glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=134217728",
  });
  const given: Record<string, string> = {
    MALLOC_ARENA_MAX: "4",
    GLIBC_TUNABLES: "glibc.malloc.tcache_count=0",
  };
  assert.deepEqual(serverEnv((name) => given[name], "/lib/libc.so.6"), {
    ...given,
    PIXSERVE_LIBC: "/lib/libc.so.6",
  });
});

Deno.test("deno task start with MEMORY_IDLE_SECONDS gives memory back when idle and renders after", async () => {
  const server = await spawnServer(
    [
      "run",
      "--allow-read",
      "--allow-env",
      "--allow-run",
      "lib/launch.ts",
      "--port",
      "0",
      "--workers",
      "1",
      "--quiet",
    ],
    { MEMORY_IDLE_SECONDS: "1" },
  );
  assert.ok(WIDTH * HEIGHT * 3 > INLINE_PNG_BYTES, "the test array is encoded on a worker");
  try {
    assert.ok(server.base !== undefined, server.line);
    const base = server.base;
    assert.deepEqual(await render(base), RGBA);
    await until(
      async () =>
        await metric(base, "pixserve_worker_memory_releases_total") >= 1 &&
        await metric(base, "pixserve_memory_releases_total") >= 1,
      "the used encode worker's release and the isolate's",
    );
    assert.equal(await metric(base, "pixserve_encode_workers"), 2);
    assert.deepEqual(await render(base), RGBA);
  } finally {
    await server.close("SIGTERM");
  }
});
