/**
 * A table of routes turned into one request handler: 404 for an
 * unknown path, 405 with `Allow` for a known path and another method, `HEAD`
 * answered by the `GET` handler with the body dropped.
 *
 * @module
 */

import { BadRequest, MethodNotAllowed, NotFound } from "./errors.ts";
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

/**
 * One query parameter a route reads: what the router checks names against on strict
 * routes, and what the API description lists.
 *
 * @example
 * const quality: QueryParam = {
 *   name: "quality", type: "integer", minimum: 1, maximum: 100, description: "JPEG and WebP quality",
 * };
 */
export interface QueryParam {
  /** The name, as it appears in the query string. */
  readonly name: string;
  /** Its JSON Schema type; `boolean` is a flag (`?clip`, `?clip=1`, `?clip=false`). */
  readonly type: "integer" | "number" | "boolean" | "string";
  /** One sentence saying what it does. */
  readonly description: string;
  /** Smallest value of a number. */
  readonly minimum?: number;
  /** Largest value of a number. */
  readonly maximum?: number;
  /** The values a string may take. */
  readonly enum?: readonly string[];
  /** A regular expression a string matches (JSON Schema `pattern`), for the description only. */
  readonly pattern?: string;
}

/**
 * One answer a route gives, as the API description lists it.
 *
 * @example
 * const ok: RouteResponse = {
 *   status: 200, description: "the image", mediaTypes: ["{ext}"], headers: ["etag", "content-disposition"],
 * };
 */
export interface RouteResponse {
  /** The status. */
  readonly status: number;
  /** One sentence. */
  readonly description: string;
  /** Media types of the body; `"{ext}"` stands for the type of the path's extension. */
  readonly mediaTypes?: readonly string[];
  /** Lower-case names of the headers it carries (described once in the API description). */
  readonly headers?: readonly string[];
}

/**
 * What the API description says of a route beyond its method, path and query.
 *
 * @example
 * const doc: RouteDoc = { summary: "Liveness and version", tag: "service", responses: [] };
 */
export interface RouteDoc {
  /** A short title. */
  readonly summary: string;
  /** More, in Markdown. */
  readonly description?: string;
  /** The group it is listed under. */
  readonly tag?: string;
  /** The request body: its media types and what it holds. */
  readonly body?: { readonly mediaTypes: readonly string[]; readonly description: string };
  /** Its answers other than JSON errors. */
  readonly responses?: readonly RouteResponse[];
  /** Statuses of the JSON errors it may answer with, beside any other error. */
  readonly errors?: readonly number[];
  /** Request headers it reads (`range`, `if-none-match`, `accept`…), described once in the API description. */
  readonly requestHeaders?: readonly string[];
}

/** One line of the routing table. */
export interface Route {
  /** The method served. */
  readonly method: Method;
  /** A path pattern in URLPattern syntax (the subset {@linkcode compilePath} takes). */
  readonly path: string;
  /** What answers. */
  readonly handler: Handler;
  /** The query parameters it reads. */
  readonly query?: readonly QueryParam[];
  /**
   * Refuse a query parameter that {@linkcode Route.query} does not list with a 400
   * `unknown_parameter` naming it, before the handler runs. For routes whose answers are
   * not cached by URL (uploads): a GET route ignores parameters it does not read, since
   * pages and CDNs add cache-busting ones.
   */
  readonly strictQuery?: boolean;
  /** What the API description says of it; absent, it lists the route by its path alone. */
  readonly doc?: RouteDoc;
}

interface CompiledRoute extends Route {
  readonly pattern: RegExp;
  /** The names of {@linkcode Route.query} on a strict route. */
  readonly known?: ReadonlySet<string>;
}

/**
 * Checks that a URL's query names only parameters a route reads.
 *
 * @param url The request URL.
 * @param method The request method, for the message.
 * @param known The parameters the route reads.
 * @throws {BadRequest} `unknown_parameter` naming the first other one and listing the known ones.
 * @example
 * checkQueryNames(new URL("http://x/render.png?clip"), "POST", new Set(["clip"]));
 */
export function checkQueryNames(url: URL, method: string, known: ReadonlySet<string>): void {
  for (const name of url.searchParams.keys()) {
    if (known.has(name)) continue;
    const names = [...known].sort();
    throw new BadRequest(
      "unknown_parameter",
      `${JSON.stringify(name)} is not a query parameter of ${method} ${url.pathname}; ` +
        (names.length === 0 ? "it takes none" : `it takes ${names.join(", ")}`),
    );
  }
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
    known: r.strictQuery ? new Set((r.query ?? []).map((q) => q.name)) : undefined,
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
      if (route.known !== undefined) checkQueryNames(url, requestMethod, route.known);
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
