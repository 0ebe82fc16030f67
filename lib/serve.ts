/**
 * Serving on every core: `config.workers` isolates, each running the whole app on the
 * same port (`SO_REUSEPORT`, so the kernel spreads connections over them), each with its
 * own encode pool and its share of the cache. The first isolate is the caller's; the
 * others are Web Workers running `serve_worker.ts`. Stopping finishes the responses in
 * flight in every isolate.
 *
 * @module
 */

import { createApp } from "./app.ts";
import type { Config } from "./config.ts";
import { createLogger } from "./log.ts";
import { IdleRelease, releaseMemory } from "./memory.ts";
import { createBoardBuffer } from "./metrics/board.ts";
import type { MetricsShare } from "./metrics/metrics.ts";
import { assertPortFree } from "./port_guard.ts";
import { serveRelistening } from "./relisten.ts";
import { createServices } from "./services.ts";

/** One isolate's server. */
export interface IsolateServer {
  /** Where it listens. */
  readonly addr: Deno.NetAddr;
  /**
   * Ends the live streams' responses, stops accepting, finishes the responses in flight, stops
   * the encode workers, flushes the log.
   */
  stop(): Promise<void>;
}

/** What the main isolate tells a serving worker. */
export type ServeCommand =
  | { readonly start: Config; readonly metrics?: MetricsShare; readonly streams?: string }
  | { readonly stop: true };

/** What a serving worker answers. */
export type ServeReport =
  | { readonly listening: true }
  | { readonly failed: string }
  | { readonly stopped: true };

/** How often an isolate writes its gauges (cache, encode pool, open files) to the board. */
const GAUGE_SAMPLE_MS = 1000;

const SERVE_WORKER_URL = new URL("./serve_worker.ts", import.meta.url);

/**
 * Serves the app in this isolate.
 *
 * @param config The configuration (its `port` may be 0).
 * @param reusePort Whether other isolates will listen on the same port.
 * @param metrics The server's metrics buffer and this isolate's index; default: its own.
 * @param streamsChannel The `BroadcastChannel` the isolates' live streams share, if several.
 * @returns The running server.
 * @example
 * ```ts
 * import { validateSettings } from "./config.ts";
 * import { serveIsolate } from "./serve.ts";
 *
 * const server = serveIsolate(validateSettings({ port: "0" }, () => Deno.cwd()), false);
 * await server.stop();
 * ```
 */
export function serveIsolate(
  config: Config,
  reusePort: boolean,
  metrics?: MetricsShare,
  streamsChannel?: string,
): IsolateServer {
  const streamsLink = streamsChannel === undefined
    ? undefined
    : new BroadcastChannel(streamsChannel);
  const services = createServices(config, { warm: true, metricsShare: metrics, streamsLink });
  const log = createLogger(config.quiet);
  const idle = new IdleRelease(config.memoryIdleSeconds * 1000, () => {
    releaseMemory();
    services.metrics.board.add("memoryReleases", 1);
  });
  // Other isolates read this one's gauges from the shared board: kept at most a second old.
  // Once a second, too, the isolate gives memory back if it has been idle long enough.
  const sampler = setInterval(() => {
    services.metrics.sample();
    idle.check(performance.now(), services.open.lastActive, services.open.count > 0);
  }, GAUGE_SAMPLE_MS);
  Deno.unrefTimer(sampler);
  let port = config.port;
  const server = serveRelistening(
    { port: config.port, hostname: config.host, reusePort, onListen() {} },
    createApp(config, { services, log, listeningPort: () => port }),
    (message) => console.error(`pixserve: ${message}`),
  );
  port = server.addr.port;
  return {
    addr: server.addr,
    async stop() {
      clearInterval(sampler);
      // Viewers' responses never end by themselves, and shutdown waits for every response.
      services.streams.close();
      await server.shutdown();
      services.close();
      log.flush();
    },
  };
}

/**
 * Serves the app on `config.workers` isolates and reports where once all listen.
 *
 * @param config The configuration.
 * @returns The servers, the caller's first; stop them all with {@linkcode stopAll}.
 * @throws {PortInUse} Another server listens on the port (checked before sharing it).
 * @throws {Error} A serving worker that could not listen (the others are stopped).
 * @example
 * ```ts ignore
 * import { serveAll } from "./serve.ts";
 *
 * const servers = await serveAll(config);
 * console.log(servers[0].addr.port);
 * ```
 */
export async function serveAll(config: Config): Promise<IsolateServer[]> {
  const share = Object.freeze({
    ...config,
    cacheBytes: Math.floor(config.cacheBytes / config.workers),
    maxInflightBytes: Math.max(1, Math.floor(config.maxInflightBytes / config.workers)),
    maxConnections: Math.max(1, Math.floor(config.maxConnections / config.workers)),
  });
  if (config.workers > 1) assertPortFree(config.host, config.port);
  const buffer = createBoardBuffer(config.workers);
  const streams = config.workers > 1 ? `pixserve-streams-${crypto.randomUUID()}` : undefined;
  const first = serveIsolate(share, config.workers > 1, { buffer, isolate: 0 }, streams);
  const servers = [first];
  const started = [];
  for (let i = 1; i < config.workers; i++) {
    started.push(startWorker({ ...share, port: first.addr.port }, { buffer, isolate: i }, streams));
  }
  const results = await Promise.allSettled(started);
  for (const result of results) {
    if (result.status === "fulfilled") servers.push(result.value);
  }
  const failed = results.find((r) => r.status === "rejected");
  if (failed !== undefined) {
    await stopAll(servers);
    throw failed.reason;
  }
  return servers;
}

/**
 * Stops every server, each finishing its responses in flight.
 *
 * @param servers From {@linkcode serveAll}.
 * @example
 * ```ts ignore
 * import { stopAll } from "./serve.ts";
 *
 * await stopAll(servers);
 * ```
 */
export async function stopAll(servers: readonly IsolateServer[]): Promise<void> {
  await Promise.all(servers.map((s) => s.stop()));
}

/** A serving worker, resolved once it listens. */
function startWorker(
  config: Config,
  metrics: MetricsShare,
  streams: string | undefined,
): Promise<IsolateServer> {
  const worker = new Worker(SERVE_WORKER_URL, { type: "module" });
  let stopped: (() => void) | undefined;
  return new Promise((resolve, reject) => {
    const server: IsolateServer = {
      addr: { transport: "tcp", hostname: config.host, port: config.port },
      stop: () =>
        new Promise<void>((done) => {
          stopped = done;
          worker.postMessage({ stop: true } satisfies ServeCommand);
        }),
    };
    worker.onmessage = (event: MessageEvent<ServeReport>) => {
      const report = event.data;
      if ("listening" in report) resolve(server);
      if ("failed" in report) {
        worker.terminate();
        reject(new Error(report.failed));
      }
      if ("stopped" in report) {
        worker.terminate();
        stopped?.();
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      worker.terminate();
      reject(new Error(`a serving worker failed: ${event.message}`));
      stopped?.();
    };
    worker.postMessage({ start: config, metrics, streams } satisfies ServeCommand);
  });
}
