/**
 * The processes that started this one for `deno task start`, read with `ps`, and a
 * watch that tells when one of them is gone: `npx` killed with SIGTERM leaves `deno task`
 * and the launcher running (re-parented), and the launcher then stops the server itself.
 *
 * @module
 */

/** A process, by id and start time (so a recycled id is not taken for it). */
export interface ProcessId {
  /** Its id. */
  readonly pid: number;
  /** Its start time as `ps -o lstart` prints it. */
  readonly start: string;
}

/** Names (as `/proc/<pid>/comm` gives them) of the programs a start command runs through. */
const LAUNCH_CHAIN = /^(deno|node|npm|npx|sh|npm exec .*)$/;

/** One line of `ps -o pid=,ppid=,lstart=,comm=`: id, parent, start time (24 characters), name. */
const PS_LINE = /^\s*(\d+)\s+(\d+)\s+(\S+ \S+ [ \d]\d \d\d:\d\d:\d\d \d{4})\s+(.*)$/;

/**
 * Parent, name and start time of processes, by id; a process that is gone is absent. Read
 * with `ps`: Deno lets only `--allow-all` read another process's `/proc` entries.
 */
async function readProcesses(
  pids: readonly number[],
): Promise<Map<number, { ppid: number; name: string; start: string }>> {
  const found = new Map<number, { ppid: number; name: string; start: string }>();
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("ps", {
      args: ["-o", "pid=,ppid=,lstart=,comm=", "-p", pids.join(",")],
      stdin: "null",
      stderr: "null",
    }).output();
  } catch {
    return found;
  }
  for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
    const m = PS_LINE.exec(line);
    if (m !== null) found.set(Number(m[1]), { ppid: Number(m[2]), start: m[3], name: m[4] });
  }
  return found;
}

/**
 * The ancestors of a process that belong to its start command: from `pid` upwards while
 * the program is Deno, Node.js, npm, npx or `sh`.
 *
 * @param pid Where to start, usually `Deno.ppid`.
 * @returns The chain, nearest first; empty without `ps`.
 * @example
 * await launchChain(Deno.ppid); // deno task, sh, npm exec (when started by npx)
 */
export async function launchChain(pid: number): Promise<ProcessId[]> {
  const chain: ProcessId[] = [];
  let at = pid;
  while (at > 1) {
    const stat = (await readProcesses([at])).get(at);
    if (stat === undefined || !LAUNCH_CHAIN.test(stat.name)) break;
    chain.push({ pid: at, start: stat.start });
    at = stat.ppid;
  }
  return chain;
}

/** Whether every process of a chain is still running. */
async function chainAlive(chain: readonly ProcessId[]): Promise<boolean> {
  if (chain.length === 0) return true;
  const running = await readProcesses(chain.map((p) => p.pid));
  return chain.every(({ pid, start }) => running.get(pid)?.start === start);
}

/**
 * Checks a chain every `intervalMs` and calls `onGone` once when part of it has exited.
 *
 * @param chain From {@linkcode launchChain}.
 * @param onGone Called once.
 * @param intervalMs How often to look. @default {500}
 * @returns A function that stops watching.
 * @example
 * const stop = watchChain(await launchChain(Deno.ppid), () => child.kill("SIGTERM"));
 */
export function watchChain(
  chain: readonly ProcessId[],
  onGone: () => void,
  intervalMs = 500,
): () => void {
  const timer = setInterval(async () => {
    if (await chainAlive(chain)) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  return () => clearInterval(timer);
}
