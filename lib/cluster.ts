/**
 * `deno task cluster`: `INSTANCES` stateless pixserve instances, each on its own port of
 * 127.0.0.1, behind nginx on `HOST:PORT`, which caches their answers in `CACHE_DIR` (a
 * temporary folder by default, removed at exit).
 *
 * - SIGINT, SIGTERM: nginx stops gracefully, then every instance (each finishing its
 *   responses in flight); the launcher exits 0 and nothing it started is left running.
 * - SIGHUP: a rolling restart, one instance at a time (SIGTERM, wait, start again, wait
 *   until it listens); an instance that had died is started again too. nginx sends the
 *   requests elsewhere meanwhile.
 * - An instance that dies is reported; nginx's failover takes its requests.
 *
 * nginx is Debian's package, installed with apt-get when missing.
 *
 * @module
 */

import {
  type Config,
  ConfigError,
  readSettings,
  resolveMediaRoot,
  USAGE,
  validateSettings,
} from "./config.ts";
import {
  describeStatus,
  type Instance,
  instanceFlags,
  startInstance,
  stopInstance,
} from "./cluster/instance.ts";
import {
  ensureNginx,
  keepCacheFolder,
  NginxError,
  startNginx,
  writeNginxConf,
} from "./cluster/nginx.ts";

/** What the cluster is told at start-up, beside pixserve's own settings. */
export interface ClusterSettings {
  /** pixserve instances. @default {navigator.hardwareConcurrency} */
  readonly instances: number;
  /** nginx's folder (configuration, logs, cache); a temporary one when absent. */
  readonly cacheDir?: string;
  /** Largest size of nginx's cache on disk, nginx's notation. @default {"1g"} */
  readonly cacheMaxSize: string;
  /** pixserve's own flags, passed on to every instance. */
  readonly pixserveArgs: readonly string[];
  /** Whether WORKERS or `--workers` was given (else each instance serves on one isolate). */
  readonly workersSet: boolean;
  /** pixserve's configuration: `host` and `port` are nginx's. */
  readonly config: Config;
}

/** The environment variables of the cluster, beside pixserve's. */
export const CLUSTER_ENV_VARS = {
  instances: "INSTANCES",
  cacheDir: "CACHE_DIR",
  cacheMaxSize: "CACHE_MAX_SIZE",
} as const;

/** The text `deno task cluster --help` prints. */
export const CLUSTER_USAGE = `pixserve cluster: instances of pixserve behind nginx's cache

Usage: deno task cluster [options]

Cluster options (each also read from the environment variable shown):
  --instances N        INSTANCES       pixserve instances (default: one per core)
  --cache-dir DIR      CACHE_DIR       nginx's configuration, logs and cache (default: a
                                       temporary folder, removed at exit)
  --cache-max-size S   CACHE_MAX_SIZE  largest cache on disk, e.g. 512m, 4g (default 1g)

HOST and PORT are nginx's; each instance listens on a port of its own on 127.0.0.1 and
serves on one isolate unless WORKERS is set. The other options go to every instance:

${USAGE.slice(USAGE.indexOf("Options"))}`;

const CLUSTER_FLAGS: Record<string, keyof typeof CLUSTER_ENV_VARS> = {
  "--instances": "instances",
  "--cache-dir": "cacheDir",
  "--cache-max-size": "cacheMaxSize",
};

/**
 * Reads the cluster's settings: its own flags and variables, then pixserve's.
 *
 * @param args Command-line arguments.
 * @param env Lookup of environment variables.
 * @param cwd The folder relative paths are resolved against.
 * @returns The settings, or `"help"`.
 * @throws {ConfigError} A setting that cannot be used.
 * @example
 * await readClusterSettings(["--instances", "2"], (n) => Deno.env.get(n), Deno.cwd);
 */
export async function readClusterSettings(
  args: readonly string[],
  env: (name: string) => string | undefined,
  cwd: () => string,
): Promise<ClusterSettings | "help"> {
  const own: Partial<Record<keyof typeof CLUSTER_ENV_VARS, string>> = {};
  for (const [key, name] of Object.entries(CLUSTER_ENV_VARS)) {
    const value = env(name);
    if (value !== undefined && value !== "") own[key as keyof typeof CLUSTER_ENV_VARS] = value;
  }
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const eq = args[i].indexOf("=");
    const name = eq === -1 ? args[i] : args[i].slice(0, eq);
    const key = CLUSTER_FLAGS[name];
    if (key === undefined) {
      rest.push(args[i]);
      continue;
    }
    const value = eq === -1 ? args[++i] : args[i].slice(eq + 1);
    if (value === undefined) throw new ConfigError(`${name} needs a value`);
    own[key] = value;
  }
  const parsed = readSettings(rest, env);
  if (parsed.help) return "help";
  const config = await resolveMediaRoot(validateSettings(parsed.raw, cwd));
  const instances = own.instances ?? String(Math.max(1, navigator.hardwareConcurrency));
  if (!/^\d+$/.test(instances) || Number(instances) < 1 || Number(instances) > 64) {
    throw new ConfigError(`instances must be an integer from 1 to 64, got "${instances}"`);
  }
  const cacheMaxSize = own.cacheMaxSize ?? "1g";
  if (!/^\d+[kmg]?$/i.test(cacheMaxSize)) {
    throw new ConfigError(
      `cache max size must be bytes or a size like 512m or 4g, got "${cacheMaxSize}"`,
    );
  }
  const cacheDir = own.cacheDir === undefined
    ? undefined
    : own.cacheDir.startsWith("/")
    ? own.cacheDir
    : `${cwd()}/${own.cacheDir}`;
  // nginx takes HOST and PORT; the instances get theirs from the cluster.
  const pixserveArgs = rest.filter((arg, i) =>
    !/^--(host|port)(=|$)/.test(arg) && !/^--(host|port)$/.test(rest[i - 1] ?? "")
  );
  return {
    instances: Number(instances),
    cacheDir,
    cacheMaxSize,
    pixserveArgs,
    workersSet: parsed.raw.workers !== undefined,
    config,
  };
}

/**
 * Ports that are free now on 127.0.0.1, distinct: all are held at once, then let go.
 *
 * @param count How many.
 * @returns The ports.
 * @example
 * freePorts(2); // [41231, 38877]
 */
export function freePorts(count: number): number[] {
  const listeners = Array.from(
    { length: count },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => l.addr.port);
  for (const listener of listeners) listener.close();
  return ports;
}

/**
 * Waits until nginx answers `/health` (from an instance, through the proxy) with 200, or
 * nginx exits.
 *
 * @param base nginx's address.
 * @param nginx Its process.
 * @throws {NginxError} It exited, or did not answer within 30 s.
 */
async function awaitNginx(base: string, nginx: Deno.ChildProcess): Promise<void> {
  let exited = false;
  nginx.status.then(() => exited = true);
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  try {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && !exited;) {
      try {
        const res = await fetch(`${base}/health`, { client });
        await res.body?.cancel();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    client.close();
  }
  throw new NginxError(
    exited ? "nginx exited at start-up (its reason is above)" : "nginx did not answer in 30 s",
  );
}

/** A running cluster. */
class Cluster {
  readonly #settings: ClusterSettings;
  readonly #projectDir: string;
  readonly #instances: Instance[] = [];
  #nginx?: Deno.ChildProcess;
  #stopping = false;
  #restarting: Promise<void> = Promise.resolve();
  /** Instances stopped on purpose, whose exit is not news. */
  readonly #stopped = new WeakSet<Instance>();
  /** Instances that have exited. */
  readonly #exited = new WeakSet<Instance>();

  constructor(settings: ClusterSettings, projectDir: string) {
    this.#settings = settings;
    this.#projectDir = projectDir;
  }

  /** Starts the instances, then nginx; resolves with nginx's address once it answers. */
  async start(dir: string): Promise<string> {
    const { config, instances, cacheMaxSize } = this.#settings;
    const [front, ...ports] = freePorts(instances + 1);
    const started = await Promise.allSettled(ports.map((port) => this.#startInstance(port)));
    for (const result of started) {
      if (result.status === "fulfilled") this.#instances.push(result.value);
    }
    const failed = started.find((r) => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    const port = config.port === 0 ? front : config.port;
    const host = config.host.includes(":") ? `[${config.host}]` : config.host;
    await writeNginxConf({
      dir,
      listen: `${host}:${port}`,
      upstreams: ports.map((p) => `127.0.0.1:${p}`),
      maxBodyBytes: config.maxBodyBytes,
      cacheMaxSize,
    });
    this.#nginx = startNginx(dir);
    const base = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
    await awaitNginx(base, this.#nginx);
    return `http://${host}:${port}`;
  }

  /** nginx's process (after {@linkcode start}). */
  get nginx(): Deno.ChildProcess | undefined {
    return this.#nginx;
  }

  /** Whether {@linkcode stop} was called. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** The instances' ports. */
  get ports(): number[] {
    return this.#instances.map((i) => i.port);
  }

  /** Restarts every instance, one at a time; calls made meanwhile wait their turn. */
  rollingRestart(): Promise<void> {
    this.#restarting = this.#restarting.then(async () => {
      // Dead instances first: stopping a live one while another is dead would leave none.
      const order = [...this.#instances.keys()].sort((a, b) =>
        Number(this.#exited.has(this.#instances[b])) - Number(this.#exited.has(this.#instances[a]))
      );
      for (const i of order) {
        const instance = this.#instances[i];
        if (this.#stopping) return;
        this.#stopped.add(instance);
        await stopInstance(instance, "SIGTERM");
        if (this.#stopping) return;
        try {
          this.#instances[i] = await this.#startInstance(instance.port);
          console.error(`pixserve cluster: instance on port ${instance.port} restarted`);
        } catch (err) {
          console.error(`pixserve cluster: ${err instanceof Error ? err.message : err}`);
        }
      }
      console.error("pixserve cluster: rolling restart done");
    });
    return this.#restarting;
  }

  /** Stops nginx gracefully, then every instance; waits for all. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#nginx !== undefined) {
      try {
        this.#nginx.kill("SIGQUIT");
      } catch {
        // it has exited
      }
      await this.#nginx.status;
    }
    await this.#restarting;
    await Promise.all(this.#instances.map((instance) => stopInstance(instance, "SIGTERM")));
  }

  async #startInstance(port: number): Promise<Instance> {
    const { config, pixserveArgs, workersSet } = this.#settings;
    const workers = workersSet ? config.workers : 1;
    const instance = await startInstance(
      { ...config, host: "127.0.0.1", port, workers },
      instanceFlags(pixserveArgs, port, workersSet),
      this.#projectDir,
    );
    instance.exited.then((status) => {
      this.#exited.add(instance);
      if (this.#stopping || this.#stopped.has(instance)) return;
      console.error(
        `pixserve cluster: instance on port ${port} exited with ${describeStatus(status)}; ` +
          `nginx sends its requests to the others (SIGHUP starts it again)`,
      );
    });
    return instance;
  }
}

async function main(): Promise<number> {
  let settings: ClusterSettings | "help";
  try {
    settings = await readClusterSettings(Deno.args, (name) => Deno.env.get(name), Deno.cwd);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`pixserve cluster: ${err.message}`);
    return 2;
  }
  if (settings === "help") {
    console.log(CLUSTER_USAGE);
    return 0;
  }
  const stop = Promise.withResolvers<void>();
  const onStop = () => stop.resolve();
  Deno.addSignalListener("SIGINT", onStop);
  Deno.addSignalListener("SIGTERM", onStop);
  const dir = settings.cacheDir ?? await Deno.makeTempDir({ prefix: "pixserve-cluster-" });
  await Deno.mkdir(dir, { recursive: true });
  const projectDir = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const cluster = new Cluster(settings, projectDir);
  let code = 0;
  let stopWatching = () => {};
  try {
    await ensureNginx((line) => console.error(`pixserve cluster: ${line}`));
    const base = await cluster.start(dir);
    console.log(
      `pixserve cluster listening on ${base}/ (nginx in front of ${settings.instances} ` +
        `instances on 127.0.0.1:${cluster.ports.join(",")}; cache and logs in ${dir})`,
    );
    Deno.addSignalListener("SIGHUP", () => cluster.rollingRestart());
    stopWatching = keepCacheFolder(dir, (line) => console.error(`pixserve cluster: ${line}`));
    const nginxExit = cluster.nginx!.status.then((status) => {
      if (cluster.stopping) return;
      console.error(`pixserve cluster: nginx exited with ${describeStatus(status)}; stopping`);
      code = 1;
    });
    await Promise.race([stop.promise, nginxExit]);
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    console.error(`pixserve cluster: ${err.message}`);
    code = 1;
  }
  stopWatching();
  await cluster.stop();
  if (settings.cacheDir === undefined) await Deno.remove(dir, { recursive: true });
  return code;
}

if (import.meta.main) Deno.exit(await main());
