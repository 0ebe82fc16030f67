/**
 * Test helpers for `deno task cluster`: start it, follow its output line by line, find its
 * processes, and load it with requests.
 *
 * @module
 */

import { PROJECT_DIR } from "./_server.ts";

/** The lines a process writes, as they come, with a way to await one. */
export class LineFollower {
  readonly lines: string[] = [];
  #waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  #ended = Promise.withResolvers<void>();

  /** Reads `stream` to its end in the background. */
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#read(stream);
  }

  /** Resolves when the stream has ended. */
  get ended(): Promise<void> {
    return this.#ended.promise;
  }

  /**
   * The first line, already read or still to come, that passes `test`.
   *
   * @throws {Error} The stream ended without one.
   */
  next(test: (line: string) => boolean): Promise<string> {
    const seen = this.lines.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    const found = Promise.withResolvers<string>();
    this.#waiters.push({ test, resolve: found.resolve });
    return Promise.race([
      found.promise,
      this.ended.then(() => {
        throw new Error(`the output ended without the line awaited:\n${this.lines.join("\n")}`);
      }),
    ]);
  }

  async #read(stream: ReadableStream<Uint8Array>): Promise<void> {
    let rest = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + text).split("\n");
      rest = parts.pop()!;
      for (const line of parts) this.#add(line);
    }
    if (rest !== "") this.#add(rest);
    this.#ended.resolve();
  }

  #add(line: string): void {
    this.lines.push(line);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.test(line)) return true;
      waiter.resolve(line);
      return false;
    });
  }
}

/** `deno task cluster`, running. */
export interface RunningCluster {
  /** The `deno task` process. */
  readonly child: Deno.ChildProcess;
  /** nginx's address, `http://127.0.0.1:PORT`. */
  readonly base: string;
  /** Its standard output (request logs, the listening line). */
  readonly stdout: LineFollower;
  /** Its standard error (what the launcher reports). */
  readonly stderr: LineFollower;
}

/**
 * The command `deno task cluster` runs, read from `deno.json`: its `deno` arguments.
 * Tests run it without the task runner, which would take the lock of `node_modules/` while
 * other tests start their own Deno processes.
 */
async function clusterTaskArgs(): Promise<string[]> {
  const meta = JSON.parse(await Deno.readTextFile(`${PROJECT_DIR}/deno.json`));
  const [deno, ...args] = String(meta.tasks.cluster).split(" ");
  if (deno !== "deno") throw new Error(`unexpected cluster task: ${meta.tasks.cluster}`);
  return args;
}

/**
 * Starts the command of `deno task cluster` in the project and waits for its listening line.
 *
 * @param env Settings (INSTANCES, MEDIA_ROOT, CACHE_DIR, …); PORT is 0.
 * @returns The running cluster.
 */
export async function startCluster(env: Record<string, string>): Promise<RunningCluster> {
  const child = new Deno.Command(Deno.execPath(), {
    args: await clusterTaskArgs(),
    cwd: PROJECT_DIR,
    env: { NO_COLOR: "1", PORT: "0", HOST: "127.0.0.1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = new LineFollower(child.stdout);
  const stderr = new LineFollower(child.stderr);
  const line = await stdout.next((l) => l.startsWith("pixserve cluster listening on "));
  const port = /^pixserve cluster listening on http:\/\/127\.0\.0\.1:(\d+)\/ /.exec(line)?.[1];
  if (port === undefined) throw new Error(`unexpected listening line: ${line}`);
  return { child, base: `http://127.0.0.1:${port}`, stdout, stderr };
}

/** A process: its id and start time (which tells a reused id apart). */
export interface ProcessId {
  readonly pid: number;
  readonly start: string;
}

/** The parent and start time of a process, from `/proc/<pid>/stat`; undefined once gone. */
function statOf(pid: number): { ppid: number; start: string } | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), start: fields[19] };
  } catch {
    return undefined;
  }
}

/**
 * Every process below `root`, children of children included.
 *
 * @param root A process id.
 * @returns Their ids and start times.
 */
export function descendants(root: number): ProcessId[] {
  const children = new Map<number, ProcessId[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const pid = Number(entry.name);
    const stat = statOf(pid);
    if (stat === undefined) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), { pid, start: stat.start }]);
  }
  const found: ProcessId[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/**
 * Whether a process is still there (the same one: a reused id does not count).
 *
 * @param process From {@linkcode descendants}.
 * @returns `true` while it runs (or is a zombie).
 */
export function alive(process: ProcessId): boolean {
  return statOf(process.pid)?.start === process.start;
}

/**
 * The parent of a process.
 *
 * @param pid A process id.
 * @returns Its parent's id.
 */
export function parentOf(pid: number): number {
  const stat = statOf(pid);
  if (stat === undefined) throw new Error(`no process ${pid}`);
  return stat.ppid;
}

/** What a load loop saw. */
export interface LoadReport {
  /** Requests answered as expected. */
  readonly ok: number;
  /** What went wrong, one line per failed request. */
  readonly failures: string[];
}

/**
 * Sends requests one after another in `loops` parallel loops until `until` resolves,
 * checking each answer with `request`, which throws on a wrong one.
 *
 * @param loops How many loops.
 * @param until When to stop (each loop finishes its request in flight).
 * @param request Sends request number `n` of loop `loop` and checks the answer.
 * @returns The count of good answers and the failures.
 */
export async function loadUntil(
  loops: number,
  until: Promise<unknown>,
  request: (loop: number, n: number) => Promise<void>,
): Promise<LoadReport> {
  let done = false;
  const stop = until.finally(() => done = true);
  let ok = 0;
  const failures: string[] = [];
  await Promise.all(Array.from({ length: loops }, async (_, loop) => {
    for (let n = 0; !done; n++) {
      try {
        await request(loop, n);
        ok++;
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
      }
    }
  }));
  await stop;
  return { ok, failures };
}
