import assert from "node:assert/strict";
import { pathOf, ResponseMemo } from "../lib/response_memo.ts";

const entry = (owner: object) => ({
  bytes: new Uint8Array([1, 2, 3]),
  headers: Object.freeze({ "content-length": "3" }),
  owner,
});

Deno.test("pathOf() takes the path of an absolute URL without query or fragment", () => {
  const table: [string, string][] = [
    ["http://x/", "/"],
    ["http://x", "/"],
    ["http://x:8000/image.png", "/image.png"],
    ["http://x/image.png?width=4", "/image.png"],
    ["http://x/a/b#c", "/a/b"],
    ["http://x/a?b#c", "/a"],
    ["http://[::1]:80/a%20b?/c", "/a%20b"],
  ];
  for (const [url, path] of table) assert.equal(pathOf(url), path, url);
});

Deno.test("ResponseMemo keeps entries by URL with their path, at most maxEntries", () => {
  const memo = new ResponseMemo(2);
  const owner = {};
  memo.remember("http://x/a?q=1", entry(owner));
  memo.remember("http://x/b", entry(owner));
  assert.equal(memo.get("http://x/a?q=1")?.path, "/a");
  assert.deepEqual(memo.get("http://x/b")?.bytes, new Uint8Array([1, 2, 3]));
  memo.remember("http://x/c", entry(owner));
  assert.equal(memo.size, 2);
  assert.equal(memo.get("http://x/a?q=1"), undefined);
  assert.equal(memo.get("http://x/c")?.path, "/c");
});

Deno.test("ResponseMemo.forget() drops every entry of an owner and no other", () => {
  const memo = new ResponseMemo();
  const [one, two] = [{}, {}];
  memo.remember("http://x/1", entry(one));
  memo.remember("http://x/1?download", entry(one));
  memo.remember("http://x/2", entry(two));
  memo.forget(one);
  assert.equal(memo.get("http://x/1"), undefined);
  assert.equal(memo.get("http://x/1?download"), undefined);
  assert.equal(memo.get("http://x/2")?.path, "/2");
  assert.equal(memo.size, 1);
  memo.forget(one);
  assert.equal(memo.size, 1);
});

Deno.test("ResponseMemo with maxEntries 0 keeps nothing", () => {
  const memo = new ResponseMemo(0);
  memo.remember("http://x/a", entry({}));
  assert.equal(memo.get("http://x/a"), undefined);
  assert.equal(memo.size, 0);
});

Deno.test("ResponseMemo hits carry a template 200 whose clones share the bytes", async () => {
  const memo = new ResponseMemo();
  memo.remember("http://x/a", {
    bytes: new Uint8Array([1, 2, 3]),
    headers: Object.freeze({ "content-type": "image/png", "content-length": "3", etag: '"e"' }),
    owner: {},
  });
  const hit = memo.get("http://x/a")!;
  for (let i = 0; i < 2; i++) {
    const response = hit.template.clone();
    assert.equal(response.status, 200);
    assert.deepEqual([...response.headers], [["content-type", "image/png"], ["etag", '"e"']]);
    assert.deepEqual(await response.bytes(), new Uint8Array([1, 2, 3]));
  }
  assert.equal(hit.template.bodyUsed, false);
  assert.equal(hit.headers["content-length"], "3");
});
