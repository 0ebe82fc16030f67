import assert from "node:assert/strict";
import { encodeNpy } from "../lib/arrays/npy.ts";
import { validateSettings } from "../lib/config.ts";
import { publicCache } from "../lib/http/representation.ts";
import { etagOf } from "../lib/http/conditional.ts";
import { clientAddress } from "../lib/http/request_facts.ts";
import type { LogEntry } from "../lib/log.ts";
import { decodePixels } from "./_pixels.ts";
import { withServer } from "./_server.ts";

/** POSTs a `.npy` body to /render.png, with `If-None-Match` when given. */
function render(base: string, npy: Uint8Array<ArrayBuffer>, ifNoneMatch?: string) {
  const headers: Record<string, string> = { "content-type": "application/x-npy" };
  if (ifNoneMatch !== undefined) headers["if-none-match"] = ifNoneMatch;
  return fetch(`${base}/render.png`, { method: "POST", body: npy, headers });
}

Deno.test("publicCache() adds s-maxage only when given", () => {
  assert.equal(publicCache(3600), "public, max-age=3600");
  assert.equal(publicCache(3600, null), "public, max-age=3600");
  assert.equal(publicCache(60, 0), "public, max-age=60, s-maxage=0");
  assert.equal(publicCache(60, 86400), "public, max-age=60, s-maxage=86400");
});

Deno.test("validateSettings() reads CACHE_S_MAXAGE and TRUST_PROXY", () => {
  const config = validateSettings({ cacheSMaxAge: "86400", trustProxy: "true" }, () => "/srv");
  assert.equal(config.cacheSMaxAge, 86400);
  assert.equal(config.trustProxy, true);
  assert.equal(validateSettings({ trustProxy: "0" }, () => "/srv").trustProxy, false);
  assert.throws(
    () => validateSettings({ trustProxy: "maybe" }, () => "/srv"),
    { message: `trust proxy must be on or off (also true/false, yes/no, 1/0), got "maybe"` },
  );
  assert.throws(
    () => validateSettings({ cacheSMaxAge: "-1" }, () => "/srv"),
    { message: `cache s-maxage must be an integer from 0 to 9007199254740991, got "-1"` },
  );
});

Deno.test("clientAddress() takes the address the proxy appended, else the peer", () => {
  const cases: [string | null, string | undefined, string | undefined][] = [
    ["203.0.113.9", "127.0.0.1", "203.0.113.9"],
    ["10.0.0.1, 203.0.113.9", "127.0.0.1", "203.0.113.9"],
    ["spoofed,  2001:db8::1 ", "127.0.0.1", "2001:db8::1"],
    [null, "127.0.0.1", "127.0.0.1"],
    ["", "127.0.0.1", "127.0.0.1"],
    [null, undefined, undefined],
  ];
  for (const [header, peer, client] of cases) {
    const headers = header === null ? undefined : { "x-forwarded-for": header };
    const addr: Deno.Addr | undefined = peer === undefined
      ? undefined
      : { transport: "tcp", hostname: peer, port: 1 };
    assert.equal(
      clientAddress(new Request("http://x/", { headers }), addr, true),
      client,
      `${header}`,
    );
  }
});

Deno.test("the request log names the forwarded client with TRUST_PROXY, else the peer", async () => {
  for (const trustProxy of [true, false]) {
    const entries: LogEntry[] = [];
    await withServer(
      async ({ base }) => {
        for (const path of ["/health", "/image.png?width=8", "/image.png?width=8"]) {
          const res = await fetch(`${base}${path}`, {
            headers: { "x-forwarded-for": "10.9.8.7, 203.0.113.9" },
          });
          await res.body?.cancel();
        }
        const res = await fetch(`${base}/health`);
        await res.body?.cancel();
      },
      { trustProxy },
      { log: (entry) => entries.push(entry) },
    );
    const clients = entries.map((e) => e.client);
    const expected = trustProxy
      ? ["203.0.113.9", "203.0.113.9", "203.0.113.9", "127.0.0.1"]
      : ["127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1"];
    assert.deepEqual(clients, expected, `trustProxy ${trustProxy}`);
  }
});

Deno.test("CACHE_S_MAXAGE adds s-maxage to every cacheable answer", async () => {
  await withServer(async ({ base }) => {
    for (const path of ["/image.png", "/image", "/files/sample.png", "/image.npy"]) {
      const res = await fetch(`${base}${path}`);
      await res.body?.cancel();
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get("cache-control"), "public, max-age=60, s-maxage=86400", path);
    }
    const health = await fetch(`${base}/health`);
    await health.body?.cancel();
    assert.equal(health.headers.get("cache-control"), "no-store");
  }, { cacheMaxAge: 60, cacheSMaxAge: 86400 });
});

Deno.test("POST /render.png tags its answer with a hash of the bytes and answers If-None-Match with 304", async () => {
  const pixels = new Uint8Array(6 * 4 * 3).map((_, i) => (i * 7) % 256);
  const npy = encodeNpy({ dtype: "uint8", shape: [4, 6, 3], data: pixels });
  await withServer(async ({ base }) => {
    const res = await render(base, npy);
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(res.status, 200);
    const etag = res.headers.get("etag");
    assert.equal(etag, await etagOf(bytes));
    assert.equal(res.headers.get("cache-control"), "public, max-age=3600");
    const decoded = await decodePixels(bytes);
    assert.equal(decoded.width, 6);
    assert.equal(decoded.height, 4);

    const again = await render(base, npy, `"other", ${etag}`);
    assert.equal(again.status, 304);
    assert.equal(await again.text(), "");
    assert.equal(again.headers.get("etag"), etag);
    assert.equal(again.headers.get("content-type"), null);

    const other = await render(base, npy, `"other"`);
    assert.equal(other.status, 200);
    assert.deepEqual(new Uint8Array(await other.arrayBuffer()), bytes);
  });
});
