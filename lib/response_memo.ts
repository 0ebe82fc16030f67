/**
 * A bounded memo of whole 200 responses by request URL, for routes whose answer to a `GET`
 * is a pure function of the URL: a repeated request is answered from it without parsing the
 * URL, routing, or building headers. Each entry belongs to an owner (a cached encoded
 * image); forgetting the owner, when the cache evicts it, drops its entries, so the memo
 * holds no bytes the cache does not.
 *
 * @module
 */

/** A 200 response kept for reuse. */
export interface MemoEntry {
  /** The whole body. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Every header of the 200, `content-length` included. */
  readonly headers: Readonly<Record<string, string>>;
  /** What the bytes belong to: forgetting it drops the entry. */
  readonly owner: object;
}

/** A remembered entry with the request path it answers, as the request log writes it. */
export interface MemoHit extends MemoEntry {
  /** The URL's path, without query or fragment. */
  readonly path: string;
  /**
   * The 200 itself, built once: answer a `GET` with `template.clone()`, which shares the
   * bytes and copies the header list, where a new `Response` would copy the body and
   * check every header again. The template's own body is never read.
   */
  readonly template: Response;
}

/** Entries a memo keeps by default. */
export const MEMO_ENTRIES = 256;

/**
 * URL → 200 response, at most `maxEntries` (the oldest go first), dropped by owner.
 *
 * @example
 * ```ts
 * import { ResponseMemo } from "./response_memo.ts";
 *
 * const bytes = new Uint8Array([1, 2, 3]);
 * const headers = { "content-type": "image/png", "content-length": "3" };
 * const encoded = { bytes };
 * const memo = new ResponseMemo();
 * memo.remember("http://x/image.png", { bytes, headers, owner: encoded });
 * memo.get("http://x/image.png")?.path; // "/image.png"
 * memo.forget(encoded);
 * ```
 */
export class ResponseMemo {
  #entries = new Map<string, MemoHit>();
  #urlsByOwner = new Map<object, Set<string>>();

  /**
   * An empty memo.
   *
   * @param maxEntries The most URLs kept; 0 keeps nothing.
   */
  constructor(readonly maxEntries: number = MEMO_ENTRIES) {}

  /** URLs held now. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The entry for a URL.
   *
   * @param url The request URL, as `request.url` gives it.
   * @returns The entry, or `undefined`.
   */
  get(url: string): MemoHit | undefined {
    return this.#entries.get(url);
  }

  /**
   * Keeps the 200 response to a URL, dropping the oldest entry past `maxEntries`.
   *
   * @param url The request URL, as `request.url` gives it.
   * @param entry Body, headers and owner.
   */
  remember(url: string, entry: MemoEntry): void {
    if (this.maxEntries <= 0 || this.#entries.has(url)) return;
    if (this.#entries.size >= this.maxEntries) {
      const [oldest, hit] = this.#entries.entries().next().value!;
      this.#drop(oldest, hit.owner);
    }
    this.#entries.set(url, { ...entry, path: pathOf(url), template: templateOf(entry) });
    let urls = this.#urlsByOwner.get(entry.owner);
    if (urls === undefined) {
      urls = new Set();
      this.#urlsByOwner.set(entry.owner, urls);
    }
    urls.add(url);
  }

  /**
   * Drops every entry of an owner.
   *
   * @param owner What the entries' bytes belong to.
   */
  forget(owner: object): void {
    const urls = this.#urlsByOwner.get(owner);
    if (urls === undefined) return;
    this.#urlsByOwner.delete(owner);
    for (const url of urls) this.#entries.delete(url);
  }

  #drop(url: string, owner: object): void {
    this.#entries.delete(url);
    const urls = this.#urlsByOwner.get(owner);
    urls?.delete(url);
    if (urls?.size === 0) this.#urlsByOwner.delete(owner);
  }
}

/** The 200 of an entry; `Deno.serve` writes `content-length` from the body. */
function templateOf(entry: MemoEntry): Response {
  const headers = new Headers(entry.headers);
  headers.delete("content-length");
  return new Response(entry.bytes, { headers });
}

/**
 * The path of an absolute URL, without query or fragment.
 *
 * @param url An absolute URL such as `request.url`.
 * @returns The path, `/` when it has none.
 * @example
 * ```ts
 * import { pathOf } from "./response_memo.ts";
 *
 * pathOf("http://x:8000/image.png?width=4"); // "/image.png"
 * ```
 */
export function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  const end = url.slice(start).search(/[?#]/);
  return end === -1 ? url.slice(start) : url.slice(start, start + end);
}
