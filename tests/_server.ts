/**
 * Test harness: the real pixserve app on port 0, talked to with `fetch`.
 *
 * @module
 */

import { type AppOptions, createApp } from "../lib/app.ts";
import { type Config, resolveMediaRoot, validateSettings } from "../lib/config.ts";
import { createServices, type Services } from "../lib/services.ts";

/** The project's folder. */
export const PROJECT_DIR: string = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** A running test server. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** The config it runs with. */
  readonly config: Config;
}

/**
 * A config for tests: defaults, quiet, media root `fixtures/`, then overrides.
 *
 * @param overrides Fields to replace.
 * @returns The config.
 */
export async function testConfig(overrides: Partial<Config> = {}): Promise<Config> {
  const base = await resolveMediaRoot(
    validateSettings({ port: "0", mediaRoot: `${PROJECT_DIR}/fixtures` }, () => PROJECT_DIR),
  );
  return Object.freeze({ ...base, quiet: true, ...overrides });
}

/**
 * Starts the app on port 0, runs `fn`, and shuts the server down.
 *
 * @param fn The test body.
 * @param overrides Config fields to replace.
 * @param options App options (logger, services).
 */
export async function withServer(
  fn: (server: TestServer) => Promise<void>,
  overrides: Partial<Config> = {},
  options: AppOptions = {},
): Promise<void> {
  const config = await testConfig(overrides);
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    createApp(config, options),
  );
  try {
    await fn({ base: `http://127.0.0.1:${server.addr.port}`, config });
  } finally {
    await server.shutdown();
  }
}

/**
 * Services for a test config whose `encode` and `encodeChannels` count their calls.
 *
 * @param overrides Config fields to replace.
 * @returns The services, and `encodes()` giving the count so far.
 */
export async function countingServices(
  overrides: Partial<Config> = {},
): Promise<{ services: Services; encodes: () => number }> {
  const base = createServices(await testConfig(overrides));
  let count = 0;
  const services: Services = {
    ...base,
    encode: (...args) => {
      count++;
      return base.encode(...args);
    },
    encodeChannels: (...args) => {
      count++;
      return base.encodeChannels(...args);
    },
  };
  return { services, encodes: () => count };
}
