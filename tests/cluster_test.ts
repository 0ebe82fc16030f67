import assert from "node:assert/strict";
import { encodeNpy } from "../lib/arrays/npy.ts";
import { ensureNginx } from "../lib/cluster/nginx.ts";
import { sniffImageFormat } from "../lib/image/format.ts";
import {
  alive,
  descendants,
  loadUntil,
  parentOf,
  type RunningCluster,
  startCluster,
} from "./_cluster.ts";
import { assertSamplePattern, decodePixels } from "./_pixels.ts";

const LARGE_SIZE = 4 * 1024 * 1024;
const IDENTITY = { "accept-encoding": "identity" };

/** Deterministic bytes that do not compress, for the large file. */
function largeFile(): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(LARGE_SIZE);
  let x = 0x12345678;
  for (let i = 0; i < bytes.length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

/** A GET through nginx: status, headers and the whole body. */
async function get(base: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { headers: { ...IDENTITY, ...headers } });
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** Splits a multipart/byteranges body into each part's Content-Range and bytes. */
function byteranges(body: Uint8Array, type: string): { range: string; bytes: Uint8Array }[] {
  const boundary = /boundary=(\S+)$/.exec(type)?.[1];
  assert.ok(boundary !== undefined, type);
  const text = Array.from(body, (b) => String.fromCharCode(b)).join("");
  const parts = text.split(`--${boundary}`).slice(1, -1);
  return parts.map((part) => {
    const split = part.indexOf("\r\n\r\n");
    const range = /Content-Range: (.*)/i.exec(part.slice(0, split))?.[1].trim() ?? "";
    const bytes = part.slice(split + 4, -2);
    return { range, bytes: Uint8Array.from(bytes, (c) => c.charCodeAt(0)) };
  });
}

/** Instances' pids and ports as `/health` through nginx reports them, once `count` are seen. */
async function instancesSeen(base: string, count: number): Promise<Map<number, number>> {
  const seen = new Map<number, number>();
  for (let i = 0; i < 100 && seen.size < count; i++) {
    const res = await fetch(`${base}/health`);
    const body = await res.json();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-cache-status"), null);
    seen.set(body.pid, body.port);
  }
  assert.equal(seen.size, count, "every instance answers /health through nginx");
  return seen;
}

let unique = 0;

/** A request that reaches an instance (a cache miss or an upload), its answer checked. */
async function missOrUpload(base: string, n: number): Promise<void> {
  const width = 8 + (unique++ % 4000);
  if (n % 3 === 2) {
    const data = new Uint8Array(width * 4 * 3).fill(n % 256);
    const npy = encodeNpy({ dtype: "uint8", shape: [4, width, 3], data });
    const res = await fetch(`${base}/render.png`, {
      method: "POST",
      body: npy,
      headers: { "content-type": "application/x-npy" },
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`POST /render.png: ${res.status}`);
    const pixels = await decodePixels(bytes);
    assert.equal(pixels.width, width);
    assert.equal(pixels.rgba[0], n % 256);
    return;
  }
  const path = `/image.png?width=${width}&height=${3 + n % 5}`;
  const { res, bytes } = await get(base, path);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
  assertSamplePattern(await decodePixels(bytes), width, 3 + n % 5);
}

async function checkCaching(base: string): Promise<void> {
  const first = await get(base, "/image.png");
  const second = await get(base, "/image.png");
  assert.equal(first.res.status, 200);
  assert.equal(first.res.headers.get("x-cache-status"), "MISS");
  assert.equal(second.res.headers.get("x-cache-status"), "HIT");
  assert.deepEqual(second.bytes, first.bytes);
  const etag = first.res.headers.get("etag");
  assert.match(etag ?? "", /^"[A-Za-z0-9_-]{22}"$/);
  assert.equal(second.res.headers.get("etag"), etag);
  assert.equal(second.res.headers.get("cache-control"), "public, max-age=3600, s-maxage=600");
  assertSamplePattern(await decodePixels(second.bytes), 512, 512);

  const revalidated = await get(base, "/image.png", { "if-none-match": etag! });
  assert.equal(revalidated.res.status, 304);
  assert.equal(revalidated.bytes.byteLength, 0);
  assert.equal(revalidated.res.headers.get("etag"), etag);
}

async function checkNegotiation(base: string): Promise<void> {
  const cases: [string, "webp" | "png"][] = [
    ["image/webp", "webp"],
    ["*/*", "png"],
    ["image/avif,image/webp,*/*;q=0.8", "webp"],
    ["image/webp;q=0, */*", "png"],
  ];
  for (let round = 0; round < 3; round++) {
    for (const [accept, format] of cases) {
      const { res, bytes } = await get(base, "/image?width=20&height=10", { accept });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), `image/${format}`, accept);
      assert.equal(sniffImageFormat(bytes), format, accept);
      assert.equal(res.headers.get("vary"), "Accept");
      if (round > 0) assert.equal(res.headers.get("x-cache-status"), "HIT", accept);
      assertSamplePattern(await decodePixels(bytes), 20, 10, format === "webp" ? 8 : 0, 1);
    }
  }
}

async function checkRanges(base: string, large: Uint8Array): Promise<void> {
  for (const expected of ["MISS", "HIT"]) {
    const { res, bytes } = await get(base, "/files/large.bin", { range: "bytes=1000000-1000999" });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get("x-cache-status"), expected);
    assert.equal(res.headers.get("content-range"), `bytes 1000000-1000999/${LARGE_SIZE}`);
    assert.deepEqual(bytes, large.slice(1000000, 1001000));
  }
  const suffix = await get(base, "/files/large.bin", { range: "bytes=-100" });
  assert.equal(suffix.res.status, 206);
  assert.deepEqual(suffix.bytes, large.slice(LARGE_SIZE - 100));

  for (let round = 0; round < 2; round++) {
    const { res, bytes } = await get(base, "/files/large.bin", {
      range: "bytes=0-99,2000000-2000099,-50",
    });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get("x-cache-status"), "BYPASS");
    assert.deepEqual(byteranges(bytes, res.headers.get("content-type") ?? ""), [
      { range: `bytes 0-99/${LARGE_SIZE}`, bytes: large.slice(0, 100) },
      { range: `bytes 2000000-2000099/${LARGE_SIZE}`, bytes: large.slice(2000000, 2000100) },
      {
        range: `bytes ${LARGE_SIZE - 50}-${LARGE_SIZE - 1}/${LARGE_SIZE}`,
        bytes: large.slice(-50),
      },
    ]);
  }
  const whole = await get(base, "/files/large.bin");
  assert.equal(whole.res.status, 200);
  assert.equal(whole.res.headers.get("x-cache-status"), "HIT");
  assert.deepEqual(whole.bytes, large);
}

async function checkUpload(base: string): Promise<void> {
  const [height, width] = [820, 820];
  const data = new Uint8Array(height * width * 3).map((_, i) => (i * 31 + (i >> 11)) % 256);
  const npy = encodeNpy({ dtype: "uint8", shape: [height, width, 3], data });
  assert.ok(npy.byteLength > 2_000_000);
  const res = await fetch(`${base}/render.png`, {
    method: "POST",
    body: npy,
    headers: { ...IDENTITY, "content-type": "application/x-npy" },
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal(res.status, 200, new TextDecoder().decode(bytes.slice(0, 200)));
  assert.equal(res.headers.get("content-type"), "image/png");
  const pixels = await decodePixels(bytes);
  assert.equal(pixels.width, width);
  assert.equal(pixels.height, height);
  for (let i = 0; i < width * height; i++) {
    const rgb = [pixels.rgba[i * 4], pixels.rgba[i * 4 + 1], pixels.rgba[i * 4 + 2]];
    if (rgb.some((v, c) => v !== data[i * 3 + c])) assert.fail(`pixel ${i} differs`);
  }

  const tooLarge = await fetch(`${base}/render.png`, {
    method: "POST",
    body: new Uint8Array(3_000_001),
    headers: { "content-type": "application/octet-stream" },
  });
  assert.equal(tooLarge.status, 413);
  assert.deepEqual(await tooLarge.json(), {
    error: "payload_too_large",
    detail: "the body is larger than MAX_BODY_BYTES (3000000 bytes)",
  });
}

async function checkForwardedFor(cluster: RunningCluster): Promise<void> {
  const res = await fetch(`${cluster.base}/nowhere-xff`, {
    headers: { "x-forwarded-for": "203.0.113.7" },
  });
  assert.equal(res.status, 404);
  assert.equal((await res.json()).error, "not_found");
  // nginx appends the address it saw; pixserve logs that one, never the client's own claim.
  const line = await cluster.stdout.next((l) => l.includes(`"path":"/nowhere-xff"`));
  assert.equal(JSON.parse(line).client, "127.0.0.1");
  assert.equal(JSON.parse(line).status, 404);
}

async function checkFailover(
  cluster: RunningCluster,
  victim: number,
  victimPort: number,
  cacheDir: string,
): Promise<void> {
  let killed = false;
  let afterKill = 0;
  const warmedUp = Promise.withResolvers<void>();
  const enough = Promise.withResolvers<void>();
  let before = 0;
  const inFlightFailures: string[] = [];
  const load = loadUntil(3, enough.promise, async (_, n) => {
    const late = killed;
    try {
      await missOrUpload(cluster.base, n);
    } catch (err) {
      if (late) throw err;
      inFlightFailures.push(String(err));
      return;
    }
    if (!late && ++before === 10) warmedUp.resolve();
    if (late && ++afterKill === 45) enough.resolve();
  });
  await warmedUp.promise;
  Deno.kill(victim, "SIGKILL");
  killed = true;
  await cluster.stderr.next((l) => l.includes("exited with signal SIGKILL"));
  const report = await load;
  assert.deepEqual(report.failures, [], "every request after the kill succeeds");
  assert.ok(afterKill >= 45);
  // Requests did go to the dead instance, and nginx passed them on to the other.
  const errors = await Deno.readTextFile(`${cacheDir}/logs/error.log`);
  assert.match(
    errors,
    new RegExp(`Connection refused.* upstream: "http://127\\.0\\.0\\.1:${victimPort}/`),
  );
  // A request in flight on the killed instance is retried, or fails: it never gets wrong bytes.
  assert.ok(
    inFlightFailures.every((f) => /fetch|connection|error sending/i.test(f)),
    `${inFlightFailures}`,
  );
}

async function checkRollingRestart(cluster: RunningCluster, launcher: number): Promise<void> {
  const before = new Set((await instancesSeen(cluster.base, 1)).keys());
  const done = cluster.stderr.next((l) => l === "pixserve cluster: rolling restart done");
  const report = loadUntil(3, done, async (_, n) => await missOrUpload(cluster.base, n));
  Deno.kill(launcher, "SIGHUP");
  const { ok, failures } = await report;
  assert.deepEqual(failures, [], "zero failed requests during the rolling restart");
  assert.ok(ok > 0);
  const after = await instancesSeen(cluster.base, 2);
  for (const pid of after.keys()) assert.ok(!before.has(pid), "every instance is new");
}

async function checkCacheRemoved(base: string, cacheDir: string): Promise<void> {
  const cached = await get(base, "/image.png");
  assert.equal(cached.res.headers.get("x-cache-status"), "HIT");
  await Deno.remove(`${cacheDir}/cache`, { recursive: true });
  for (const path of ["/image.png", "/image.png?width=77", "/files/large.bin"]) {
    const { res, bytes } = await get(base, path);
    assert.equal(res.status, 200, path);
    assert.notEqual(res.headers.get("x-cache-status"), "HIT", path);
    if (path === "/image.png") assert.deepEqual(bytes, cached.bytes);
  }
  // The launcher makes the folder again: the cache fills and hits once more.
  let status = "";
  for (let i = 0; i < 500 && status !== "HIT"; i++) {
    const { res, bytes } = await get(base, "/image.png?width=77");
    assert.equal(res.status, 200);
    assertSamplePattern(await decodePixels(bytes), 77, 512);
    status = res.headers.get("x-cache-status") ?? "";
  }
  assert.equal(status, "HIT");
}

Deno.test({
  name:
    "deno task cluster: nginx caches, negotiates, ranges, uploads, fails over, restarts and stops clean",
  async fn() {
    await ensureNginx(console.error);
    const media = await Deno.realPath(await Deno.makeTempDir({ prefix: "pixserve-media-" }));
    const cacheDir = await Deno.makeTempDir({ prefix: "pixserve-cluster-test-" });
    const large = largeFile();
    await Deno.writeFile(`${media}/large.bin`, large);
    let cluster: RunningCluster | undefined;
    try {
      cluster = await startCluster({
        INSTANCES: "2",
        MEDIA_ROOT: media,
        CACHE_DIR: cacheDir,
        CACHE_S_MAXAGE: "600",
        MAX_BODY_BYTES: "3000000",
        ENCODE_WORKERS: "1",
      });
      const { base } = cluster;
      const instances = await instancesSeen(base, 2);
      assert.deepEqual(new Set(instances.values()).size, 2, "each instance on its own port");

      await checkCaching(base);
      await checkNegotiation(base);
      await checkRanges(base, large);
      await checkUpload(base);
      await checkForwardedFor(cluster);

      const [victim] = instances.keys();
      const launcher = parentOf(victim);
      await checkFailover(cluster, victim, instances.get(victim)!, cacheDir);
      await checkRollingRestart(cluster, launcher);
      await checkCacheRemoved(base, cacheDir);

      const processes = descendants(cluster.child.pid);
      assert.ok(
        processes.length >= 6,
        `launcher, 2 instances, nginx and its workers: ${processes.length}`,
      );
      cluster.child.kill("SIGTERM");
      const status = await cluster.child.status;
      await Promise.all([cluster.stdout.ended, cluster.stderr.ended]);
      assert.equal(status.code, 0, cluster.stderr.lines.join("\n"));
      assert.deepEqual(processes.filter(alive), [], "nothing is left running");
    } finally {
      if (cluster !== undefined) {
        for (const process of descendants(cluster.child.pid)) Deno.kill(process.pid, "SIGKILL");
        try {
          cluster.child.kill("SIGKILL");
        } catch {
          // it has exited
        }
        await cluster.child.status;
        await Promise.all([cluster.stdout.ended, cluster.stderr.ended]);
      }
      await Deno.remove(media, { recursive: true });
      await Deno.remove(cacheDir, { recursive: true });
    }
  },
});
