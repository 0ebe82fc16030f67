import assert from "node:assert/strict";
import { serverArgs } from "../lib/launch.ts";
import { assertPortFree, PortInUse } from "../lib/port_guard.ts";
import { PROJECT_DIR, testConfig } from "./_server.ts";
import { type SpawnedServer, spawnServer } from "./_spawn.ts";

Deno.test("assertPortFree() throws PortInUse for a held port and passes a free one", () => {
  const held = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    assert.throws(
      () => assertPortFree("127.0.0.1", held.addr.port),
      new PortInUse("127.0.0.1", held.addr.port),
    );
  } finally {
    held.close();
  }
  assertPortFree("127.0.0.1", 0);
});

Deno.test("a second pixserve with its own media root refuses the port the first shares among its isolates", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "pixserve-port-" }));
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  let first: SpawnedServer | undefined;
  try {
    const config = await testConfig({ workers: 2 });
    first = await spawnServer(
      serverArgs(config, ["--port", "0", "--quiet", "--workers", "2"], PROJECT_DIR),
    );
    const { base, child } = first;
    assert.ok(base !== undefined, first.line);
    const port = Number(new URL(base).port);
    const second = await new Deno.Command(Deno.execPath(), {
      args: serverArgs(
        { ...config, mediaRoot: root },
        ["--port", String(port), "--quiet", "--workers", "2"],
        PROJECT_DIR,
      ),
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    assert.equal(second.code, 1);
    assert.equal(new TextDecoder().decode(second.stdout), "");
    assert.equal(
      new TextDecoder().decode(second.stderr),
      `pixserve: port ${port} on 127.0.0.1 is already in use (by another pixserve instance ` +
        `or another program); stop it or pick another PORT\n`,
    );
    for (let i = 0; i < 8; i++) {
      const res: Response = await fetch(`${base}/health`, { client });
      assert.deepEqual(await res.json(), {
        status: "ok",
        version: "0.1.0",
        pid: child.pid,
        port,
      });
    }
  } finally {
    await first?.close();
    client.close();
    await Deno.remove(root, { recursive: true });
  }
});
