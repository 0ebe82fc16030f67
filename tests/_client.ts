/**
 * Test harness for the fetch client: runs `lib/client/main.ts` in a child Deno
 * exactly as `deno task fetch` does (the task's own permission flags, the
 * project folder as current folder, `INIT_CWD` the user's folder).
 *
 * @module
 */

import { PROJECT_DIR } from "./_server.ts";

/** What a client run printed and how it exited. */
export interface ClientRun {
  /** Exit status. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * The `deno run …` arguments of the `fetch` task, `$INIT_CWD` replaced by `workdir`.
 *
 * @param workdir The folder the user runs the task from.
 * @returns The arguments after `deno`.
 */
export async function fetchTaskArgs(workdir: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${PROJECT_DIR}/deno.json`));
  const words: string[] = String(config.tasks.fetch).split(/\s+/);
  if (words[0] !== "deno") throw new Error(`unexpected fetch task: ${config.tasks.fetch}`);
  return words.slice(1).map((word) =>
    word.replace(/^"(.*)"$/, "$1").replaceAll("$INIT_CWD", workdir)
  );
}

/**
 * What Deno itself prints when another Deno process of the suite (a `deno task start` being
 * tested, say) holds the `node_modules` lock: not the client's output.
 */
const RUNTIME_LOCK_NOTICE = /^Blocking waiting for file lock on node_modules directory\n/;

/**
 * Runs the client from `workdir` with the task's permissions.
 *
 * @param workdir The user's folder (`INIT_CWD`).
 * @param args The client's arguments.
 * @returns Exit status and output.
 */
export async function runClient(workdir: string, ...args: string[]): Promise<ClientRun> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [...await fetchTaskArgs(workdir), ...args],
    cwd: PROJECT_DIR,
    env: { INIT_CWD: workdir, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr).replace(RUNTIME_LOCK_NOTICE, ""),
  };
}

/**
 * Runs `fn` with a fresh temporary folder, removed afterwards.
 *
 * @param fn The test body.
 */
export async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "pixserve_client_" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * The names in a folder, sorted.
 *
 * @param dir The folder.
 * @returns Its entries' names.
 */
export async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

/**
 * Serves `handler` on a free port of 127.0.0.1 while `fn` runs.
 *
 * @param handler The tiny server's handler.
 * @param fn The test body, given the base URL.
 */
export async function withTinyServer(
  handler: Deno.ServeHandler,
  fn: (base: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, handler);
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}
