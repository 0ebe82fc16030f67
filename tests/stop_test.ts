import assert from "node:assert/strict";
import { PROJECT_DIR } from "./_server.ts";

const SIZE = 256 * 1024 * 1024;

/** A process tree started for a server: its root process, address, and the end of its output. */
interface Chain {
  readonly child: Deno.ChildProcess;
  readonly base: string;
  /** Resolves when every process holding the shared standard output has exited. */
  readonly ended: Promise<void>;
}

/** Starts `command args` in the project folder and reads pixserve's listening line. */
async function startChain(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Chain> {
  const child = new Deno.Command(command, {
    args,
    cwd: PROJECT_DIR,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const port = /^pixserve listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(text)?.[1];
  assert.ok(port !== undefined, text);
  const ended = (async () => {
    while (!(await reader.read()).done) continue;
  })();
  return { child, base: `http://127.0.0.1:${port}`, ended };
}

/** A media root holding one sparse file of {@linkcode SIZE} zero bytes. */
async function bigMedia(): Promise<string> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "pixserve-stop-" }));
  await Deno.writeFile(`${root}/big.bin`, new Uint8Array(0));
  await Deno.truncate(`${root}/big.bin`, SIZE);
  return root;
}

/** Starts downloading big.bin and returns its reader after the first chunk. */
async function startDownload(
  base: string,
  client: Deno.HttpClient,
): Promise<{ reader: ReadableStreamDefaultReader<Uint8Array>; first: number }> {
  const res = await fetch(`${base}/files/big.bin`, { client });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-length"), String(SIZE));
  const reader = res.body!.getReader();
  const { value } = await reader.read();
  return { reader, first: value?.length ?? 0 };
}

/** Reads the rest of a body; the total, or the count when the connection was cut. */
async function readRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<number> {
  let total = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return total;
      total += value.length;
    }
  } catch {
    return total;
  }
}

/** Whether a TCP connection to the server's port is refused. */
async function refused(base: string): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(base).port) });
    conn.close();
    return false;
  } catch (err) {
    return err instanceof Deno.errors.ConnectionRefused;
  }
}

/** Runs a stop scenario against a chain, removing the media root afterwards. */
async function withChain(
  start: (root: string) => Promise<Chain>,
  fn: (chain: Chain, client: Deno.HttpClient) => Promise<void>,
): Promise<void> {
  const root = await bigMedia();
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  let chain: Chain | undefined;
  try {
    chain = await start(root);
    await fn(chain, client);
  } finally {
    try {
      chain?.child.kill("SIGKILL");
    } catch {
      // it has exited, as the test expects
    }
    await chain?.child.status;
    await chain?.ended;
    client.close();
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("SIGTERM to npx of the README's start command drains the server and ends the chain", async () => {
  await withChain(
    (root) =>
      startChain("npx", ["--yes", "deno@2.9.6", "task", "start", "--port", "0", "--quiet"], {
        MEDIA_ROOT: root,
      }),
    async ({ child, base, ended }, client) => {
      const { reader, first } = await startDownload(base, client);
      child.kill("SIGTERM");
      assert.equal(first + await readRest(reader), SIZE);
      await ended;
      assert.ok(await refused(base));
    },
  );
});

Deno.test("SIGTERM to deno task start is passed on: the download in flight finishes, exit 0", async () => {
  await withChain(
    (root) =>
      startChain(Deno.execPath(), ["task", "start", "--port", "0", "--quiet"], {
        MEDIA_ROOT: root,
      }),
    async ({ child, base, ended }, client) => {
      const { reader, first } = await startDownload(base, client);
      child.kill("SIGTERM");
      assert.equal(first + await readRest(reader), SIZE);
      assert.equal((await child.status).code, 0);
      await ended;
      assert.ok(await refused(base));
    },
  );
});

Deno.test("a launcher killed outright still lets its server drain and exit", async () => {
  await withChain(
    (root) =>
      startChain(Deno.execPath(), [
        "run",
        "--allow-read",
        "--allow-env",
        "--allow-run",
        `${PROJECT_DIR}/lib/launch.ts`,
        "--port",
        "0",
        "--quiet",
        `--media-root=${root}`,
      ]),
    async ({ child, base, ended }, client) => {
      const { reader, first } = await startDownload(base, client);
      child.kill("SIGKILL");
      assert.equal(first + await readRest(reader), SIZE);
      await ended;
      assert.ok(await refused(base));
    },
  );
});

Deno.test("SHUTDOWN_GRACE_SECONDS cuts a stalled download and the server exits 0", async () => {
  await withChain(
    (root) =>
      startChain(Deno.execPath(), [
        "run",
        "--allow-all",
        `${PROJECT_DIR}/main.ts`,
        "--port",
        "0",
        "--quiet",
        "--workers",
        "1",
        `--media-root=${root}`,
      ], { SHUTDOWN_GRACE_SECONDS: "1" }),
    async ({ child, base }, client) => {
      const { reader, first } = await startDownload(base, client);
      child.kill("SIGTERM");
      assert.equal((await child.status).code, 0);
      assert.ok(first + await readRest(reader) < SIZE);
    },
  );
});
