/**
 * Giving memory back after load. A V8 isolate keeps the heap it grew to, and glibc's
 * allocator keeps freed pages of the C heap (request and response buffers, pixels moved
 * between isolates) in its arenas. Once a serving isolate has had no request for
 * `MEMORY_IDLE_SECONDS`, and once an encode or decode worker has had no job for as long, it
 * collects its garbage (`gc()`, exposed by `--v8-flags=--expose-gc`, which the launcher
 * passes with {@linkcode SERVER_V8_FLAGS}) and asks glibc to return its free pages
 * (`malloc_trim(0)`, through FFI on the `libc.so.6` the launcher names in `PIXSERVE_LIBC` and
 * grants). Either step is skipped
 * where it is not available (another C library, a server started without the flag or the
 * grant). Workers are kept, not replaced: a fresh one would cost the next request its
 * start-up, and in Deno 2.9 a terminated worker that loaded npm packages leaves two file
 * descriptors open.
 *
 * @module
 */

/** The variable the launcher sets to the path of the process's `libc.so.6`. */
export const LIBC_ENV = "PIXSERVE_LIBC";

/**
 * The server's V8 flags: `gc()` exposed to its isolates, and garbage collection that lets
 * memory outside the JavaScript heap (the buffers of bodies, pixels and encoded images) grow
 * to 4 times what was live after the last collection, instead of V8's 1.1, before it collects
 * again. Every render allocates its body afresh; with 1.1 a serving isolate ran a full
 * collection about every 60 renders of a 512×512 image (44 in 8 s), which cost it a quarter
 * of its CPU time; with 4, 15 in the same time, and about 13 % more renders a second on one
 * core, for a peak resident size 2–10 % higher (figures in `bench/README.md`).
 */
export const SERVER_V8_FLAGS = "--v8-flags=--expose-gc,--external-memory-max-growing-factor=4";

/** What a pool sends an idle encode or decode worker to have it give memory back. */
export const RELEASE = { release: true } as const;

/** A worker's answer to {@linkcode RELEASE}, once it has given memory back. */
export const RELEASED = { released: true } as const;

/**
 * The path of glibc's `libc.so.6` among the mappings of a process.
 *
 * @param maps The text of `/proc/<pid>/maps`.
 * @returns The path, or `undefined` when none is mapped (musl, another system).
 * @example
 * libcPathOf("7f..-7f.. r--p 00000000 08:01 42 /usr/lib/x86_64-linux-gnu/libc.so.6\n");
 * // "/usr/lib/x86_64-linux-gnu/libc.so.6"
 */
export function libcPathOf(maps: string): string | undefined {
  return /\s(\/\S*\/libc\.so\.6)$/m.exec(maps)?.[1];
}

/**
 * The path of this process's `libc.so.6`, read from `/proc/self/maps`.
 *
 * @returns The path, or `undefined` when it is not glibc or the file cannot be read.
 * @example
 * const libc = ownLibcPath(); // "/usr/lib/x86_64-linux-gnu/libc.so.6" on Debian
 */
export function ownLibcPath(): string | undefined {
  try {
    return libcPathOf(Deno.readTextFileSync("/proc/self/maps"));
  } catch {
    return undefined;
  }
}

type Trim = (pad: bigint) => number;

let trimmer: Trim | null | undefined;

/** `malloc_trim`, when a glibc is named (or found) and FFI on it is granted; else `null`. */
function mallocTrim(): Trim | null {
  if (trimmer !== undefined) return trimmer;
  trimmer = null;
  const named = granted({ name: "env", variable: LIBC_ENV }) ? Deno.env.get(LIBC_ENV) : undefined;
  const path = named ??
    (granted({ name: "read", path: "/proc/self/maps" }) ? ownLibcPath() : undefined);
  if (path === undefined || !granted({ name: "ffi", path })) return trimmer;
  try {
    const libc = Deno.dlopen(path, { malloc_trim: { parameters: ["usize"], result: "i32" } });
    trimmer = (pad) => libc.symbols.malloc_trim(pad);
  } catch {
    // not a glibc after all: nothing to trim
  }
  return trimmer;
}

/** Whether a permission is granted, asking nobody. */
function granted(descriptor: Deno.PermissionDescriptor): boolean {
  return Deno.permissions.querySync(descriptor).state === "granted";
}

/** What {@linkcode releaseMemory} could do. */
export interface Released {
  /** V8's garbage was collected (`gc()` is exposed). */
  readonly collected: boolean;
  /** glibc was asked to return its free pages. */
  readonly trimmed: boolean;
}

/**
 * Collects this isolate's garbage and returns the C heap's free pages to the system, as far
 * as the runtime allows.
 *
 * @returns What was done.
 * @example
 * const { collected, trimmed } = releaseMemory();
 */
export function releaseMemory(): Released {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === "function") gc();
  const trim = mallocTrim();
  if (trim !== null) trim(0n);
  return { collected: typeof gc === "function", trimmed: trim !== null };
}

/**
 * Decides when an isolate gives memory back: once per quiet spell, after `idleMs` without a
 * request and with nothing open.
 *
 * @example
 * const idle = new IdleRelease(30_000, releaseMemory);
 * setInterval(() => idle.check(performance.now(), open.lastActive, open.count > 0), 1000);
 */
export class IdleRelease {
  #releasedAt = performance.now();

  /**
   * Creates an `IdleRelease`.
   *
   * @param idleMs Quiet time before giving memory back.
   * @param release What gives it back.
   */
  constructor(readonly idleMs: number, readonly release: () => void) {}

  /**
   * Gives memory back if the isolate has been quiet for `idleMs` since the last request and
   * has not done so since.
   *
   * @param now `performance.now()`.
   * @param lastActive `performance.now()` of the last request or response end.
   * @param busy Whether a request is being answered.
   * @returns Whether `release` ran.
   * @example
   * idle.check(performance.now(), open.lastActive, open.count > 0);
   */
  check(now: number, lastActive: number, busy: boolean): boolean {
    if (busy || lastActive <= this.#releasedAt || now - lastActive < this.idleMs) return false;
    this.#releasedAt = now;
    this.release();
    return true;
  }
}
