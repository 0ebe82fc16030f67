/**
 * Configuration: command-line flags over environment variables over defaults,
 * parsed into a typed, frozen {@linkcode Config}.
 *
 * @module
 */

import { parseSigningKeys } from "./http/signature.ts";
import { ENCODER_BACKENDS, type EncoderBackend } from "./image/backend.ts";
import { VERSION } from "./version.ts";

/**
 * The value of each setting that is not given, stated once: `--help`, the checks and the
 * docs read it from here. (`workers` and `encodeWorkers` follow the CPU count instead.)
 *
 * @example
 * ```ts
 * import { DEFAULTS } from "./config.ts";
 *
 * console.log(DEFAULTS.port); // 8000
 * ```
 */
export const DEFAULTS = Object.freeze({
  port: 8000,
  host: "127.0.0.1",
  mediaRoot: "fixtures",
  maxPixels: 40_000_000,
  maxFrames: 1000,
  maxBodyBytes: 64 * 1024 * 1024,
  cacheMaxAge: 3600,
  cacheBytes: 64 * 1024 * 1024,
  encodeQueue: 32,
  encoder: ENCODER_BACKENDS[0],
  maxStreams: 16,
  maxViewers: 256,
  streamIdleSeconds: 300,
  maxVariants: 64,
  maxUrlBytes: 8192,
  maxHeaderBytes: 32 * 1024,
  bodyTimeoutSeconds: 30,
  shutdownGraceSeconds: 10,
  maxInflightBytes: 512 * 1024 * 1024,
  maxConnections: 1024,
  memoryIdleSeconds: 30,
});

/** Everything the server can be told at start-up; unset settings take {@linkcode DEFAULTS}. */
export interface Config {
  /** TCP port; `0` picks a free one. */
  readonly port: number;
  /** Interface to listen on. */
  readonly host: string;
  /** Absolute, symlink-free path of the folder served by the file routes. */
  readonly mediaRoot: string;
  /** Largest image, in pixels, that any route builds or decodes. */
  readonly maxPixels: number;
  /** Most frames of a stack or animation any route builds or decodes. */
  readonly maxFrames: number;
  /** Largest request body, in bytes. */
  readonly maxBodyBytes: number;
  /** `max-age` of `Cache-Control`, in seconds. */
  readonly cacheMaxAge: number;
  /** `s-maxage` of `Cache-Control` for shared caches (a proxy, a CDN), in seconds; `null` sends none. @default {null} */
  readonly cacheSMaxAge: number | null;
  /** Bytes the encoded-image cache may hold. */
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
  /** Images that may wait for an encode worker before requests get 503. */
  readonly encodeQueue: number;
  /** Who writes JPEG and many-coloured GIF (PNG is always pixserve's). */
  readonly encoder: EncoderBackend;
  /** Serve `GET /metrics`. @default {true} */
  readonly metrics: boolean;
  /** Log the client address from the last `X-Forwarded-For` entry (set by a trusted proxy). @default {false} */
  readonly trustProxy: boolean;
  /** Live streams that may exist at once. */
  readonly maxStreams: number;
  /** Viewers of live streams at once, over all streams. */
  readonly maxViewers: number;
  /** Seconds without frames and viewers after which a stream is dropped. */
  readonly streamIdleSeconds: number;
  /** HMAC keys of signed `/images` URLs (hex, comma-separated); none: unsigned. */
  readonly signingKeys: readonly Uint8Array<ArrayBuffer>[];
  /** Variants of one source kept in the cache; past it the least used leave. */
  readonly maxVariants: number;
  /** Longest request target, in bytes, before 414. */
  readonly maxUrlBytes: number;
  /** Most bytes of request header names and values before 431. */
  readonly maxHeaderBytes: number;
  /** Seconds a request body may send nothing before 408 and a closed connection. */
  readonly bodyTimeoutSeconds: number;
  /** Seconds stopping waits for responses in flight before cutting them. */
  readonly shutdownGraceSeconds: number;
  /** Bytes of bodies and pixels in flight before requests get 503. */
  readonly maxInflightBytes: number;
  /**
   * Requests being answered and responses being sent (downloads, live streams) before
   * requests get 503 `server_busy`: what the runtime lets an application count of its
   * connections (an idle keep-alive connection is not counted).
   */
  readonly maxConnections: number;
  /**
   * Seconds without work after which memory is given back: every isolate that worked
   * (serving, encoding, decoding) collects its garbage and the C heap is trimmed.
   */
  readonly memoryIdleSeconds: number;
}

/** A setting that cannot be used; the process prints it on one line and exits 2. */
export class ConfigError extends Error {
  /**
   * Creates the error.
   *
   * @param message one line naming the setting and what is wrong with it
   */
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
  maxFrames: "MAX_FRAMES",
  maxBodyBytes: "MAX_BODY_BYTES",
  cacheMaxAge: "CACHE_MAX_AGE",
  cacheSMaxAge: "CACHE_S_MAXAGE",
  cacheBytes: "CACHE_BYTES",
  workers: "WORKERS",
  encodeWorkers: "ENCODE_WORKERS",
  encodeQueue: "ENCODE_QUEUE",
  encoder: "ENCODER",
  metrics: "METRICS",
  trustProxy: "TRUST_PROXY",
  maxStreams: "MAX_STREAMS",
  maxViewers: "MAX_VIEWERS",
  streamIdleSeconds: "STREAM_IDLE_SECONDS",
  signingKeys: "SIGNING_KEYS",
  maxVariants: "MAX_VARIANTS",
  maxUrlBytes: "MAX_URL_BYTES",
  maxHeaderBytes: "MAX_HEADER_BYTES",
  bodyTimeoutSeconds: "BODY_TIMEOUT_SECONDS",
  shutdownGraceSeconds: "SHUTDOWN_GRACE_SECONDS",
  maxInflightBytes: "MAX_INFLIGHT_BYTES",
  maxConnections: "MAX_CONNECTIONS",
  memoryIdleSeconds: "MEMORY_IDLE_SECONDS",
} as const;

const FLAGS: Record<string, keyof typeof ENV_VARS> = {
  "--port": "port",
  "--host": "host",
  "--media-root": "mediaRoot",
  "--max-pixels": "maxPixels",
  "--max-frames": "maxFrames",
  "--max-body-bytes": "maxBodyBytes",
  "--cache-max-age": "cacheMaxAge",
  "--cache-s-maxage": "cacheSMaxAge",
  "--cache-bytes": "cacheBytes",
  "--workers": "workers",
  "--encode-workers": "encodeWorkers",
  "--encode-queue": "encodeQueue",
  "--encoder": "encoder",
  "--metrics": "metrics",
  "--trust-proxy": "trustProxy",
  "--max-streams": "maxStreams",
  "--max-viewers": "maxViewers",
  "--stream-idle-seconds": "streamIdleSeconds",
  "--signing-keys": "signingKeys",
  "--max-variants": "maxVariants",
  "--max-url-bytes": "maxUrlBytes",
  "--max-header-bytes": "maxHeaderBytes",
  "--body-timeout-seconds": "bodyTimeoutSeconds",
  "--shutdown-grace-seconds": "shutdownGraceSeconds",
  "--max-inflight-bytes": "maxInflightBytes",
  "--max-connections": "maxConnections",
  "--memory-idle-seconds": "memoryIdleSeconds",
};

/** The most isolates of one kind (serving, encoding) a setting may ask for. */
const MAX_ISOLATES = 256;

/** The text `--help` prints. */
export const USAGE = `pixserve: serve pixel arrays and image files over HTTP

Usage: deno task start [options]

Options (each also read from the environment variable shown):
  --port N             PORT            TCP port (default ${DEFAULTS.port}; 0 picks a free one)
  --host ADDR          HOST            interface to listen on (default ${DEFAULTS.host})
  --media-root DIR     MEDIA_ROOT      folder served by /files, /stream, /images (default ${DEFAULTS.mediaRoot}/)
  --max-pixels N       MAX_PIXELS      largest image in pixels (default ${DEFAULTS.maxPixels})
  --max-frames N       MAX_FRAMES      most frames of a stack or animation (default ${DEFAULTS.maxFrames})
  --max-body-bytes N   MAX_BODY_BYTES  largest request body in bytes (default ${DEFAULTS.maxBodyBytes})
  --cache-max-age N    CACHE_MAX_AGE   Cache-Control max-age in seconds (default ${DEFAULTS.cacheMaxAge})
  --cache-s-maxage N   CACHE_S_MAXAGE  Cache-Control s-maxage for shared caches (default: none)
  --cache-bytes N      CACHE_BYTES     encoded-image cache size in bytes (default ${DEFAULTS.cacheBytes})
  --workers N          WORKERS         isolates serving requests (default: one per core)
  --encode-workers N   ENCODE_WORKERS  encode workers per serving isolate (default: cores/WORKERS, ≥2)
  --encode-queue N     ENCODE_QUEUE    images waiting for an encode worker before 503 (default ${DEFAULTS.encodeQueue})
  --encoder NAME       ENCODER         jpeg and quantized gif: native or imagescript (default ${DEFAULTS.encoder})
  --metrics on|off     METRICS         serve GET /metrics (default on)
  --trust-proxy on|off TRUST_PROXY     log the client from X-Forwarded-For (default off)
  --max-streams N      MAX_STREAMS     live streams at once (default ${DEFAULTS.maxStreams})
  --max-viewers N      MAX_VIEWERS     live-stream viewers at once, all streams (default ${DEFAULTS.maxViewers})
  --stream-idle-seconds N STREAM_IDLE_SECONDS  drop a stream this long without frames
                                       and viewers (default ${DEFAULTS.streamIdleSeconds})
  --signing-keys K,K   SIGNING_KEYS    hex HMAC keys: /images with transforms need ?s= (default none)
  --max-variants N     MAX_VARIANTS    cached variants of one source image (default ${DEFAULTS.maxVariants})
  --max-url-bytes N    MAX_URL_BYTES   longest request target before 414 (default ${DEFAULTS.maxUrlBytes})
  --max-header-bytes N MAX_HEADER_BYTES  request header bytes before 431 (default ${DEFAULTS.maxHeaderBytes})
  --body-timeout-seconds N  BODY_TIMEOUT_SECONDS  silence in a request body before 408 (default ${DEFAULTS.bodyTimeoutSeconds})
  --shutdown-grace-seconds N  SHUTDOWN_GRACE_SECONDS  wait for responses on stop (default ${DEFAULTS.shutdownGraceSeconds})
  --max-inflight-bytes N  MAX_INFLIGHT_BYTES  body and pixel bytes in flight before 503 (default ${DEFAULTS.maxInflightBytes})
  --max-connections N  MAX_CONNECTIONS  requests being answered or sent before 503 (default ${DEFAULTS.maxConnections})
  --memory-idle-seconds N  MEMORY_IDLE_SECONDS  idle time before memory is given back (default ${DEFAULTS.memoryIdleSeconds})
  --quiet                              no request log
  --help                               print this text and exit
  --version                            print the version and exit
`;

/**
 * The result of reading the command line: a config to run, or a request for help
 * (`version` set when it was `--version`).
 */
export type ParsedArgs = { help: true; version?: true } | { help: false; raw: RawSettings };

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
 * ```ts
 * import { readSettings } from "./config.ts";
 *
 * readSettings(["--port", "9000"], () => undefined);
 * // { help: false, raw: { port: "9000" } }
 * ```
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
    if (arg === "--version" || arg === "-V") return { help: true, version: true };
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

/** Words that switch a setting on or off. */
const SWITCHES: Readonly<Record<string, boolean>> = {
  on: true,
  off: false,
  true: true,
  false: false,
  yes: true,
  no: false,
  "1": true,
  "0": false,
};

function onOff(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  const on = SWITCHES[value.trim().toLowerCase()];
  if (on === undefined) {
    throw new ConfigError(
      `${name} must be on or off (also true/false, yes/no, 1/0), got "${value}"`,
    );
  }
  return on;
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

function signingKeys(value: string | undefined): Uint8Array<ArrayBuffer>[] {
  try {
    return parseSigningKeys(value ?? "");
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  }
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
 * ```ts
 * import { ConfigError, validateSettings } from "./config.ts";
 *
 * validateSettings({ port: "8000" }, () => "/srv").port; // 8000
 * try {
 *   validateSettings({ port: "abc" }, () => "/srv");
 * } catch (err) {
 *   console.log(err instanceof ConfigError, (err as Error).message); // true "port must be an integer…"
 * }
 * ```
 */
export function validateSettings(
  raw: RawSettings,
  cwd: () => string,
  cores: number = navigator.hardwareConcurrency,
): Config {
  const host = raw.host ?? DEFAULTS.host;
  if (!/^[A-Za-z0-9.:\-\[\]]+$/.test(host)) {
    throw new ConfigError(
      `host must be a host name or IP address, got "${host}"`,
    );
  }
  const root = raw.mediaRoot ?? DEFAULTS.mediaRoot;
  const encoder = raw.encoder ?? DEFAULTS.encoder;
  if (!(ENCODER_BACKENDS as readonly string[]).includes(encoder)) {
    throw new ConfigError(
      `encoder must be one of ${ENCODER_BACKENDS.join(", ")}, got "${encoder}"`,
    );
  }
  const workers = integer("workers", raw.workers, Math.max(1, cores), 1, MAX_ISOLATES);
  return Object.freeze({
    port: integer("port", raw.port, DEFAULTS.port, 0, 65535),
    host: host.replace(/^\[(.*)\]$/, "$1"),
    mediaRoot: root.startsWith("/") ? root : `${cwd()}/${root}`,
    maxPixels: integer("max pixels", raw.maxPixels, DEFAULTS.maxPixels, 1),
    maxFrames: integer("max frames", raw.maxFrames, DEFAULTS.maxFrames, 1),
    maxBodyBytes: integer(
      "max body bytes",
      raw.maxBodyBytes,
      DEFAULTS.maxBodyBytes,
      1,
    ),
    cacheMaxAge: integer("cache max age", raw.cacheMaxAge, DEFAULTS.cacheMaxAge, 0),
    cacheSMaxAge: raw.cacheSMaxAge === undefined
      ? null
      : integer("cache s-maxage", raw.cacheSMaxAge, 0, 0),
    cacheBytes: integer("cache bytes", raw.cacheBytes, DEFAULTS.cacheBytes, 0),
    quiet: raw.quiet ?? false,
    workers,
    encodeWorkers: integer(
      "encode workers",
      raw.encodeWorkers,
      Math.max(2, Math.ceil(cores / workers)),
      1,
      MAX_ISOLATES,
    ),
    encodeQueue: integer("encode queue", raw.encodeQueue, DEFAULTS.encodeQueue, 0, 1_000_000),
    encoder: encoder as EncoderBackend,
    metrics: onOff("metrics", raw.metrics, true),
    trustProxy: onOff("trust proxy", raw.trustProxy, false),
    maxStreams: integer("max streams", raw.maxStreams, DEFAULTS.maxStreams, 1, 1_000_000),
    maxViewers: integer("max viewers", raw.maxViewers, DEFAULTS.maxViewers, 0, 1_000_000),
    streamIdleSeconds: integer(
      "stream idle seconds",
      raw.streamIdleSeconds,
      DEFAULTS.streamIdleSeconds,
      1,
      31_536_000,
    ),
    signingKeys: signingKeys(raw.signingKeys),
    maxVariants: integer("max variants", raw.maxVariants, DEFAULTS.maxVariants, 1, 1_000_000),
    maxUrlBytes: integer("max url bytes", raw.maxUrlBytes, DEFAULTS.maxUrlBytes, 16),
    maxHeaderBytes: integer("max header bytes", raw.maxHeaderBytes, DEFAULTS.maxHeaderBytes, 64),
    bodyTimeoutSeconds: integer(
      "body timeout seconds",
      raw.bodyTimeoutSeconds,
      DEFAULTS.bodyTimeoutSeconds,
      1,
      86400,
    ),
    shutdownGraceSeconds: integer(
      "shutdown grace seconds",
      raw.shutdownGraceSeconds,
      DEFAULTS.shutdownGraceSeconds,
      0,
      86400,
    ),
    maxInflightBytes: integer(
      "max inflight bytes",
      raw.maxInflightBytes,
      DEFAULTS.maxInflightBytes,
      1,
    ),
    maxConnections: integer(
      "max connections",
      raw.maxConnections,
      DEFAULTS.maxConnections,
      1,
      1_000_000,
    ),
    memoryIdleSeconds: integer(
      "memory idle seconds",
      raw.memoryIdleSeconds,
      DEFAULTS.memoryIdleSeconds,
      1,
      86400,
    ),
  });
}

/**
 * Checks that the media root is a readable folder and pins it to its real path.
 *
 * @param config A validated config.
 * @returns The same config with `mediaRoot` resolved through symlinks.
 * @throws {ConfigError} The media root is missing, not a folder, or unreadable.
 * @example
 * ```ts
 * import { resolveMediaRoot, validateSettings } from "./config.ts";
 *
 * await resolveMediaRoot(validateSettings({}, Deno.cwd));
 * ```
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
 * @returns The config, or `"help"` / `"version"` when `--help` / `--version` was asked.
 * @throws {ConfigError} Any setting that cannot be used.
 * @example
 * ```ts
 * import { loadConfig } from "./config.ts";
 *
 * const config = await loadConfig(Deno.args, (name) => Deno.env.get(name), Deno.cwd);
 * ```
 */
export async function loadConfig(
  args: readonly string[],
  env: (name: string) => string | undefined,
  cwd: () => string,
): Promise<Config | "help" | "version"> {
  const parsed = readSettings(args, env);
  if (parsed.help) return parsed.version ? "version" : "help";
  return await resolveMediaRoot(validateSettings(parsed.raw, cwd));
}

/**
 * The start-up path `main.ts` and `lib/launch.ts` share: the configuration from the command
 * line and the environment, or the exit code when there is none to start with, after
 * printing the usage (`--help`, 0) or the setting that cannot be used (2).
 *
 * @param args Command-line arguments.
 * @returns The configuration, or 0 or 2.
 * @example
 * ```ts
 * import { startupConfig } from "./config.ts";
 *
 * const config = await startupConfig(["--port", "0"]);
 * if (typeof config !== "number") console.log(config.port); // 0
 * ```
 */
export async function startupConfig(args: readonly string[]): Promise<Config | 0 | 2> {
  let config;
  try {
    config = await loadConfig(args, (name) => Deno.env.get(name), Deno.cwd);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`pixserve: ${err.message}`);
    return 2;
  }
  if (config === "help" || config === "version") {
    console.log(config === "help" ? USAGE : `pixserve ${VERSION}`);
    return 0;
  }
  return config;
}
