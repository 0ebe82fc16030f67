/**
 * The pixserve server: reads the configuration, serves the app, and on
 * SIGINT/SIGTERM stops accepting, finishes in-flight responses and exits 0.
 *
 * Started by `deno task start` (see `lib/launch.ts`, which grants the
 * narrowest permissions for the configured media root, host and port).
 *
 * @module
 */

import { createApp } from "./lib/app.ts";
import { ConfigError, loadConfig, USAGE } from "./lib/config.ts";

if (import.meta.main) {
  let config;
  try {
    config = await loadConfig(
      Deno.args,
      (name) => Deno.env.get(name),
      Deno.cwd,
    );
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`pixserve: ${err.message}`);
    Deno.exit(2);
  }
  if (config === "help") {
    console.log(USAGE);
    Deno.exit(0);
  }
  const server = Deno.serve({
    port: config.port,
    hostname: config.host,
    onListen: ({ hostname, port }) => {
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      console.log(
        `pixserve listening on http://${host}:${port}/ (media root ${config.mediaRoot})`,
      );
    },
  }, createApp(config));
  const stop = () => server.shutdown();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  await server.finished;
  Deno.exit(0);
}
