/**
 * A table of routes turned into one request handler: 404 for an
 * unknown path, 405 with `Allow` for a known path and another method, `HEAD`
 * answered by the `GET` handler with the body dropped.
 *
 * @module
 */

import { MethodNotAllowed, NotFound } from "./errors.ts";
import type { ResponseMemo } from "./response_memo.ts";

/** What a handler gets beside the request. */
export interface RouteContext {
  /** The request URL, parsed once. */
  readonly url: URL;
  /** Named groups of the route's pattern, percent-decoding left to the handler. */
  readonly params: Readonly<Record<string, string>>;
  /**
   * Where a route may keep its 200 response to this URL, when that response is a pure
   * function of the URL for every `GET` or `HEAD` without `If-None-Match`: later such requests
   * are answered from the memo without reaching the route. Absent when the router has none.
   */
  readonly memo?: ResponseMemo;
}

/** Options of {@linkcode createRouter}. */
export interface RouterOptions {
  /** Passed to handlers as {@linkcode RouteContext.memo}. */
  memo?: ResponseMemo;
}

/** A route handler; it throws {@linkcode HttpError}s for bad input. */
export type Handler = (
  request: Request,
  context: RouteContext,
) => Response | Promise<Response>;

/** The methods routes are declared for; `HEAD` follows `GET`. */
export type Method = "GET" | "POST" | "PUT" | "DELETE";

/** One line of the routing table. */
export interface Route {
  /** The method served. */
  readonly method: Method;
  /** A path pattern in URLPattern syntax (the subset {@linkcode compilePath} takes). */
  readonly path: string;
  /** What answers. */
  readonly handler: Handler;
}

interface CompiledRoute extends Route {
  readonly pattern: RegExp;
}

/**
 * Compiles a route path to an anchored regular expression with named groups:
 * `:name` is one segment, `:name+` one or more, `:name(a|b)` the given alternatives;
 * `\\x` is a literal `x`; everything else is literal. (The subset of URLPattern syntax routes
 * use, matched by a regular expression because `URLPattern.exec` is a measurable share of a
 * cached response's time: `bench/router_bench.ts`.)
 *
 * @param path A route path such as `/image.:ext(png|gif)` or `/files/:path+`.
 * @returns The expression.
 * @throws {SyntaxError} Syntax outside that subset.
 * @example
 * ```ts
 * import { compilePath } from "./router.ts";
 *
 * compilePath("/files/:path+").exec("/files/a/b.png")?.groups; // { path: "a/b.png" }
 * ```
 */
export function compilePath(path: string): RegExp {
  let source = "";
  const token = /:([A-Za-z_]\w*)(\(([^()]*)\)|\+)?|[^:]+/g;
  for (const [whole, name, suffix, alternatives] of path.matchAll(token)) {
    if (name === undefined) {
      const literal = whole.replace(/\\(.)/g, "$1");
      if (/[*?{}()]/.test(whole.replace(/\\./g, ""))) {
        throw new SyntaxError(`unsupported route syntax in ${path}`);
      }
      source += literal.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    } else if (suffix === "+") source += `(?<${name}>[^/]+(?:/[^/]+)*)`;
    else if (alternatives !== undefined) source += `(?<${name}>${alternatives})`;
    else source += `(?<${name}>[^/]+)`;
  }
  return new RegExp(`^${source}$`);
}

/**
 * Builds the handler for a routing table; routes are tried in order.
 *
 * @param routes The table.
 * @param options The response memo handed to routes.
 * @returns A handler that throws {@linkcode NotFound} or {@linkcode MethodNotAllowed}
 *   when no route answers; it answers synchronously when the route's handler does.
 * @example
 * ```ts
 * import { createRouter } from "./router.ts";
 *
 * const route = createRouter([
 *   { method: "GET", path: "/health", handler: () => Response.json({ status: "ok" }) },
 * ]);
 * const res = await route(new Request("http://x/health"));
 * ```
 */
export function createRouter(
  routes: readonly Route[],
  options: RouterOptions = {},
): (request: Request) => Response | Promise<Response> {
  const memo = options.memo;
  const table: CompiledRoute[] = routes.map((r) => ({
    ...r,
    pattern: compilePath(r.path),
  }));
  return (request) => {
    const url = new URL(request.url);
    const requestMethod = request.method;
    const method = requestMethod === "HEAD" ? "GET" : requestMethod;
    const allowed = new Set<string>();
    for (const route of table) {
      const match = route.pattern.exec(url.pathname);
      if (match === null) continue;
      if (route.method !== method) {
        allowed.add(route.method);
        if (route.method === "GET") allowed.add("HEAD");
        continue;
      }
      const response = route.handler(request, { url, params: match.groups ?? {}, memo });
      if (requestMethod !== "HEAD") return response;
      return response instanceof Promise ? response.then(withoutBody) : withoutBody(response);
    }
    if (allowed.size > 0) {
      throw new MethodNotAllowed(requestMethod, [...allowed]);
    }
    throw new NotFound(`nothing is served at ${url.pathname}`);
  };
}

/**
 * The same response with its body dropped (cancelled, so a file behind it closes); a
 * response without `Content-Length` keeps an empty stream, so it stays chunked.
 *
 * @param response A full response.
 * @returns A response with the same status and headers and no body.
 * @example
 * ```ts
 * import { withoutBody } from "./router.ts";
 *
 * withoutBody(new Response("abc")).body; // null
 * ```
 */
export function withoutBody(response: Response): Response {
  if (response.body === null) return response;
  response.body.cancel().catch(() => {});
  // A null body would make the server announce `content-length: 0`; an empty stream keeps a
  // chunked response's headers as GET sends them.
  const sized = response.headers.has("content-length");
  return new Response(sized ? null : new ReadableStream({ start: (c) => c.close() }), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
