/**
 * A least-recently-used cache bounded by bytes, which also shares one
 * in-flight computation among concurrent callers of the same key.
 *
 * @module
 */

/** A value that knows its size. */
export interface Sized {
  /** Bytes this value holds. */
  readonly byteLength: number;
}

/**
 * LRU by bytes: adding past the budget evicts the least recently used entries;
 * an entry larger than the whole budget is returned but not kept.
 *
 * @example
 * ```ts
 * import { ByteLruCache } from "./cache.ts";
 *
 * const cache = new ByteLruCache<Uint8Array>(1024);
 * const bytes = await cache.getOrCreate("k", async () => new Uint8Array(10));
 * ```
 */
export class ByteLruCache<V extends Sized> {
  #entries = new Map<string, V>();
  #pending = new Map<string, Promise<V>>();
  #bytes = 0;
  #evictListeners = new Set<(value: V) => void>();
  #hits = 0;
  #misses = 0;

  /**
   * An empty cache.
   *
   * @param maxBytes The budget; 0 keeps nothing.
   */
  constructor(readonly maxBytes: number) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Values answered from the cache so far (by {@linkcode ByteLruCache.get} or a hit of {@linkcode ByteLruCache.getOrCreate}). */
  get hits(): number {
    return this.#hits;
  }

  /** Values created so far because the cache did not hold them ({@linkcode ByteLruCache.getOrCreate}). */
  get misses(): number {
    return this.#misses;
  }

  /** Entries held now. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The cached value, marked as most recently used.
   *
   * @param key The key.
   * @returns The value, or `undefined`.
   */
  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#hits++;
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /**
   * Calls `listener` with each value that leaves the cache (evicted past the budget, or
   * replaced under its key), so that whatever refers to cached values can drop them too.
   *
   * @param listener Called once per value that leaves.
   * @example
   * ```ts
   * import { ByteLruCache } from "./cache.ts";
   *
   * const cache = new ByteLruCache<Uint8Array>(10);
   * cache.onEvict((value) => console.log(`evicted ${value.byteLength} bytes`));
   * cache.set("a", new Uint8Array(8));
   * cache.set("b", new Uint8Array(8)); // evicted 8 bytes
   * ```
   */
  onEvict(listener: (value: V) => void): void {
    this.#evictListeners.add(listener);
  }

  /**
   * Stores a value, evicting the oldest entries to stay within budget.
   *
   * @param key The key.
   * @param value The value.
   */
  set(key: string, value: V): void {
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= old.byteLength;
      if (old !== value) this.#evicted(old);
    }
    if (value.byteLength > this.maxBytes) return;
    this.#entries.set(key, value);
    this.#bytes += value.byteLength;
    for (const [k, v] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= v.byteLength;
      this.#evicted(v);
    }
  }

  /**
   * Drops an entry, as if evicted (eviction listeners hear of it).
   *
   * @param key The key.
   * @returns Whether there was an entry.
   * @example
   * cache.delete("k"); // true
   */
  delete(key: string): boolean {
    const value = this.#entries.get(key);
    if (value === undefined) return false;
    this.#entries.delete(key);
    this.#bytes -= value.byteLength;
    this.#evicted(value);
    return true;
  }

  #evicted(value: V): void {
    for (const listener of this.#evictListeners) listener(value);
  }

  /**
   * The cached value, or the result of `create` stored under the key; callers
   * that ask while `create` runs share its promise, so it runs once.
   *
   * @param key The key.
   * @param create Makes the value on a miss.
   * @returns The value.
   */
  getOrCreate(key: string, create: () => Promise<V>): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return Promise.resolve(hit);
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    this.#misses++;
    const promise = create().then(
      (value) => {
        this.#pending.delete(key);
        this.set(key, value);
        return value;
      },
      (err) => {
        this.#pending.delete(key);
        throw err;
      },
    );
    this.#pending.set(key, promise);
    return promise;
  }
}
