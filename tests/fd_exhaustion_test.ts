import assert from "node:assert/strict";
import { PROJECT_DIR } from "./_server.ts";

/** Lines of a process's output, read one at a time. */
function lines(stream: ReadableStream<Uint8Array>): () => Promise<string | undefined> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return async () => {
    while (!buffer.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) return undefined;
      buffer += value;
    }
    const end = buffer.indexOf("\n");
    const line = buffer.slice(0, end);
    buffer = buffer.slice(end + 1);
    return line;
  };
}

/** Starts `sh -c script` running pixserve, and reads its listening line. */
async function startUnderShell(script: string) {
  const child = new Deno.Command("sh", {
    args: ["-c", script, Deno.execPath()],
    cwd: PROJECT_DIR,
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = lines(child.stdout);
  const stderr = lines(child.stderr);
  const first = await stdout();
  const port = /127\.0\.0\.1:(\d+)\//.exec(first ?? "")?.[1];
  assert.ok(port !== undefined, first);
  return { child, port: Number(port), stdout, stderr };
}

/** Opens up to `count` idle TCP connections; returns those that opened. */
async function openIdle(port: number, count: number): Promise<Deno.TcpConn[]> {
  const conns: Deno.TcpConn[] = [];
  for (let i = 0; i < count; i++) {
    try {
      conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    } catch {
      break;
    }
  }
  return conns;
}

/** GET /health with a fresh connection: its status and body, or the error's name. */
async function health(port: number): Promise<string> {
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { client });
    return `${res.status} ${(await res.json()).status}`;
  } catch (err) {
    return (err as Error).name;
  } finally {
    client.close();
  }
}

/**
 * One decode and one render, so that the decode and encode workers have started (a worker
 * starting while descriptors are short could not).
 */
async function warmUp(port: number): Promise<void> {
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  try {
    const png = await Deno.readFile(`${PROJECT_DIR}/fixtures/sample.png`);
    const answers = await Promise.all([
      fetch(`http://127.0.0.1:${port}/decode.npy`, {
        method: "POST",
        body: png,
        headers: { "content-type": "image/png" },
        client,
      }),
      fetch(`http://127.0.0.1:${port}/image.png?width=64&height=48`, { client }),
    ]);
    for (const res of answers) {
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
  } finally {
    client.close();
  }
}

/** Sends a GET on every connection and counts the 200 answers. */
async function answeredOn(conns: readonly Deno.TcpConn[]): Promise<number> {
  const request = new TextEncoder().encode("GET /health HTTP/1.1\r\nhost: x\r\n\r\n");
  const answers = await Promise.all(conns.map(async (conn) => {
    try {
      await conn.write(request);
      const buf = new Uint8Array(64);
      const n = await conn.read(buf);
      return new TextDecoder().decode(buf.subarray(0, n ?? 0)).startsWith("HTTP/1.1 200");
    } catch {
      return false;
    }
  }));
  return answers.filter(Boolean).length;
}

Deno.test("the server survives running out of file descriptors and serves again", async () => {
  const server = await startUnderShell(
    `ulimit -n 256 && exec "$0" run --allow-all main.ts --port 0 --workers 1 --quiet`,
  );
  try {
    await warmUp(server.port);
    const conns = await openIdle(server.port, 400);
    const failure = await server.stderr();
    assert.match(failure ?? "", /^pixserve: accepting connections failed \(.*Too many open files/);
    for (const conn of conns) conn.close();
    const said = [failure];
    let answer = await health(server.port);
    while (answer !== "200 ok") {
      const line = await server.stderr();
      assert.ok(line !== undefined, `the server exited; last answer ${answer}; it said ${said}`);
      said.push(line);
      answer = await health(server.port);
    }
    assert.equal(answer, "200 ok");
  } finally {
    server.child.kill("SIGKILL");
    await server.child.status;
    await server.child.stdout.cancel().catch(() => {});
    await server.child.stderr.cancel().catch(() => {});
  }
});

Deno.test("deno task start serves past a soft limit of open files (Deno raises it to the hard limit)", async () => {
  const server = await startUnderShell(
    `ulimit -S -n 160 && exec "$0" run --allow-read --allow-env --allow-run lib/launch.ts ` +
      "--port 0 --workers 1 --quiet",
  );
  try {
    const conns = await openIdle(server.port, 400);
    assert.equal(conns.length, 400);
    assert.equal(await answeredOn(conns), 400);
    for (const conn of conns) conn.close();
  } finally {
    server.child.kill("SIGKILL");
    await server.child.status;
    await server.child.stdout.cancel().catch(() => {});
    await server.child.stderr.cancel().catch(() => {});
  }
});
