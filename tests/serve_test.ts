import assert from "node:assert/strict";
import { serverArgs } from "../lib/launch.ts";
import { assertSamplePattern, decodePixels } from "./_pixels.ts";
import { PROJECT_DIR, testConfig } from "./_server.ts";
import { type SpawnedServer, spawnServer } from "./_spawn.ts";

const LARGE = 8 * 1024 * 1024;

Deno.test({
  name: "main.ts --workers 2 serves on one port and stops gracefully on SIGTERM",
  async fn() {
    const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "pixserve-serve-" }));
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    let server: SpawnedServer | undefined;
    try {
      await Deno.writeFile(`${root}/large.bin`, new Uint8Array(LARGE).fill(7));
      const config = await testConfig({ mediaRoot: root, workers: 2 });
      server = await spawnServer(
        serverArgs(config, ["--port", "0", "--quiet", "--workers", "2"], PROJECT_DIR),
      );
      const { child, line } = server;
      const match =
        /^pixserve listening on http:\/\/127\.0\.0\.1:(\d+)\/ \(.*, 2 isolates × 2 encode workers\)$/
          .exec(line);
      assert.ok(match !== null, line);
      const base = `http://127.0.0.1:${match[1]}`;

      const statuses = await Promise.all(
        Array.from({ length: 16 }, async (_, i) => {
          const res = await fetch(`${base}/image.png?width=${40 + i}&height=30`, { client });
          assertSamplePattern(
            await decodePixels(new Uint8Array(await res.arrayBuffer())),
            40 + i,
            30,
          );
          return res.status;
        }),
      );
      assert.deepEqual(statuses, new Array(16).fill(200));

      const streaming = await fetch(`${base}/stream/large.bin?chunk=65536`, { client });
      assert.equal(streaming.status, 200);
      child.kill("SIGTERM");
      assert.equal((await streaming.arrayBuffer()).byteLength, LARGE);
      const status = await child.status;
      assert.equal(status.code, 0);
      await assert.rejects(fetch(`${base}/health`, { client }));
    } finally {
      await server?.close();
      client.close();
      await Deno.remove(root, { recursive: true });
    }
  },
});
