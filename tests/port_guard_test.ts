import assert from "node:assert/strict";
import { serverArgs } from "../lib/launch.ts";
import { assertPortFree, PortInUse } from "../lib/port_guard.ts";
import { PROJECT_DIR, testConfig } from "./_server.ts";
import { type SpawnedServer, spawnServer } from "./_spawn.ts";

/** The text of a stream up to its first newline (or its end); the rest is cancelled. */
async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel();
  return text.split("\n")[0];
}

function killIfRunning(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGKILL");
  } catch {
    // it has exited: the test reads its status
  }
}

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
    const [run, ...rest] = serverArgs(
      config,
      ["--port", "0", "--quiet", "--workers", "2"],
      PROJECT_DIR,
    );
    first = await spawnServer([run, "--node-modules-dir=manual", ...rest]);
    const { base, child } = first;
    assert.ok(base !== undefined, first.line);
    const port = Number(new URL(base).port);
    const second = new Deno.Command(Deno.execPath(), {
      args: [
        run,
        "--node-modules-dir=manual",
        ...serverArgs(
          { ...config, mediaRoot: root },
          ["--port", String(port), "--quiet", "--workers", "2"],
          PROJECT_DIR,
        ).slice(1),
      ],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Its first line: empty when it exits, the listening line (a failure) when it serves.
    const line = await firstLine(second.stdout);
    if (line !== "") killIfRunning(second);
    const stderr = await new Response(second.stderr).text();
    assert.equal(line, "", "the second server must not listen");
    assert.equal((await second.status).code, 1);
    assert.equal(
      stderr,
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
