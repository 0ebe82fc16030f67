import assert from "node:assert/strict";
import { ByteLruCache } from "../lib/image/cache.ts";

const bytes = (n: number) => new Uint8Array(n);

Deno.test("ByteLruCache evicts least recently used entries past its byte budget", () => {
  const cache = new ByteLruCache<Uint8Array>(10);
  cache.set("a", bytes(4));
  cache.set("b", bytes(4));
  assert.equal(cache.get("a")?.byteLength, 4);
  cache.set("c", bytes(4));
  assert.equal(cache.get("b"), undefined);
  assert.equal(cache.get("a")?.byteLength, 4);
  assert.equal(cache.get("c")?.byteLength, 4);
  assert.equal(cache.bytes, 8);
  assert.equal(cache.size, 2);
});

Deno.test("ByteLruCache keeps nothing larger than its budget and replaces keys", () => {
  const cache = new ByteLruCache<Uint8Array>(10);
  cache.set("big", bytes(11));
  assert.equal(cache.get("big"), undefined);
  cache.set("k", bytes(3));
  cache.set("k", bytes(5));
  assert.equal(cache.bytes, 5);
  assert.equal(cache.size, 1);
});

Deno.test("ByteLruCache.getOrCreate() runs create once for concurrent callers", async () => {
  const cache = new ByteLruCache<Uint8Array>(100);
  let calls = 0;
  const { promise, resolve } = Promise.withResolvers<Uint8Array>();
  const create = () => {
    calls++;
    return promise;
  };
  const first = cache.getOrCreate("k", create);
  const second = cache.getOrCreate("k", create);
  resolve(bytes(7));
  assert.equal(await first, await second);
  assert.equal(calls, 1);
  assert.equal((await cache.getOrCreate("k", create)).byteLength, 7);
  assert.equal(calls, 1);
});

Deno.test("ByteLruCache.getOrCreate() forgets a failed create", async () => {
  const cache = new ByteLruCache<Uint8Array>(100);
  await assert.rejects(cache.getOrCreate("k", () => Promise.reject(new Error("no"))), /no/);
  assert.equal((await cache.getOrCreate("k", () => Promise.resolve(bytes(2)))).byteLength, 2);
});

Deno.test("ByteLruCache.onEvict() hears of values evicted past the budget or replaced", () => {
  const cache = new ByteLruCache<Uint8Array>(10);
  const evicted: Uint8Array[] = [];
  cache.onEvict((value) => evicted.push(value));
  const [a, b, c, d] = [bytes(4), bytes(4), bytes(4), bytes(2)];
  cache.set("a", a);
  cache.set("b", b);
  cache.set("c", c);
  assert.equal(evicted.length, 1);
  assert.equal(evicted[0], a);
  cache.set("b", b);
  assert.equal(evicted.length, 1);
  cache.set("b", d);
  assert.equal(evicted.length, 2);
  assert.equal(evicted[1], b);
});
