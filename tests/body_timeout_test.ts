import assert from "node:assert/strict";
import { withServer } from "./_server.ts";
import { readJsonAnswer } from "./_raw_http.ts";

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

for (const [path, type] of [["/render.png", "application/x-npy"], ["/decode.npy", "image/png"]]) {
  Deno.test(`POST ${path} answers 408 body_timeout when the body stops for BODY_TIMEOUT_SECONDS`, async () => {
    await withServer(async ({ base }) => {
      const port = Number(new URL(base).port);
      const text = await stalledUpload(port, path, type, 1000, new Uint8Array(10));
      const [head, body] = text.split("\r\n\r\n");
      assert.match(head, /^HTTP\/1\.1 408 Request Timeout\r\n/, body);
      assert.match(head, /\r\nconnection: close/i);
      assert.match(head, /\r\ncontent-type: application\/json/i);
      assert.deepEqual(JSON.parse(body), {
        error: "body_timeout",
        detail: "the request body sent nothing for BODY_TIMEOUT_SECONDS (1 s)",
      });
    }, { bodyTimeoutSeconds: 1 });
  });
}

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
