import assert from "node:assert/strict";
import { withServer } from "./_server.ts";
import { readJsonAnswer } from "./_raw_http.ts";

/** Starts an upload that declares 1000 bytes and sends 10: its request stays open. */
async function stalledUpload(port: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const head = "POST /render.png HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-npy\r\n" +
    "content-length: 1000\r\n\r\n";
  await conn.write(new TextEncoder().encode(head));
  await conn.write(new Uint8Array(10));
  return conn;
}

/** Sends a GET on a connection of its own and reads the answer's head and JSON body. */
async function rawGet(port: number, path: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`));
    return await readJsonAnswer(conn);
  } finally {
    conn.close();
  }
}

/** The value of one sample of `/metrics`. */
async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  assert.ok(line !== undefined, `${name} is not in /metrics`);
  return Number(line.slice(name.length + 1));
}

Deno.test("MAX_CONNECTIONS sheds requests past the cap with 503 server_busy, then serves again", async () => {
  await withServer(async ({ base }) => {
    const port = Number(new URL(base).port);
    const cached = await fetch(`${base}/image.png?width=8&height=8`);
    assert.equal(cached.status, 200);
    const png = new Uint8Array(await cached.arrayBuffer());
    const held = [await stalledUpload(port), await stalledUpload(port)];
    try {
      const shed = await rawGet(port, "/health");
      const [head, body] = shed.split("\r\n\r\n");
      assert.match(head, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
      assert.match(head, /\r\nretry-after: 1\r\n/i);
      assert.equal(head.match(/\r\nconnection: close/gi)?.length, 1, head);
      assert.deepEqual(JSON.parse(body), {
        error: "server_busy",
        detail: "2 requests are being answered, MAX_CONNECTIONS is 2; retry in 1 s",
      });
      // A refused upload leaves its body unread: the runtime closes the connection and says
      // so itself, and the answer carries the header once.
      const upload = await stalledUpload(port);
      try {
        const [shedHead, shedBody] = (await readJsonAnswer(upload)).split("\r\n\r\n");
        assert.match(shedHead, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
        assert.equal(shedHead.match(/\r\nconnection: close/gi)?.length, 1, shedHead);
        assert.equal(JSON.parse(shedBody).error, "server_busy");
      } finally {
        upload.close();
      }
      const memoized = await fetch(`${base}/image.png?width=8&height=8`);
      assert.equal(memoized.status, 503);
      assert.equal((await memoized.json()).error, "server_busy");
    } finally {
      for (const conn of held) conn.close();
    }
    let res = await fetch(`${base}/image.png?width=8&height=8`);
    for (const deadline = Date.now() + 10_000; res.status === 503 && Date.now() < deadline;) {
      await res.body?.cancel();
      res = await fetch(`${base}/image.png?width=8&height=8`);
    }
    assert.equal(res.status, 200);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), png);
    assert.equal(await metric(base, "pixserve_requests_shed_total"), 3);
  }, { maxConnections: 2 });
});

Deno.test("MAX_CONNECTIONS counts a download until its body is sent or abandoned", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${root}/big.bin`, new Uint8Array(0));
    await Deno.truncate(`${root}/big.bin`, 256 * 1024 * 1024);
    await withServer(async ({ base }) => {
      const download = await fetch(`${base}/files/big.bin`);
      assert.equal(download.status, 200);
      const reader = download.body!.getReader();
      await reader.read();
      const busy = await fetch(`${base}/health`);
      assert.equal(busy.status, 503);
      assert.equal((await busy.json()).error, "server_busy");
      await reader.cancel();
      let res = await fetch(`${base}/health`);
      for (const deadline = Date.now() + 10_000; res.status === 503 && Date.now() < deadline;) {
        await res.body?.cancel();
        res = await fetch(`${base}/health`);
      }
      assert.equal(res.status, 200);
      assert.equal((await res.json()).status, "ok");
    }, { maxConnections: 1, mediaRoot: root });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
