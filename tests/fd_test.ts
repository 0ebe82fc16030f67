import assert from "node:assert/strict";
import { serverArgs } from "../lib/launch.ts";
import { PROJECT_DIR, testConfig } from "./_server.ts";
import { type SpawnedServer, spawnServer } from "./_spawn.ts";

const LARGE = 32 * 1024 * 1024;
const DOWNLOADS = 200;

/** Writes `size` bytes of a repeating pattern, 1 MiB at a time. */
async function writeLarge(path: string, size: number): Promise<void> {
  const block = Uint8Array.from({ length: 1024 * 1024 }, (_, i) => (i * 31) % 256);
  using file = await Deno.open(path, { write: true, create: true });
  for (let written = 0; written < size; written += block.byteLength) {
    await file.write(block);
  }
}

/** Open descriptors of a process, and how many of them are files under `root`. */
function openFds(pid: number, root: string): { total: number; media: number } {
  let total = 0;
  let media = 0;
  for (const entry of Deno.readDirSync(`/proc/${pid}/fd`)) {
    total++;
    try {
      if (Deno.readLinkSync(`/proc/${pid}/fd/${entry.name}`).startsWith(`${root}/`)) media++;
    } catch {
      // the descriptor closed between the listing and the read: not open any more
    }
  }
  return { total, media };
}

/** Starts a download, reads its first chunk, then aborts it. */
async function abortAfterFirstChunk(
  client: Deno.HttpClient,
  url: string,
  headers: Record<string, string>,
): Promise<void> {
  const controller = new AbortController();
  const res = await fetch(url, { client, headers, signal: controller.signal });
  assert.ok(res.status === 200 || res.status === 206, `${url}: ${res.status}`);
  const reader = res.body!.getReader();
  const first = await reader.read();
  assert.ok(first.value !== undefined && first.value.byteLength > 0);
  controller.abort();
  await reader.cancel().catch(() => {});
}

const ABORTED: [string, Record<string, string>][] = [
  ["/files/large.bin", {}],
  ["/files/large.bin", { range: "bytes=1000-30000000" }],
  ["/files/large.bin", { range: "bytes=4096-" }],
  ["/files/large.bin", { range: "bytes=0-999999,2000000-30000000" }],
  ["/stream/large.bin", {}],
  ["/stream/large.bin?chunk=1048576", {}],
  ["/files/large.bin?download", { "if-range": "Mon, 01 Jan 2024 00:00:00 GMT", range: "bytes=9-" }],
  ["/stream/large.bin?chunk=4096", {}],
];

Deno.test({
  name:
    `the spawned server (narrow permissions) closes every file after ${DOWNLOADS} aborted downloads`,
  async fn() {
    const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "pixserve-fd-" }));
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    let server: SpawnedServer | undefined;
    let status: Deno.CommandStatus | undefined;
    try {
      await writeLarge(`${root}/large.bin`, LARGE);
      await Deno.copyFile(`${PROJECT_DIR}/fixtures/sample.png`, `${root}/sample.png`);
      const config = await testConfig({ mediaRoot: root });
      server = await spawnServer(serverArgs(config, ["--port", "0", "--quiet"], PROJECT_DIR));
      const { child, line, base } = server;
      assert.ok(base !== undefined, line);
      const get = async (path: string, init: RequestInit = {}) => {
        const res = await fetch(`${base}${path}`, { client, ...init });
        await res.arrayBuffer();
        return res;
      };

      const whole = await get("/files/large.bin");
      assert.equal(whole.headers.get("content-length"), String(LARGE));
      assert.equal((await get("/images/sample.png")).status, 200);
      assert.equal((await get("/files/sample.png")).status, 200);
      assert.equal((await get("/health")).status, 200);
      const baseline = openFds(child.pid, root);
      assert.equal(baseline.media, 0);

      for (let i = 0; i < DOWNLOADS; i += ABORTED.length) {
        await Promise.all(
          ABORTED.map(([path, headers]) => abortAfterFirstChunk(client, `${base}${path}`, headers)),
        );
      }
      const etag = whole.headers.get("etag")!;
      const statuses = [
        (await get("/files/large.bin", { method: "HEAD" })).status,
        (await get("/files/large.bin", { headers: { "if-none-match": etag } })).status,
        (await get("/files/large.bin", { headers: { "if-match": etag } })).status,
        (await get("/files/large.bin", { headers: { range: `bytes=${LARGE}-` } })).status,
        (await get("/files/large.bin", { headers: { range: "bytes=0-9" } })).status,
        (await get("/stream/large.bin", { method: "HEAD" })).status,
        (await get("/files/missing.bin")).status,
      ];
      assert.deepEqual(statuses, [200, 304, 412, 416, 206, 200, 404]);

      let now = openFds(child.pid, root);
      for (let poll = 0; poll < 200 && (now.total > baseline.total || now.media > 0); poll++) {
        assert.equal((await get("/health")).status, 200);
        now = openFds(child.pid, root);
      }
      assert.equal(now.media, 0, "files under the media root still open");
      assert.ok(now.total <= baseline.total, `fds ${now.total} > baseline ${baseline.total}`);
    } finally {
      client.close();
      status = await server?.close("SIGTERM");
      await Deno.remove(root, { recursive: true });
    }
    assert.equal(status?.code, 0, "the server did not exit 0 on SIGTERM");
  },
});
