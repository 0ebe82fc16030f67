/**
 * nginx, the front tier of `deno task cluster`: Debian's package, installed with apt-get
 * when missing, configured from `deploy/nginx.conf`, run in the foreground.
 *
 * @module
 */

import { aptInstall } from "../apt.ts";

/** Where Debian's `nginx` package puts the server; no other build is used. */
export const NGINX_PATH = "/usr/sbin/nginx";

/** The template of the configuration, in the project. */
export const NGINX_TEMPLATE: URL = new URL("../../deploy/nginx.conf", import.meta.url);

/** nginx is missing and could not be installed, or will not start. */
export class NginxError extends Error {
  /**
   * Creates a `NginxError`.
   *
   * @param message One line saying what went wrong and what to do.
   */
  constructor(message: string) {
    super(message);
    this.name = "NginxError";
  }
}

/** What the template's `{{…}}` fields are filled with. */
export interface NginxFields {
  /** The folder holding the configuration, pid, logs, temporary files and cache. */
  readonly dir: string;
  /** `listen` address: `host:port`, an IPv6 host in brackets. */
  readonly listen: string;
  /** The instances' `host:port` addresses. */
  readonly upstreams: readonly string[];
  /** `client_max_body_size`, in bytes: pixserve's `MAX_BODY_BYTES`. */
  readonly maxBodyBytes: number;
  /** `max_size` of the cache on disk, in nginx's notation (`512m`, `1g`). */
  readonly cacheMaxSize: string;
}

/**
 * The configuration for a cluster: the template with every field filled in.
 *
 * @param template The text of `deploy/nginx.conf`.
 * @param fields The values.
 * @returns The configuration.
 * @throws {NginxError} The template has a field this function does not know.
 * @example
 * renderNginxConf(await Deno.readTextFile(NGINX_TEMPLATE), {
 *   dir: "/tmp/c", listen: "127.0.0.1:8080", upstreams: ["127.0.0.1:8001"],
 *   maxBodyBytes: 67108864, cacheMaxSize: "1g",
 * });
 */
export function renderNginxConf(template: string, fields: NginxFields): string {
  const values: Record<string, string> = {
    dir: fields.dir,
    listen: fields.listen,
    upstreams: fields.upstreams
      .map((address) => `    server ${address} max_fails=0;`)
      .join("\n"),
    max_body_bytes: String(fields.maxBodyBytes),
    cache_max_size: fields.cacheMaxSize,
  };
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new NginxError(`deploy/nginx.conf has an unknown field {{${name}}}`);
    }
    return value;
  });
}

/**
 * Whether nginx is installed.
 *
 * @returns `true` when {@linkcode NGINX_PATH} is a file.
 * @example
 * if (!(await nginxInstalled())) console.log("apt-get install nginx");
 */
export async function nginxInstalled(): Promise<boolean> {
  try {
    return (await Deno.stat(NGINX_PATH)).isFile;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/**
 * Installs Debian's nginx with apt-get when it is missing.
 *
 * @param say Where the one line announcing the installation goes.
 * @throws {NginxError} It is missing and apt-get could not install it (not root, offline).
 * @example
 * await ensureNginx(console.error);
 */
export async function ensureNginx(say: (line: string) => void): Promise<void> {
  if (await nginxInstalled()) return;
  say(`${NGINX_PATH} is missing; installing Debian's nginx with apt-get`);
  const installed = await aptInstall(["--no-install-recommends", "nginx"], "null") &&
    await nginxInstalled();
  if (!installed) {
    throw new NginxError(
      `nginx is needed at ${NGINX_PATH}: install Debian's package with ` +
        `"apt-get update && apt-get install -y nginx" (as root), then run this again`,
    );
  }
}

/**
 * Prepares the cluster's folder: readable by nginx's workers (they run as `nobody` when
 * the master is root), with `logs/` and `temp/`, and writes the configuration into it.
 *
 * @param fields The values of the template; `fields.dir` exists.
 * @returns The path of the configuration written.
 * @example
 * const conf = await writeNginxConf(fields);
 */
export async function writeNginxConf(fields: NginxFields): Promise<string> {
  await Deno.chmod(fields.dir, 0o755);
  await Deno.mkdir(`${fields.dir}/logs`, { recursive: true });
  await Deno.mkdir(`${fields.dir}/temp`, { recursive: true });
  const path = `${fields.dir}/nginx.conf`;
  await Deno.writeTextFile(path, renderNginxConf(await Deno.readTextFile(NGINX_TEMPLATE), fields));
  return path;
}

/**
 * Starts nginx in the foreground (the configuration says `daemon off`) with its prefix in
 * the cluster's folder.
 *
 * @param dir The cluster's folder, holding `nginx.conf`.
 * @returns The master process; SIGQUIT stops it gracefully.
 * @example
 * const nginx = startNginx("/tmp/cluster");
 */
export function startNginx(dir: string): Deno.ChildProcess {
  return new Deno.Command(NGINX_PATH, {
    args: ["-p", `${dir}/`, "-c", `${dir}/nginx.conf`],
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
}

/**
 * Keeps nginx's cache folder in place: nginx creates the cache's subfolders as it needs
 * them, but not the folder itself, so once it is removed every answer would be a miss
 * until a restart. This makes it again at once, owned like nginx's own `temp/proxy` (by its
 * workers' user) and private to it like that one.
 *
 * @param dir The cluster's folder (`cache/` and `temp/proxy/` are inside).
 * @param say Where a failure to make it again is reported (the cache then stays off).
 * @returns A function that stops watching.
 * @example
 * const stop = keepCacheFolder("/tmp/cluster", console.error);
 * stop();
 */
export function keepCacheFolder(dir: string, say: (line: string) => void): () => void {
  const cache = `${dir}/cache`;
  const watcher = Deno.watchFs(dir, { recursive: false });
  (async () => {
    for await (const event of watcher) {
      if (event.kind !== "remove" || !event.paths.includes(cache)) continue;
      await makeCacheFolder(dir).catch((err) =>
        say(`cannot make ${cache} again (${err instanceof Error ? err.message : err})`)
      );
    }
  })();
  return () => watcher.close();
}

/**
 * Makes `cache/` beside it and renames it into place, so that nginx never sees a folder it
 * cannot enter (its workers would answer 500 rather than miss).
 */
async function makeCacheFolder(dir: string): Promise<void> {
  const owner = await Deno.stat(`${dir}/temp/proxy`);
  const fresh = await Deno.makeTempDir({ dir, prefix: ".cache-" });
  try {
    await Deno.chmod(fresh, 0o700);
    if (owner.uid !== null && owner.gid !== null) await Deno.chown(fresh, owner.uid, owner.gid);
    await Deno.rename(fresh, `${dir}/cache`);
  } catch (err) {
    await Deno.remove(fresh);
    if (!(err instanceof Deno.errors.AlreadyExists || err instanceof Deno.errors.NotFound)) {
      throw err;
    }
  }
}
