import assert from "node:assert/strict";
import { withServer } from "./_server.ts";
import { readJsonAnswer } from "./_raw_http.ts";
import { WHOLE_READ_BYTES } from "../lib/body.ts";

/** Sends a request head and part of its body, then reads the answer (the body never ends). */
async function stalledUpload(
  port: number,
  path: string,
  type: string,
  declared: number,
  sent: Uint8Array,
) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const head = `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: ${type}\r\n` +
      `content-length: ${declared}\r\naccept-encoding: identity\r\n\r\n`;
    await conn.write(new TextEncoder().encode(head));
    await conn.write(sent);
    return await readJsonAnswer(conn);
  } finally {
    conn.close();
  }
}

/** Sockets open in this process (the test server's and its clients'). */
function openSockets(): number {
  let sockets = 0;
  for (const entry of Deno.readDirSync("/proc/self/fd")) {
    try {
      if (Deno.readLinkSync(`/proc/self/fd/${entry.name}`).startsWith("socket:")) sockets++;
    } catch {
      // closed while listed
    }
  }
  return sockets;
}

const STALLS = [
  [1000, "did not arrive whole within"],
  [WHOLE_READ_BYTES + 1, "sent nothing for"],
] as const;

for (const [path, type] of [["/render.png", "application/x-npy"], ["/decode.npy", "image/png"]]) {
  for (const [declared, what] of STALLS) {
    Deno.test(`POST ${path} answers 408 body_timeout when a body of ${declared} bytes stops for BODY_TIMEOUT_SECONDS`, async () => {
      await withServer(async ({ base }) => {
        const port = Number(new URL(base).port);
        const text = await stalledUpload(port, path, type, declared, new Uint8Array(10));
        const [head, body] = text.split("\r\n\r\n");
        assert.match(head, /^HTTP\/1\.1 408 Request Timeout\r\n/, body);
        assert.equal(head.match(/\r\nconnection: close/gi)?.length, 1, head);
        assert.match(head, /\r\ncontent-type: application\/json/i);
        assert.deepEqual(JSON.parse(body), {
          error: "body_timeout",
          detail: `the request body ${what} BODY_TIMEOUT_SECONDS (1 s)`,
        });
      }, { bodyTimeoutSeconds: 1 });
    });
  }
}

Deno.test("POST /render.png lets the connection of a timed-out body go once the client leaves", async () => {
  await withServer(async ({ base }) => {
    const port = Number(new URL(base).port);
    const before = openSockets();
    for (const [declared] of STALLS) {
      const text = await stalledUpload(
        port,
        "/render.png",
        "application/x-npy",
        declared,
        new Uint8Array(10),
      );
      assert.match(text, /^HTTP\/1\.1 408 /);
    }
    const deadline = Date.now() + 10_000;
    while (openSockets() > before) {
      assert.ok(Date.now() < deadline, `${openSockets() - before} sockets still open`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }, { bodyTimeoutSeconds: 1 });
});

Deno.test("POST /render.png reads a body that keeps sending within BODY_TIMEOUT_SECONDS", async () => {
  await withServer(async ({ base }) => {
    const npy = new Uint8Array(
      await Deno.readFile(new URL("../fixtures/arrays/rgb_u8.npy", import.meta.url)),
    );
    const res = await fetch(`${base}/render.png`, {
      method: "POST",
      body: npy,
      headers: { "content-type": "application/x-npy" },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "image/png");
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer()).subarray(1, 4)], [80, 78, 71]);
  }, { bodyTimeoutSeconds: 1 });
});
