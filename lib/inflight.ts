/**
 * Admission, by open responses and by memory. Requests being answered and responses being
 * sent count against `MAX_CONNECTIONS`; past it a request is refused at once with 503
 * `server_busy`, `Retry-After: 1` and `Connection: close`. Each request that builds or
 * decodes pixels first reserves the bytes it will hold (its body, its RGBA pixels) against
 * `MAX_INFLIGHT_BYTES`. Past the budget it is refused at once with 503 `memory_busy` and
 * `Retry-After: 1`, before any pixel buffer exists; a request alone is always admitted, so
 * no size within `MAX_PIXELS` is refused for ever.
 *
 * @module
 */

import { HttpError, ServiceUnavailable } from "./errors.ts";

/** Seconds a refused client is asked to wait. */
const RETRY_AFTER_SECONDS = 1;

/**
 * A byte budget shared by the requests in flight.
 *
 * @example
 * const inflight = new InflightBytes(256 * 1024 * 1024);
 * const png = await inflight.run(4 * width * height, () => encode(width, height));
 */
export class InflightBytes {
  #bytes = 0;

  /**
   * Creates a `InflightBytes`.
   *
   * @param maxBytes The budget.
   */
  constructor(readonly maxBytes: number) {}

  /** Bytes reserved now. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Reserves `bytes`, runs `fn`, and gives the bytes back when it settles.
   *
   * @param bytes What `fn` will hold at most.
   * @param fn The work.
   * @param own Bytes the same request reserved already (its body): a request counts as
   *   alone when nothing else is in flight. @default {0}
   * @returns What `fn` returns.
   * @throws {ServiceUnavailable} `memory_busy` when the budget has no room (nothing runs).
   * @example
   * await inflight.run(1024, async () => new Uint8Array(1024));
   */
  async run<T>(bytes: number, fn: () => Promise<T>, own = 0): Promise<T> {
    const release = this.reserve(bytes, own);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * Reserves `bytes` now.
   *
   * @param bytes What the caller will hold.
   * @param own Bytes the same request reserved already. @default {0}
   * @returns Gives the bytes back (once).
   * @throws {ServiceUnavailable} `memory_busy` when the budget has no room.
   * @example
   * const release = inflight.reserve(1024);
   * release();
   */
  reserve(bytes: number, own = 0): () => void {
    if (this.#bytes > own && this.#bytes + bytes > this.maxBytes) {
      throw new ServiceUnavailable(
        "memory_busy",
        `${this.#bytes} bytes of pixels are in flight and this request needs ${bytes} more, ` +
          `past MAX_INFLIGHT_BYTES (${this.maxBytes}); retry in ${RETRY_AFTER_SECONDS} s`,
        RETRY_AFTER_SECONDS,
      );
    }
    this.#bytes += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#bytes -= bytes;
    };
  }
}

/**
 * The bytes a request body will take: its `Content-Length`, or the body limit when it
 * declares none (a chunked upload may be that long).
 *
 * @param request The request.
 * @param maxBodyBytes The body limit.
 * @returns Bytes to reserve for the body.
 * @example
 * declaredBodyBytes(new Request("http://x/", { method: "POST", body: "abc" }), 1024); // 3
 */
export function declaredBodyBytes(request: Request, maxBodyBytes: number): number {
  const header = request.headers.get("content-length")?.trim() ?? "";
  return /^\d+$/.test(header) ? Math.min(Number(header), maxBodyBytes) : maxBodyBytes;
}

/**
 * The RGBA bytes of an image `height`×`width` (the first two axes of a shape), or 0 when it
 * has more than `maxPixels` pixels: that is refused (422) before anything is allocated.
 *
 * @param shape An array's shape, or `[height, width]`.
 * @param maxPixels The pixel limit.
 * @returns `height × width × 4`; 0 for a shape of fewer than two axes or past the limit.
 * @example
 * rgbaBytes([1080, 1920, 3], 40_000_000); // 8294400
 */
export function rgbaBytes(shape: readonly number[], maxPixels: number): number {
  if (shape.length < 2 || shape[0] * shape[1] > maxPixels) return 0;
  return shape[0] * shape[1] * 4;
}

/**
 * Requests being answered and responses being sent, bounded by `MAX_CONNECTIONS`, and the
 * time of the last request: what tells a serving isolate it is idle.
 *
 * @example
 * const open = new OpenResponses(1024);
 * const close = open.open(performance.now());
 * close();
 */
export class OpenResponses {
  #count = 0;
  #lastActive = performance.now();

  /**
   * Creates an `OpenResponses`.
   *
   * @param max The most open at once.
   */
  constructor(readonly max: number) {}

  /** Requests being answered and responses being sent now. */
  get count(): number {
    return this.#count;
  }

  /** `performance.now()` of the last request seen or response ended, monitoring aside. */
  get lastActive(): number {
    return this.#lastActive;
  }

  /**
   * Notes a request at `now` that is answered at once from memory and sent whole: the
   * caller checked `count < max`; it is not counted.
   *
   * @param now `performance.now()` of the request.
   * @example
   * if (open.count < open.max) open.seen(performance.now());
   */
  seen(now: number): void {
    this.#lastActive = now;
  }

  /**
   * Counts a request from `now` until the returned function is called.
   *
   * @param now `performance.now()` of the request.
   * @param active Whether it makes the isolate busy (no for a health check or a metrics
   *   scrape, which should not keep it from giving memory back). @default {true}
   * @param bodyFollows Whether the request has a body, which a refusal leaves unread: the
   *   runtime then closes the connection and sends `Connection: close` itself. @default {false}
   * @returns Ends the count (once), when the response has been sent or abandoned.
   * @throws {HttpError} 503 `server_busy` when `max` are open, with `Connection: close`.
   * @example
   * const close = open.open(performance.now());
   * close();
   */
  open(now: number, active = true, bodyFollows = false): () => void {
    if (active) this.#lastActive = now;
    if (this.#count >= this.max) throw serverBusy(this.#count, this.max, !bodyFollows);
    this.#count++;
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.#count--;
      if (active) this.#lastActive = performance.now();
    };
  }
}

function serverBusy(count: number, max: number, closeHeader: boolean): HttpError {
  const retry = { "retry-after": String(RETRY_AFTER_SECONDS) };
  return new HttpError(
    503,
    "server_busy",
    `${count} requests are being answered, MAX_CONNECTIONS is ${max}; ` +
      `retry in ${RETRY_AFTER_SECONDS} s`,
    closeHeader ? { ...retry, connection: "close" } : retry,
  );
}
