/**
 * What the app tells the metrics about each request, and what `/metrics` answers: the
 * glue between a routing table and the shared {@linkcode MetricsBoard}.
 *
 * @module
 */

import { compilePath, type Route } from "../router.ts";
import { createBoardBuffer, MAX_ROUTES, MetricsBoard } from "./board.ts";
import { renderExposition } from "./exposition.ts";

/** The shared buffer of a server's metrics and the index of the isolate that writes to it. */
export interface MetricsShare {
  /** From `createBoardBuffer(isolates)`. */
  readonly buffer: SharedArrayBuffer;
  /** This isolate's index, from 0. */
  readonly isolate: number;
}

/** Paths whose route is remembered before the memory of them is cleared. */
const REMEMBERED_PATHS = 1024;

/**
 * One isolate's request metrics.
 *
 * @example
 * const metrics = new RequestMetrics(undefined, () => {});
 * metrics.bind([{ method: "GET", path: "/health", handler: () => new Response() }]);
 * metrics.request(metrics.routeOf("/health", "GET"), "GET", 200, 0.001);
 * metrics.exposition().includes('route="/health",method="GET",status="200"} 1'); // true
 */
export class RequestMetrics {
  /** The board this isolate writes to. */
  readonly board: MetricsBoard;
  readonly #sample: (board: MetricsBoard) => void;
  #routes: { pattern: RegExp; method: string }[] = [];
  #labels: string[] = [];
  #known = new Map<string, number>();

  /**
   * The metrics of one isolate, written to its region of the server's board.
   *
   * @param share The server's shared buffer and this isolate's index; default: a board of its own.
   * @param sample Writes this isolate's gauges (cache, encode pool) to the board; called
   *   after each request and before each scrape.
   */
  constructor(share: MetricsShare | undefined, sample: (board: MetricsBoard) => void) {
    this.board = new MetricsBoard(share?.buffer ?? createBoardBuffer(1), share?.isolate ?? 0);
    this.#sample = sample;
  }

  /**
   * Takes the routing table whose routes label the metrics.
   *
   * @param routes The table, in the order the router tries it.
   * @throws {RangeError} More than {@linkcode MAX_ROUTES} routes.
   */
  bind(routes: readonly Route[]): void {
    if (routes.length > MAX_ROUTES) {
      throw new RangeError(`the metrics label at most ${MAX_ROUTES} routes, got ${routes.length}`);
    }
    this.#routes = routes.map((r) => ({ pattern: compilePath(r.path), method: r.method }));
    this.#labels = routes.map((r) => r.path);
    this.#known.clear();
  }

  /**
   * The index of the route that answers a path: the one for the method, else the first for
   * the path (a 405), else -1 (`unmatched`).
   *
   * @param path The URL's path.
   * @param method The request method (`HEAD` finds `GET` routes).
   * @returns The index in the bound table, or -1.
   */
  routeOf(path: string, method: string): number {
    const key = `${method} ${path}`;
    const known = this.#known.get(key);
    if (known !== undefined) return known;
    const wanted = method === "HEAD" ? "GET" : method;
    let found = -1;
    for (let i = 0; i < this.#routes.length; i++) {
      if (!this.#routes[i].pattern.test(path)) continue;
      if (this.#routes[i].method === wanted) {
        found = i;
        break;
      }
      if (found === -1) found = i;
    }
    if (this.#known.size >= REMEMBERED_PATHS) this.#known.clear();
    this.#known.set(key, found);
    return found;
  }

  /** Counts one answered request. */
  request(route: number, method: string, status: number, seconds: number): void {
    this.board.observe({ route, method, status, seconds });
  }

  /** Counts body bytes sent by a route. */
  bytes(route: number, bytes: number): void {
    this.board.addBytes(route, bytes);
  }

  /** Writes this isolate's gauges now. */
  sample(): void {
    this.#sample(this.board);
  }

  /** The text exposition summed over every isolate, this one's gauges written first. */
  exposition(): string {
    this.sample();
    return renderExposition(this.board.totals(), this.#labels);
  }
}
