/**
 * `deno task start`: reads the configuration, then runs `main.ts` in a child
 * Deno with the narrowest permissions that configuration needs — network on
 * the configured host, read of the media root and of the image codecs, the
 * named environment variables — and passes signals and the exit code through.
 * The server stops (draining) when this launcher exits, however it exits (the end of its
 * standard input, a pipe only the launcher holds, tells it), and the launcher stops the
 * server when a process of the start command above it (`deno task`, `sh`, `npx`) is gone.
 *
 * A Deno task cannot compute permissions from `MEDIA_ROOT` or `--media-root`;
 * this launcher can, so a media root anywhere on disk is served as documented.
 *
 * @module
 */

import { type Config, ENV_VARS, startupConfig } from "./config.ts";
import { launchChain, watchChain } from "./ancestors.ts";
import { LIBC_ENV, ownLibcPath, SERVER_V8_FLAGS } from "./memory.ts";
import { STOP_ON_STDIN_EOF } from "./stop.ts";

/** Environment variables the codecs read, granted beside pixserve's own. */
export const CODEC_ENV_VARS: readonly string[] = [
  "IMAGESCRIPT_WASM_SIMD",
  "npm_package_config_libvips",
  "MALLOC_ARENA_MAX",
];

/**
 * Files the codecs read to pick their native build: sharp asks `detect-libc`, which reads
 * `ldd` to tell glibc from musl (without it, it would need `--allow-sys` for a process
 * report); the JPEG codec's loader looks for `/etc/alpine-release` for the same reason.
 */
export const CODEC_READ_PATHS: readonly string[] = ["/usr/bin/ldd", "/etc/alpine-release"];

/**
 * What the serving and encode Web Workers load, relative to the project: unlike the main
 * module's graph, every module a worker imports needs read access.
 */
export const WORKER_CODE: readonly string[] = ["lib", "deno.json"];

/**
 * The `deno run` arguments that start the server for a configuration.
 *
 * @param config The resolved configuration.
 * @param args The command-line arguments to pass on.
 * @param projectDir The folder holding `main.ts` and `node_modules/`.
 * @param libc The process's `libc.so.6`, granted to FFI for `malloc_trim` (see `memory.ts`);
 *   none: not granted.
 * @returns Arguments for `deno`.
 * @example
 * ```ts
 * import { validateSettings } from "./config.ts";
 * import { serverArgs } from "./launch.ts";
 *
 * const config = validateSettings({}, () => "/srv/pixserve");
 * serverArgs(config, ["--quiet"], "/srv/pixserve");
 * // ["run", "--allow-net=127.0.0.1", "--allow-read=/srv/pixserve/fixtures,…", …]
 * ```
 */
export function serverArgs(
  config: Config,
  args: readonly string[],
  projectDir: string,
  libc?: string,
): string[] {
  const modules = `${projectDir}/node_modules`;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return [
    "run",
    ...(config.workers > 1 ? ["--unstable-net"] : []),
    `--allow-net=${host}`,
    `--allow-read=${
      [
        config.mediaRoot,
        modules,
        ...WORKER_CODE.map((path) => `${projectDir}/${path}`),
        ...CODEC_READ_PATHS,
      ].join(",")
    }`,
    `--allow-ffi=${libc === undefined ? modules : `${modules},${libc}`}`,
    "--allow-sys=setPriority",
    `--allow-env=${
      [...Object.values(ENV_VARS), ...CODEC_ENV_VARS, STOP_ON_STDIN_EOF, LIBC_ENV].join(",")
    }`,
    SERVER_V8_FLAGS,
    `${projectDir}/main.ts`,
    ...args,
    `--media-root=${config.mediaRoot}`,
  ];
}

/**
 * glibc's allocator settings for the server (`GLIBC_TUNABLES`, unless set): blocks of up to
 * 64 MiB come from the heap rather than from a fresh `mmap`, and up to 128 MiB of freed heap
 * stays mapped. A body, a pixel buffer or an encoded image then reuses memory that is already
 * mapped instead of taking a page fault for every 4 KiB it touches (on a virtual machine a few
 * microseconds each: a 1 MiB RGBA buffer took 3.6 ms to fill with fresh pages, 0.5 ms with
 * reused ones). Idle spells give the memory back (`MEMORY_IDLE_SECONDS`, `malloc_trim`).
 */
export const GLIBC_MALLOC_TUNABLES =
  "glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=134217728";

/**
 * The environment the server process gets beside the launcher's: glibc's arenas capped at
 * two (`MALLOC_ARENA_MAX`, unless set), so that freed memory gathers where `malloc_trim`
 * returns it, its allocator tuned for reuse ({@linkcode GLIBC_MALLOC_TUNABLES}, unless
 * `GLIBC_TUNABLES` is set), and the path of `libc.so.6` when there is one.
 *
 * @param env Lookup of the launcher's environment variables.
 * @param libc The process's `libc.so.6`, if glibc.
 * @returns Variables to add.
 * @example
 * ```ts
 * import { serverEnv } from "./launch.ts";
 *
 * serverEnv(() => undefined, "/usr/lib/x86_64-linux-gnu/libc.so.6");
 * // { MALLOC_ARENA_MAX: "2", GLIBC_TUNABLES: "glibc.malloc.mmap_threshold=…",
 * //   PIXSERVE_LIBC: "/usr/lib/x86_64-linux-gnu/libc.so.6" }
 * ```
 */
export function serverEnv(
  env: (name: string) => string | undefined,
  libc: string | undefined,
): Record<string, string> {
  return {
    MALLOC_ARENA_MAX: env("MALLOC_ARENA_MAX") ?? "2",
    GLIBC_TUNABLES: env("GLIBC_TUNABLES") ?? GLIBC_MALLOC_TUNABLES,
    ...(libc === undefined ? {} : { [LIBC_ENV]: libc }),
  };
}

async function launch(): Promise<number> {
  const config = await startupConfig(Deno.args);
  if (typeof config === "number") return config;
  const projectDir = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const libc = ownLibcPath();
  const child = new Deno.Command(Deno.execPath(), {
    args: serverArgs(config, Deno.args, projectDir, libc),
    stdin: "piped",
    env: { [STOP_ON_STDIN_EOF]: "1", ...serverEnv((name) => Deno.env.get(name), libc) },
  }).spawn();
  const forward = (signal: Deno.Signal) => () => {
    try {
      child.kill(signal);
    } catch {
      // the server has exited already: its status is passed on below
    }
  };
  Deno.addSignalListener("SIGINT", forward("SIGINT"));
  Deno.addSignalListener("SIGTERM", forward("SIGTERM"));
  const unwatch = watchChain(await launchChain(Deno.ppid), forward("SIGTERM"));
  const status = await child.status;
  unwatch();
  return status.signal === null ? status.code : 128 + 15;
}

if (import.meta.main) Deno.exit(await launch());
