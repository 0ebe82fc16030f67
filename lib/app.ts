/**
 * The pixserve application: every route in one table, errors mapped to JSON,
 * one log line per request.
 *
 * @module
 */

import type { Config } from "./config.ts";
import { errorCodeOf, toErrorResponse } from "./errors.ts";
import { clientAddress, countedBody, declaresBody, queryOf } from "./http/request_facts.ts";
import { checkRequestHead } from "./http/head_limits.ts";
import { createLogger, type LogEntry } from "./log.ts";
import { pathOf, ResponseMemo } from "./response_memo.ts";
import { createRouter, type Route } from "./router.ts";
import { filesRoutes } from "./routes/files.ts";
import { arraysRoutes } from "./routes/arrays.ts";
import { docsRoutes } from "./routes/docs.ts";
import { colormapsRoutes } from "./routes/colormaps.ts";
import { healthRoutes } from "./routes/health.ts";
import { imageRoutes } from "./routes/image.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { pageRoutes } from "./routes/page.ts";
import { streamsRoutes } from "./routes/streams.ts";
import { createServices, type Services } from "./services.ts";

/** Paths a health check or a metrics scraper asks for, which do not make an isolate busy. */
const MONITORING_PATHS: ReadonlySet<string> = new Set(["/health", "/metrics"]);

/** Options of {@linkcode createApp}. */
export interface AppOptions {
  /** Where log entries go; default: standard output unless `config.quiet`. */
  log?: (entry: LogEntry) => void;
  /** Shared services; default: {@linkcode createServices}. */
  services?: Services;
  /** The port the server listens on, for `/health`; default: `config.port`. */
  listeningPort?: () => number;
}

/**
 * The routing table of pixserve.
 *
 * @param services Config, cache and encoder.
 * @param listeningPort The port the server listens on; default: `config.port`.
 * @returns Every route, in the order they are tried.
 * @example
 * ```ts
 * import { appRoutes } from "./app.ts";
 * import { validateSettings } from "./config.ts";
 * import { createServices } from "./services.ts";
 *
 * const services = createServices(validateSettings({}, () => Deno.cwd()));
 * console.log(appRoutes(services).map((route) => route.path)[0]); // "/health"
 * services.close();
 * ```
 */
export function appRoutes(
  services: Services,
  listeningPort: () => number = () => services.config.port,
): Route[] {
  const routes = [
    ...healthRoutes(listeningPort),
    ...imageRoutes(services),
    ...arraysRoutes(services),
    ...colormapsRoutes(services),
    ...filesRoutes(services),
    ...pageRoutes(),
    ...metricsRoutes(services),
    ...streamsRoutes(services),
  ];
  routes.push(...docsRoutes(routes));
  return routes;
}

/**
 * The request handler of pixserve, ready for `Deno.serve`.
 *
 * @param config The configuration.
 * @param options Logger and services.
 * @returns A handler that never throws: errors become JSON responses. It answers without a
 *   promise when the route can (a cached image), which `Deno.serve` sends sooner.
 * @example
 * ```ts
 * import { createApp } from "./app.ts";
 * import { loadConfig } from "./config.ts";
 *
 * const config = await loadConfig([], () => undefined, () => Deno.cwd());
 * if (typeof config !== "string") {
 *   const app = createApp(config, { log: () => {} });
 *   const res = await app(new Request("http://localhost/health"));
 *   console.log(res.status, await res.json()); // 200 { status: "ok", … }
 * }
 * ```
 */
export function createApp(
  config: Config,
  options: AppOptions = {},
): (request: Request, info?: Deno.ServeHandlerInfo) => Response | Promise<Response> {
  const services = options.services ?? createServices(config);
  const memo = new ResponseMemo();
  services.cache.onEvict((image) => memo.forget(image));
  const routes = appRoutes(services, options.listeningPort);
  const route = createRouter(routes, { memo });
  const metrics = services.metrics;
  metrics.bind(routes);
  const log = options.log ?? createLogger(config.quiet);
  const open = services.open;
  return (request, info) => {
    const start = performance.now();
    const method = request.method;
    if (method === "GET" || method === "HEAD") {
      const hit = memo.get(request.url);
      if (hit !== undefined && !request.headers.has("if-none-match") && open.count < open.max) {
        open.seen(start);
        const response = method === "GET"
          ? hit.template.clone()
          : new Response(null, { headers: hit.headers });
        const ms = performance.now() - start;
        const bytes = method === "GET" ? hit.bytes.byteLength : 0;
        const index = metrics.routeOf(hit.path, method);
        metrics.request(index, method, 200, ms / 1000);
        metrics.bytes(index, bytes);
        metrics.board.add("memoHits", 1);
        log({
          method,
          path: hit.path,
          query: queryOf(request.url),
          status: 200,
          bytes,
          client: clientAddress(request, info?.remoteAddr, config.trustProxy),
          ms,
        });
        return response;
      }
    }
    // Counted until the response has been sent (or abandoned); without a server, until it is made.
    let close = () => {};
    const finish = (response: Response, error?: string): Response | Promise<Response> => {
      if (info === undefined) close();
      const ms = performance.now() - start;
      const path = pathOf(request.url);
      const index = metrics.routeOf(path, method);
      metrics.request(index, method, response.status, ms / 1000);
      metrics.sample();
      const record = (bytes: number) => {
        metrics.bytes(index, bytes);
        log({
          method,
          path,
          query: queryOf(request.url),
          status: response.status,
          bytes,
          error,
          client: clientAddress(request, info?.remoteAddr, config.trustProxy),
          ms,
        });
      };
      // `response.body` is read last: reading it turns a body of bytes into a stream, which
      // Deno then sends chunk by chunk instead of whole.
      const length = response.headers.get("content-length");
      const bodiless = method === "HEAD" || response.status === 204 || response.status === 304;
      if (bodiless || length !== null || response.body === null) {
        record(bodiless || length === null ? 0 : Number(length));
        return response;
      }
      if (response.headers.get("content-type")?.startsWith("application/json")) {
        // A JSON answer is whole in memory: sent with its length, as Deno would send it.
        return response.bytes().then((bytes) => {
          const sized = new Response(bytes, response);
          sized.headers.set("content-length", String(bytes.byteLength));
          record(bytes.byteLength);
          return sized;
        });
      }
      return new Response(countedBody(response.body, record), response);
    };
    const fail = (err: unknown) => {
      const code = errorCodeOf(err);
      if (code === "encoder_busy") metrics.board.add("encodeRejected", 1);
      if (code === "server_busy") metrics.board.add("requestsShed", 1);
      return finish(toErrorResponse(err), code);
    };
    try {
      close = open.open(start, !MONITORING_PATHS.has(pathOf(request.url)), declaresBody(request));
      info?.completed.then(close, close);
      checkRequestHead(request, config);
      const response = route(request);
      return response instanceof Promise ? response.then(finish, fail) : finish(response);
    } catch (err) {
      return fail(err);
    }
  };
}
