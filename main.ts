/**
 * The pixserve server: reads the configuration, serves the app on `WORKERS` isolates
 * (one per core by default), and on SIGINT/SIGTERM stops accepting, finishes in-flight
 * responses in every isolate (cutting what is left after `SHUTDOWN_GRACE_SECONDS`) and
 * exits 0.
 *
 * Started by `deno task start` (see `lib/launch.ts`, which grants the
 * narrowest permissions for the configured media root, host and port).
 *
 * @module
 */

import { startupConfig } from "./lib/config.ts";
import { serveAll, stopAll } from "./lib/serve.ts";
import { once, STOP_ON_STDIN_EOF, stopWithin, watchStdinEnd } from "./lib/stop.ts";

if (import.meta.main) {
  const config = await startupConfig(Deno.args);
  if (typeof config === "number") Deno.exit(config);
  let servers;
  try {
    servers = await serveAll(config);
  } catch (err) {
    console.error(`pixserve: ${err instanceof Error ? err.message : String(err)}`);
    Deno.exit(1);
  }
  const { hostname, port } = servers[0].addr;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  console.log(
    `pixserve listening on http://${host}:${port}/ (media root ${config.mediaRoot}, ` +
      `${config.workers} isolates × ${config.encodeWorkers} encode workers)`,
  );
  const stopped = Promise.withResolvers<void>();
  const stop = once(() => {
    stopWithin(() => stopAll(servers), config.shutdownGraceSeconds).then(() => stopped.resolve());
  });
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  if (Deno.env.get(STOP_ON_STDIN_EOF) === "1") watchStdinEnd(stop);
  await stopped.promise;
  Deno.exit(0);
}
