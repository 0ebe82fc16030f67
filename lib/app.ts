/**
 * The pixserve application: every route in one table, errors mapped to JSON,
 * one log line per request.
 *
 * @module
 */

import type { Config } from "./config.ts";
import { toErrorResponse } from "./errors.ts";
import { createLogger, type LogEntry } from "./log.ts";
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
 * @returns A handler that never throws: errors become JSON responses.
 * @example
 * Deno.serve({ port: 0 }, createApp(config));
 */
export function createApp(
  config: Config,
  options: AppOptions = {},
): (request: Request) => Promise<Response> {
  const route = createRouter(
    appRoutes(options.services ?? createServices(config)),
  );
  const log = options.log ?? createLogger(config.quiet);
  return async (request) => {
    const start = performance.now();
    let response: Response;
    try {
      response = await route(request);
    } catch (err) {
      response = toErrorResponse(err);
    }
    const length = response.headers.get("content-length");
    log({
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
      bytes: length === null ? null : Number(length),
      ms: performance.now() - start,
    });
    return response;
  };
}
