/**
 * Test helpers for servers started as processes: start one, read the line it prints when
 * it listens, find the address in it, and stop it.
 *
 * @module
 */

/** Reads a process's text output up to its first newline. */
async function firstLine(reader: ReadableStreamDefaultReader<string>): Promise<string> {
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  return text.split("\n")[0];
}

/** The base URL in pixserve's `pixserve listening on http://127.0.0.1:PORT/ (…)` line. */
function listeningBase(line: string): string | undefined {
  const port = /^pixserve listening on http:\/\/127\.0\.0\.1:(\d+)\/ /.exec(line)?.[1];
  return port === undefined ? undefined : `http://127.0.0.1:${port}`;
}

/** Sends a signal unless the process has exited, then waits for its status. */
async function signalAndWait(
  child: Deno.ChildProcess,
  signal: Deno.Signal,
): Promise<Deno.CommandStatus> {
  try {
    child.kill(signal);
  } catch {
    // it has exited already: its status says how
  }
  return await child.status;
}

/** A server running as a process of its own. */
export interface SpawnedServer {
  /** The process. */
  readonly child: Deno.ChildProcess;
  /** The first line it printed. */
  readonly line: string;
  /** `http://127.0.0.1:PORT` read from that line, or `undefined` when it is not the listening line. */
  readonly base: string | undefined;
  /**
   * Signals the process unless it has exited, waits for it and releases its output.
   *
   * @param signal The signal. @default {"SIGKILL"}
   * @returns Its exit status.
   */
  close(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/**
 * Runs `deno <args>` and waits for its first line of output.
 *
 * @param args Arguments for the Deno executable.
 * @param env Environment variables added to the test's own.
 * @returns The running server.
 */
export async function spawnServer(
  args: string[],
  env: Record<string, string> = {},
): Promise<SpawnedServer> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const line = await firstLine(stdout);
  return {
    child,
    line,
    base: listeningBase(line),
    close: async (signal = "SIGKILL") => {
      const status = await signalAndWait(child, signal);
      await stdout.cancel();
      return status;
    },
  };
}
