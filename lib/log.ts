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

/**
 * A logger that writes lines to standard output.
 *
 * @param quiet When true, nothing is written.
 * @returns The function to call once per request.
 * @example
 * const log = createLogger(false);
 * log({ method: "GET", path: "/", status: 200, bytes: 10, ms: 1 });
 */
export function createLogger(quiet: boolean): (entry: LogEntry) => void {
  if (quiet) return () => {};
  return (entry) => console.log(formatLogLine(entry));
}
