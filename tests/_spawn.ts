/**
 * Test helpers for servers started as processes: read the line they print when they
 * listen, and find the address in it.
 *
 * @module
 */

/**
 * Reads a process's text output up to its first newline.
 *
 * @param reader The decoded standard output.
 * @returns The first line, without its newline.
 */
export async function firstLine(reader: ReadableStreamDefaultReader<string>): Promise<string> {
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  return text.split("\n")[0];
}

/**
 * The base URL in pixserve's `pixserve listening on http://127.0.0.1:PORT/ (…)` line.
 *
 * @param line The line.
 * @returns `http://127.0.0.1:PORT`, or `undefined` when the line is not that one.
 */
export function listeningBase(line: string): string | undefined {
  const port = /^pixserve listening on http:\/\/127\.0\.0\.1:(\d+)\/ /.exec(line)?.[1];
  return port === undefined ? undefined : `http://127.0.0.1:${port}`;
}

/**
 * Sends a signal unless the process has exited, then waits for its status.
 *
 * @param child The process.
 * @param signal The signal.
 * @returns Its exit status.
 */
export async function signalAndWait(
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
