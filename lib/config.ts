/**
 * Configuration: command-line flags over environment variables over defaults,
 * parsed into a typed, frozen {@linkcode Config}.
 *
 * @module
 */

import { ENCODER_BACKENDS, type EncoderBackend } from "./image/backend.ts";

/** Everything the server can be told at start-up. */
export interface Config {
  /** TCP port; `0` picks a free one. @default {8000} */
  readonly port: number;
  /** Interface to listen on. @default {"127.0.0.1"} */
  readonly host: string;
  /** Absolute, symlink-free path of the folder served by the file routes. @default {"fixtures/"} */
  readonly mediaRoot: string;
  /** Largest image, in pixels, that any route builds or decodes. @default {40000000} */
  readonly maxPixels: number;
  /** Largest request body, in bytes. @default {67108864} */
  readonly maxBodyBytes: number;
  /** `max-age` of `Cache-Control`, in seconds. @default {3600} */
  readonly cacheMaxAge: number;
  /** Bytes the encoded-image cache may hold. @default {67108864} */
  readonly cacheBytes: number;
  /** No request log. @default {false} */
  readonly quiet: boolean;
  /** Isolates serving requests, one per core by default. @default {navigator.hardwareConcurrency} */
  readonly workers: number;
  /**
   * Encode workers of each serving isolate: at least 2, as the kernel may hand one isolate
   * more than its share of connections. @default {max(2, ceil(cores / workers))}
   */
  readonly encodeWorkers: number;
  /** Images that may wait for an encode worker before requests get 503. @default {32} */
  readonly encodeQueue: number;
  /** Who writes JPEG and many-coloured GIF (PNG is always pixserve's). @default {"native"} */
  readonly encoder: EncoderBackend;
  /** Longest request target, in bytes, before 414. @default {8192} */
  readonly maxUrlBytes: number;
  /** Most bytes of request header names and values before 431. @default {32768} */
  readonly maxHeaderBytes: number;
  /** Seconds a request body may send nothing before 408 and a closed connection. @default {30} */
  readonly bodyTimeoutSeconds: number;
  /** Seconds stopping waits for responses in flight before cutting them. @default {10} */
  readonly shutdownGraceSeconds: number;
  /** Bytes of bodies and pixels in flight before requests get 503. @default {536870912} */
  readonly maxInflightBytes: number;
}

/** A setting that cannot be used; the process prints it on one line and exits 2. */
export class ConfigError extends Error {
  /** @param message one line naming the setting and what is wrong with it */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** The environment variables read, each beside the flag that overrides it. */
export const ENV_VARS = {
  port: "PORT",
  host: "HOST",
  mediaRoot: "MEDIA_ROOT",
  maxPixels: "MAX_PIXELS",
  maxBodyBytes: "MAX_BODY_BYTES",
  cacheMaxAge: "CACHE_MAX_AGE",
  cacheBytes: "CACHE_BYTES",
  workers: "WORKERS",
  encodeWorkers: "ENCODE_WORKERS",
  encodeQueue: "ENCODE_QUEUE",
  encoder: "ENCODER",
  maxUrlBytes: "MAX_URL_BYTES",
  maxHeaderBytes: "MAX_HEADER_BYTES",
  bodyTimeoutSeconds: "BODY_TIMEOUT_SECONDS",
  shutdownGraceSeconds: "SHUTDOWN_GRACE_SECONDS",
  maxInflightBytes: "MAX_INFLIGHT_BYTES",
} as const;

const FLAGS: Record<string, keyof typeof ENV_VARS> = {
  "--port": "port",
  "--host": "host",
  "--media-root": "mediaRoot",
  "--max-pixels": "maxPixels",
  "--max-body-bytes": "maxBodyBytes",
  "--cache-max-age": "cacheMaxAge",
  "--cache-bytes": "cacheBytes",
  "--workers": "workers",
  "--encode-workers": "encodeWorkers",
  "--encode-queue": "encodeQueue",
  "--encoder": "encoder",
  "--max-url-bytes": "maxUrlBytes",
  "--max-header-bytes": "maxHeaderBytes",
  "--body-timeout-seconds": "bodyTimeoutSeconds",
  "--shutdown-grace-seconds": "shutdownGraceSeconds",
  "--max-inflight-bytes": "maxInflightBytes",
};

/** The most isolates of one kind (serving, encoding) a setting may ask for. */
const MAX_ISOLATES = 256;

/** The text `--help` prints. */
export const USAGE = `pixserve: serve pixel arrays and image files over HTTP

Usage: deno task start [options]

Options (each also read from the environment variable shown):
  --port N             PORT            TCP port (default 8000; 0 picks a free one)
  --host ADDR          HOST            interface to listen on (default 127.0.0.1)
  --media-root DIR     MEDIA_ROOT      folder served by /files, /stream, /images (default fixtures/)
  --max-pixels N       MAX_PIXELS      largest image in pixels (default 40000000)
  --max-body-bytes N   MAX_BODY_BYTES  largest request body in bytes (default 67108864)
  --cache-max-age N    CACHE_MAX_AGE   Cache-Control max-age in seconds (default 3600)
  --cache-bytes N      CACHE_BYTES     encoded-image cache size in bytes (default 67108864)
  --workers N          WORKERS         isolates serving requests (default: one per core)
  --encode-workers N   ENCODE_WORKERS  encode workers per serving isolate (default: cores/WORKERS, ≥2)
  --encode-queue N     ENCODE_QUEUE    images waiting for an encode worker before 503 (default 32)
  --encoder NAME       ENCODER         jpeg and quantized gif: native or imagescript (default native)
  --max-url-bytes N    MAX_URL_BYTES   longest request target before 414 (default 8192)
  --max-header-bytes N MAX_HEADER_BYTES  request header bytes before 431 (default 32768)
  --body-timeout-seconds N  BODY_TIMEOUT_SECONDS  silence in a request body before 408 (default 30)
  --shutdown-grace-seconds N  SHUTDOWN_GRACE_SECONDS  wait for responses on stop (default 10)
  --max-inflight-bytes N  MAX_INFLIGHT_BYTES  body and pixel bytes in flight before 503 (default 536870912)
  --quiet                              no request log
  --help                               print this text and exit
`;

/** The result of reading the command line: a config to run, or a request for help. */
export type ParsedArgs = { help: true } | { help: false; raw: RawSettings };

/** Settings as strings, before validation. */
export type RawSettings = Partial<Record<keyof typeof ENV_VARS, string>> & {
  quiet?: boolean;
};

/**
 * Reads flags (`--port 9000`, `--port=9000`) and, below them, environment variables.
 *
 * @param args Command-line arguments.
 * @param env Lookup of environment variables.
 * @returns The raw settings, or `{ help: true }`.
 * @throws {ConfigError} An unknown flag or a flag without its value.
 * @example
 * readSettings(["--port", "9000"], () => undefined);
 * // { help: false, raw: { port: "9000" } }
 */
export function readSettings(
  args: readonly string[],
  env: (name: string) => string | undefined,
): ParsedArgs {
  const raw: RawSettings = {};
  for (const key of Object.keys(ENV_VARS) as (keyof typeof ENV_VARS)[]) {
    const value = env(ENV_VARS[key]);
    if (value !== undefined && value !== "") raw[key] = value;
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--help" || arg === "-h") return { help: true };
    if (arg === "--quiet") {
      raw.quiet = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const key = FLAGS[name];
    if (key === undefined) {
      throw new ConfigError(`unknown option ${arg}; see --help`);
    }
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new ConfigError(`${name} needs a value`);
    raw[key] = value;
  }
  return { help: false, raw };
}

function integer(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(
      `${name} must be an integer from ${min} to ${max}, got "${value}"`,
    );
  }
  return n;
}

/**
 * Validates raw settings into a frozen {@linkcode Config}, without touching the disk.
 *
 * @param raw Settings from {@linkcode readSettings}.
 * @param cwd The folder a relative media root is resolved against (asked only then).
 * @param cores CPU cores, for the defaults of `workers` and `encodeWorkers`.
 * @returns The config; `mediaRoot` is absolute but not yet checked on disk.
 * @throws {ConfigError} The first setting that is out of range.
 * @example
 * validateSettings({ port: "abc" }, () => "/srv"); // throws ConfigError: port must be an integer…
 */
export function validateSettings(
  raw: RawSettings,
  cwd: () => string,
  cores: number = navigator.hardwareConcurrency,
): Config {
  const host = raw.host ?? "127.0.0.1";
  if (!/^[A-Za-z0-9.:\-\[\]]+$/.test(host)) {
    throw new ConfigError(
      `host must be a host name or IP address, got "${host}"`,
    );
  }
  const root = raw.mediaRoot ?? "fixtures";
  const encoder = raw.encoder ?? ENCODER_BACKENDS[0];
  if (!(ENCODER_BACKENDS as readonly string[]).includes(encoder)) {
    throw new ConfigError(
      `encoder must be one of ${ENCODER_BACKENDS.join(", ")}, got "${encoder}"`,
    );
  }
  const workers = integer("workers", raw.workers, Math.max(1, cores), 1, MAX_ISOLATES);
  return Object.freeze({
    port: integer("port", raw.port, 8000, 0, 65535),
    host: host.replace(/^\[(.*)\]$/, "$1"),
    mediaRoot: root.startsWith("/") ? root : `${cwd()}/${root}`,
    maxPixels: integer("max pixels", raw.maxPixels, 40_000_000, 1),
    maxBodyBytes: integer(
      "max body bytes",
      raw.maxBodyBytes,
      64 * 1024 * 1024,
      1,
    ),
    cacheMaxAge: integer("cache max age", raw.cacheMaxAge, 3600, 0),
    cacheBytes: integer("cache bytes", raw.cacheBytes, 64 * 1024 * 1024, 0),
    quiet: raw.quiet ?? false,
    workers,
    encodeWorkers: integer(
      "encode workers",
      raw.encodeWorkers,
      Math.max(2, Math.ceil(cores / workers)),
      1,
      MAX_ISOLATES,
    ),
    encodeQueue: integer("encode queue", raw.encodeQueue, 32, 0, 1_000_000),
    encoder: encoder as EncoderBackend,
    maxUrlBytes: integer("max url bytes", raw.maxUrlBytes, 8192, 16),
    maxHeaderBytes: integer("max header bytes", raw.maxHeaderBytes, 32 * 1024, 64),
    bodyTimeoutSeconds: integer("body timeout seconds", raw.bodyTimeoutSeconds, 30, 1, 86400),
    shutdownGraceSeconds: integer(
      "shutdown grace seconds",
      raw.shutdownGraceSeconds,
      10,
      0,
      86400,
    ),
    maxInflightBytes: integer("max inflight bytes", raw.maxInflightBytes, 512 * 1024 * 1024, 1),
  });
}

/**
 * Checks that the media root is a readable folder and pins it to its real path.
 *
 * @param config A validated config.
 * @returns The same config with `mediaRoot` resolved through symlinks.
 * @throws {ConfigError} The media root is missing, not a folder, or unreadable.
 * @example
 * await resolveMediaRoot(validateSettings({}, Deno.cwd));
 */
export async function resolveMediaRoot(config: Config): Promise<Config> {
  let real: string;
  try {
    real = await Deno.realPath(config.mediaRoot);
    if (!(await Deno.stat(real)).isDirectory) {
      throw new ConfigError(`media root ${config.mediaRoot} is not a folder`);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const why = err instanceof Deno.errors.NotFound ? "does not exist" : "cannot be read";
    throw new ConfigError(`media root ${config.mediaRoot} ${why}`);
  }
  return Object.freeze({ ...config, mediaRoot: real });
}

/**
 * Reads, validates and resolves the whole configuration of this process.
 *
 * @param args Command-line arguments.
 * @param env Lookup of environment variables.
 * @param cwd The folder a relative media root is resolved against (asked only then).
 * @returns The config, or `"help"` when `--help` was asked.
 * @throws {ConfigError} Any setting that cannot be used.
 * @example
 * const config = await loadConfig(Deno.args, (name) => Deno.env.get(name), Deno.cwd);
 */
export async function loadConfig(
  args: readonly string[],
  env: (name: string) => string | undefined,
  cwd: () => string,
): Promise<Config | "help"> {
  const parsed = readSettings(args, env);
  if (parsed.help) return "help";
  return await resolveMediaRoot(validateSettings(parsed.raw, cwd));
}
