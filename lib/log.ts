/**
 * The request log: one JSON line per request on standard output.
 *
 * @module
 */

/** One request, as logged. */
export interface LogEntry {
  /** HTTP method. */
  method: string;
  /** Path, without the query. */
  path: string;
  /** Status sent. */
  status: number;
  /** `Content-Length` sent, or `null` for a chunked body. */
  bytes: number | null;
  /** Milliseconds from request to response headers. */
  ms: number;
}

/**
 * Formats an entry as one JSON line.
 *
 * @param entry The request.
 * @param now The time stamp.
 * @returns The line, without its newline.
 * @example
 * formatLogLine({ method: "GET", path: "/health", status: 200, bytes: 33, ms: 0.4 }, new Date(0));
 * // {"time":"1970-01-01T00:00:00.000Z","method":"GET","path":"/health","status":200,"bytes":33,"ms":0.4}
 */
export function formatLogLine(entry: LogEntry, now: Date = new Date()): string {
  return JSON.stringify({
    time: now.toISOString(),
    ...entry,
    ms: Math.round(entry.ms * 10) / 10,
  });
}

/** A request logger: call it once per request; {@linkcode Logger.flush} writes what waits. */
export interface Logger {
  /** Queues one line. */
  (entry: LogEntry): void;
  /** Writes the queued lines now. */
  flush(): void;
}

/**
 * A logger that writes lines to standard output, batched: the lines of every request
 * answered in one turn of the event loop go out in one write at the end of that turn
 * (and at exit), so that logging costs one system call per turn, not one per request.
 *
 * @param quiet When true, nothing is written.
 * @param write Where the bytes go; default: standard output, synchronously.
 * @returns The function to call once per request.
 * @example
 * const log = createLogger(false);
 * log({ method: "GET", path: "/", status: 200, bytes: 10, ms: 1 });
 */
export function createLogger(
  quiet: boolean,
  write: (bytes: Uint8Array) => void = writeStdout,
): Logger {
  let pending = "";
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === "") return;
    const text = pending;
    pending = "";
    write(new TextEncoder().encode(text));
  };
  const log = (entry: LogEntry) => {
    if (quiet) return;
    pending += formatLogLine(entry) + "\n";
    if (scheduled) return;
    scheduled = true;
    setTimeout(flush, 0);
  };
  if (!quiet) globalThis.addEventListener("unload", flush);
  return Object.assign(log, { flush });
}

/** Writes all bytes to standard output. */
function writeStdout(bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += Deno.stdout.writeSync(bytes.subarray(done));
}
