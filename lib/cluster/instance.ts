/**
 * One pixserve instance of a cluster: `main.ts` in a child Deno with the narrowest
 * permissions (see `lib/launch.ts`), on its own port of 127.0.0.1. Its request log is
 * copied to the cluster's standard output; its first line, which says it listens, is not.
 *
 * @module
 */

import type { Config } from "../config.ts";
import { serverArgs, serverEnv } from "../launch.ts";
import { ownLibcPath } from "../memory.ts";

const NEWLINE = 10;

/** A running instance. */
export interface Instance {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** Its process. */
  readonly child: Deno.ChildProcess;
  /** Resolves with its exit status once it has exited and its output is copied. */
  readonly exited: Promise<Deno.CommandStatus>;
}

/**
 * The arguments of `main.ts` for an instance: the cluster's pixserve flags, one serving
 * isolate unless WORKERS or `--workers` says otherwise (the cluster spreads load over
 * instances), then its own host and port, and `--trust-proxy` (nginx sets
 * X-Forwarded-For).
 *
 * @param args The pixserve flags the cluster was given.
 * @param port The instance's port.
 * @param workersSet Whether WORKERS or `--workers` was given.
 * @returns The flags.
 * @example
 * instanceFlags(["--quiet"], 8001, false);
 * // ["--workers", "1", "--quiet", "--host", "127.0.0.1", "--port", "8001", "--trust-proxy", "true"]
 */
export function instanceFlags(
  args: readonly string[],
  port: number,
  workersSet: boolean,
): string[] {
  return [
    ...(workersSet ? [] : ["--workers", "1"]),
    ...args,
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--trust-proxy",
    "true",
  ];
}

/**
 * Starts an instance and resolves once it listens.
 *
 * @param config The instance's configuration (host 127.0.0.1, its port, its workers).
 * @param flags From {@linkcode instanceFlags}.
 * @param projectDir The folder holding `main.ts`.
 * @returns The running instance.
 * @throws {Error} It exited before listening (its reason is on standard error).
 * @example
 * const instance = await startInstance(config, instanceFlags([], 8001, false), projectDir);
 */
export async function startInstance(
  config: Config,
  flags: readonly string[],
  projectDir: string,
): Promise<Instance> {
  const libc = ownLibcPath();
  const [run, ...args] = serverArgs(config, flags, projectDir, libc);
  const child = new Deno.Command(Deno.execPath(), {
    args: [run, ...await nodeModulesFlags(projectDir), ...args],
    env: serverEnv((name) => Deno.env.get(name), libc),
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  const rest = await afterFirstLine(reader);
  if (rest === undefined) {
    const status = await child.status;
    throw new Error(
      `the instance on port ${config.port} exited with ${describeStatus(status)} before listening`,
    );
  }
  const exited = copyRest(reader, rest).then(() => child.status);
  return { port: config.port, child, exited };
}

/**
 * `--node-modules-dir=manual` once the project's `node_modules/` exists: the instance then
 * uses it as it is, without taking its lock (other Deno processes of the project starting
 * meanwhile would wait for it). Without the folder, Deno sets it up as usual.
 *
 * @param projectDir The folder holding `deno.json`.
 * @returns The flags for `deno run`.
 * @example
 * await nodeModulesFlags("/srv/pixserve"); // ["--node-modules-dir=manual"]
 */
export async function nodeModulesFlags(projectDir: string): Promise<string[]> {
  try {
    await Deno.stat(`${projectDir}/node_modules`);
    return ["--node-modules-dir=manual"];
  } catch {
    return [];
  }
}

/**
 * Signals an instance unless it has exited, and waits for it.
 *
 * @param instance The instance.
 * @param signal The signal; SIGTERM lets it finish the responses in flight.
 * @returns Its exit status.
 * @example
 * await stopInstance(instance, "SIGTERM");
 */
export async function stopInstance(
  instance: Instance,
  signal: Deno.Signal = "SIGTERM",
): Promise<Deno.CommandStatus> {
  try {
    instance.child.kill(signal);
  } catch {
    // it has exited already; its status says how
  }
  return await instance.exited;
}

/**
 * How a process ended, in words.
 *
 * @param status Its status.
 * @returns E.g. `code 1` or `signal SIGKILL`.
 * @example
 * describeStatus({ success: false, code: 137, signal: "SIGKILL" }); // "signal SIGKILL"
 */
export function describeStatus(status: Deno.CommandStatus): string {
  return status.signal === null ? `code ${status.code}` : `signal ${status.signal}`;
}

/** Reads up to the first newline; the bytes read after it, or `undefined` at the end. */
async function afterFirstLine(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<Uint8Array | undefined> {
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return undefined;
    const at = value.indexOf(NEWLINE);
    if (at !== -1) return value.subarray(at + 1);
  }
}

/** Copies what is left of a child's output to standard output, until it ends. */
async function copyRest(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  first: Uint8Array,
): Promise<void> {
  try {
    writeAll(first);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      writeAll(value);
    }
  } catch {
    // standard output is closed: the log is dropped and the child's output released
    await reader.cancel().catch(() => {});
  }
}

function writeAll(bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += Deno.stdout.writeSync(bytes.subarray(done));
}
