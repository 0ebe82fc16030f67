import assert from "node:assert/strict";
import { listDir, runClient, withTempDir, withTinyServer } from "./_client.ts";

const SIZE = 300_000;

function content(version: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(SIZE).map((_, i) => (i * 7 + version) % 256);
}

/** How the tiny file server behaves. */
interface FileServerState {
  /** The file served. */
  bytes: Uint8Array<ArrayBuffer>;
  /** Its strong ETag; empty: none sent. */
  etag: string;
  /** Answer range requests with this Content-Range instead of the true one. */
  lie?: (start: number) => { range: string; from: number };
  /** Request headers seen, per request. */
  seen: { method: string; range: string | null; ifRange: string | null }[];
}

/** A file server with a strong ETag, `Range: bytes=a-` and `If-Range`, as RFC 9110 says. */
function fileServer(state: FileServerState): Deno.ServeHandler {
  return (request) => {
    const range = request.headers.get("range");
    const ifRange = request.headers.get("if-range");
    state.seen.push({ method: request.method, range, ifRange });
    const headers = {
      ...(state.etag === "" ? {} : { etag: state.etag }),
      "accept-ranges": "bytes",
      "content-type": "application/octet-stream",
      "content-disposition": `attachment; filename="big.bin"`,
    };
    const size = state.bytes.byteLength;
    const start = Number(/^bytes=(\d+)-$/.exec(range ?? "")?.[1] ?? NaN);
    const honour = Number.isInteger(start) && (ifRange === null || ifRange === state.etag);
    if (honour && start >= size) {
      return new Response(null, {
        status: 416,
        headers: { ...headers, "content-range": `bytes */${size}` },
      });
    }
    if (honour) {
      const told = state.lie?.(start) ??
        { range: `bytes ${start}-${size - 1}/${size}`, from: start };
      return new Response(request.method === "HEAD" ? null : state.bytes.slice(told.from), {
        status: 206,
        headers: { ...headers, "content-range": told.range },
      });
    }
    if (request.method === "HEAD") {
      return new Response(null, { headers: { ...headers, "content-length": String(size) } });
    }
    return new Response(state.bytes, { headers: { ...headers, "content-length": String(size) } });
  };
}

/**
 * A raw TCP server that answers one request with the headers of the whole file
 * and its first `cut` bytes, then closes the connection.
 */
async function withCuttingServer(
  state: FileServerState,
  cut: number,
  fn: (base: string) => Promise<void>,
): Promise<void> {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const served = (async () => {
    const conn = await listener.accept();
    const buffer = new Uint8Array(4096);
    let head = "";
    while (!head.includes("\r\n\r\n")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      head += new TextDecoder().decode(buffer.subarray(0, n));
    }
    const headers = [
      "HTTP/1.1 200 OK",
      `content-length: ${state.bytes.byteLength}`,
      "content-type: application/octet-stream",
      `content-disposition: attachment; filename="big.bin"`,
      `etag: ${state.etag}`,
      "",
      "",
    ].join("\r\n");
    await conn.write(new TextEncoder().encode(headers));
    let sent = 0;
    while (sent < cut) sent += await conn.write(state.bytes.subarray(sent, cut));
    conn.close();
  })();
  try {
    await fn(`http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`);
  } finally {
    listener.close();
    await served.catch((err) => {
      if (!(err instanceof Deno.errors.BadResource)) throw err;
    });
  }
}

function newState(version = 1): FileServerState {
  return { bytes: content(version), etag: `"v${version}"`, seen: [] };
}

Deno.test("fetch -C completes a download cut off midway, with the validator kept beside it", async () => {
  const state = newState();
  await withTempDir(async (dir) => {
    await withCuttingServer(state, 120_000, async (base) => {
      const cut = await runClient(dir, `${base}/big.bin`);
      assert.equal(cut.code, 1);
      assert.match(
        cut.stderr,
        /^fetch: the download stopped after 120000 bytes: .*; run again with -C to resume\n$/,
      );
      assert.deepEqual(await listDir(dir), ["big.bin", "big.bin.resume"]);
      assert.equal((await Deno.stat(`${dir}/big.bin`)).size, 120_000);
      assert.equal(await Deno.readTextFile(`${dir}/big.bin.resume`), `"v1"\n`);
    });
    await withTinyServer(fileServer(state), async (base) => {
      const resumed = await runClient(dir, `${base}/big.bin`, "-C");
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(
        resumed.stdout,
        [
          "status: 206 Partial Content",
          "content-type: application/octet-stream",
          `content-range: bytes 120000-${SIZE - 1}/${SIZE}`,
          `size: ${SIZE} bytes (293.0 KiB)`,
          "saved: big.bin",
          "",
        ].join("\n"),
      );
      assert.deepEqual(state.seen.at(-1), {
        method: "GET",
        range: "bytes=120000-",
        ifRange: `"v1"`,
      });
      assert.deepEqual(await Deno.readFile(`${dir}/big.bin`), state.bytes);
      assert.deepEqual(await listDir(dir), ["big.bin"]);
    });
  });
});

Deno.test("fetch -C fetches the file whole when it changed since the partial download", async () => {
  const state = newState(2);
  await withTinyServer(fileServer(state), async (base) => {
    await withTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/big.bin`, content(1).subarray(0, 5000));
      await Deno.writeTextFile(`${dir}/big.bin.resume`, `"v1"\n`);
      const run = await runClient(dir, `${base}/big.bin`, "-C");
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^status: 200 OK\n/);
      assert.match(run.stdout, /^note: the file changed on the server .*; fetching it whole$/m);
      assert.deepEqual(state.seen.at(-1), { method: "GET", range: "bytes=5000-", ifRange: `"v1"` });
      assert.deepEqual(await Deno.readFile(`${dir}/big.bin`), state.bytes);
      assert.deepEqual(await listDir(dir), ["big.bin"]);
    });
  });
});

Deno.test("fetch -C without a kept validator uses the ETag of a HEAD request", async () => {
  const state = newState();
  await withTinyServer(fileServer(state), async (base) => {
    await withTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/big.bin`, state.bytes.subarray(0, 777));
      const run = await runClient(dir, `${base}/big.bin`, "-C");
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(state.seen, [
        { method: "HEAD", range: null, ifRange: null },
        { method: "GET", range: "bytes=777-", ifRange: `"v1"` },
      ]);
      assert.deepEqual(await Deno.readFile(`${dir}/big.bin`), state.bytes);
    });
  });
});

Deno.test("fetch -C without any validator fetches the file whole", async () => {
  const state = { ...newState(), etag: "" };
  await withTinyServer(fileServer(state), async (base) => {
    await withTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(1000));
      const run = await runClient(dir, `${base}/big.bin`, "-C");
      assert.equal(run.code, 0, run.stderr);
      assert.equal(
        run.stderr,
        "fetch: no ETag or Last-Modified to check the partial file against; fetching it whole\n",
      );
      assert.deepEqual(state.seen.at(-1), { method: "GET", range: null, ifRange: null });
      assert.deepEqual(await Deno.readFile(`${dir}/big.bin`), state.bytes);
    });
  });
});

Deno.test("fetch -C with no partial file downloads it whole", async () => {
  const state = newState();
  await withTinyServer(fileServer(state), async (base) => {
    await withTempDir(async (dir) => {
      const run = await runClient(dir, `${base}/big.bin`, "-C", "-o", "copy.bin");
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(state.seen.at(-1), { method: "GET", range: null, ifRange: null });
      assert.deepEqual(await Deno.readFile(`${dir}/copy.bin`), state.bytes);
      assert.deepEqual(await listDir(dir), ["copy.bin"]);
    });
  });
});

Deno.test("fetch -C on a complete file reports it complete (416) and exits 0", async () => {
  const state = newState();
  await withTinyServer(fileServer(state), async (base) => {
    await withTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/big.bin`, state.bytes);
      const run = await runClient(dir, `${base}/big.bin`, "-C");
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^note: big\.bin is already complete$/m);
      assert.deepEqual(await Deno.readFile(`${dir}/big.bin`), state.bytes);
    });
  });
});

Deno.test("fetch -C exits 1 when the resumed file's size is not the announced total", async () => {
  const state = {
    ...newState(),
    lie: (start: number) => ({ range: `bytes ${start}-${SIZE - 1}/${SIZE + 10}`, from: start }),
  };
  await withTinyServer(fileServer(state), async (base) => {
    await withTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/big.bin`, state.bytes.subarray(0, 1000));
      const run = await runClient(dir, `${base}/big.bin`, "-C");
      assert.equal(run.code, 1);
      assert.equal(
        run.stderr,
        `fetch: size mismatch: big.bin has ${SIZE} bytes, the server announced ${SIZE + 10}\n`,
      );
    });
  });
});

Deno.test("fetch -C exits 1 when the server resumes at another byte", async () => {
  const state = {
    ...newState(),
    lie: () => ({ range: `bytes 0-${SIZE - 1}/${SIZE}`, from: 0 }),
  };
  await withTinyServer(fileServer(state), async (base) => {
    await withTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/big.bin`, state.bytes.subarray(0, 1000));
      const run = await runClient(dir, `${base}/big.bin`, "-C");
      assert.equal(run.code, 1);
      assert.equal(run.stderr, "fetch: the server did not resume at byte 1000; big.bin kept\n");
      assert.equal((await Deno.stat(`${dir}/big.bin`)).size, 1000);
    });
  });
});
