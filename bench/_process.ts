/**
 * Benchmark helpers: start `main.ts` as a process of its own (as `deno task start` does) and read its resident memory
 * and open file descriptors from `/proc`.
 *
 * @module
 */

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** A server process under measurement. */
export interface MeasuredServer {
  /** `http://127.0.0.1:PORT` */
  readonly base: string;
  /** The process. */
  readonly child: Deno.ChildProcess;
  /** Resident memory now, in MiB. */
  rssMiB(): number;
  /** Open file descriptors now. */
  fds(): number;
  /** Stops it with SIGTERM and waits. */
  stop(): Promise<void>;
}

/**
 * Starts `deno run -A main.ts --port 0 --quiet` with extra arguments and environment.
 *
 * @param args More arguments for `main.ts`.
 * @param env More environment variables.
 * @param denoFlags More flags for `deno run` (e.g. the launcher's `--v8-flags`).
 * @returns The running server.
 */
export async function startMeasured(
  args: string[] = [],
  env: Record<string, string> = {},
  denoFlags: string[] = [],
): Promise<MeasuredServer> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--unstable-net",
      ...denoFlags,
      MAIN,
      "--port",
      "0",
      "--quiet",
      ...args,
    ],
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the server exited before listening: ${text}`);
    text += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  const port = /127\.0\.0\.1:(\d+)\//.exec(text)?.[1];
  if (port === undefined) throw new Error(`no listening line: ${text}`);
  const pid = child.pid;
  return {
    base: `http://127.0.0.1:${port}`,
    child,
    rssMiB() {
      const status = Deno.readTextFileSync(`/proc/${pid}/status`);
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    },
    fds() {
      let n = 0;
      for (const _ of Deno.readDirSync(`/proc/${pid}/fd`)) n++;
      return n;
    },
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

/**
 * The `q`-quantile of numbers (nearest rank).
 *
 * @param values The sample.
 * @param q From 0 to 1.
 * @returns The value at that rank.
 */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
