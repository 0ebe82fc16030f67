/**
 * The pixserve application: every route in one table, errors mapped to JSON,
 * one log line per request.
 *
 * @module
 */

import type { Config } from "./config.ts";
import { toErrorResponse } from "./errors.ts";
import { checkRequestHead } from "./http/head_limits.ts";
import { createLogger, type LogEntry } from "./log.ts";
import { pathOf, ResponseMemo } from "./response_memo.ts";
import { createRouter, type Route } from "./router.ts";
import { filesRoutes } from "./routes/files.ts";
import { arraysRoutes } from "./routes/arrays.ts";
import { healthRoutes } from "./routes/health.ts";
import { imageRoutes } from "./routes/image.ts";
import { pageRoutes } from "./routes/page.ts";
import { createServices, type Services } from "./services.ts";

/** Options of {@linkcode createApp}. */
export interface AppOptions {
  /** Where log entries go; default: standard output unless `config.quiet`. */
  log?: (entry: LogEntry) => void;
  /** Shared services; default: {@linkcode createServices}. */
  services?: Services;
}

/**
 * The routing table of pixserve.
 *
 * @param services Config, cache and encoder.
 * @returns Every route, in the order they are tried.
 * @example
 * const routes = appRoutes(createServices(config));
 */
export function appRoutes(services: Services): Route[] {
  return [
    ...healthRoutes(),
    ...imageRoutes(services),
    ...arraysRoutes(services),
    ...filesRoutes(services),
    ...pageRoutes(),
  ];
}

/**
 * The request handler of pixserve, ready for `Deno.serve`.
 *
 * @param config The configuration.
 * @param options Logger and services.
 * @returns A handler that never throws: errors become JSON responses. It answers without a
 *   promise when the route can (a cached image), which `Deno.serve` sends sooner.
 * @example
 * Deno.serve({ port: 0 }, createApp(config));
 */
export function createApp(
  config: Config,
  options: AppOptions = {},
): (request: Request) => Response | Promise<Response> {
  const services = options.services ?? createServices(config);
  const memo = new ResponseMemo();
  services.cache.onEvict((image) => memo.forget(image));
  const route = createRouter(appRoutes(services), { memo });
  const log = options.log ?? createLogger(config.quiet);
  return (request) => {
    const start = performance.now();
    const method = request.method;
    if (method === "GET" || method === "HEAD") {
      const hit = memo.get(request.url);
      if (hit !== undefined && !request.headers.has("if-none-match")) {
        const response = method === "GET"
          ? hit.template.clone()
          : new Response(null, { headers: hit.headers });
        log({
          method,
          path: hit.path,
          status: 200,
          bytes: hit.bytes.byteLength,
          ms: performance.now() - start,
        });
        return response;
      }
    }
    const finish = (response: Response) => {
      const length = response.headers.get("content-length");
      log({
        method,
        path: pathOf(request.url),
        status: response.status,
        bytes: length === null ? null : Number(length),
        ms: performance.now() - start,
      });
      return response;
    };
    const fail = (err: unknown) => finish(toErrorResponse(err));
    try {
      checkRequestHead(request, config);
      const response = route(request);
      return response instanceof Promise ? response.then(finish, fail) : finish(response);
    } catch (err) {
      return fail(err);
    }
  };
}
