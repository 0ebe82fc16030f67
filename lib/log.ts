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
  return `{"time":"${isoTime(now.getTime())}${fieldsOf(entry)}${msOf(entry)}}`;
}

/** The fields between the time and the duration: `","method":…,"ms":`. */
function fieldsOf(entry: LogEntry): string {
  return `","method":${JSON.stringify(entry.method)},"path":${
    JSON.stringify(entry.path)
  },"status":${entry.status},"bytes":${entry.bytes},"ms":`;
}

/** The duration, rounded to a tenth of a millisecond. */
function msOf(entry: LogEntry): number {
  return Math.round(entry.ms * 10) / 10;
}

let lastSecond = NaN;
let lastPrefix = "";

/** `Date.toISOString()` of a time in ms, formatting the date and time once per second. */
function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastPrefix = new Date(ms).toISOString().slice(0, 20);
  }
  return `${lastPrefix}${String(ms - second * 1000).padStart(3, "0")}Z`;
}

/**
 * Formats lines as {@linkcode formatLogLine} does, more cheaply for a run of requests:
 * the time is read with `Date.now()` and formatted once per millisecond, and the fields
 * between time and duration once per change of method, path, status or bytes (a server
 * under load answers the same request over and over).
 */
function createLineFormatter(): (entry: LogEntry) => string {
  let time = NaN;
  let timeText = "";
  let method = "";
  let path = "";
  let status = NaN;
  let bytes: number | null | undefined;
  let fields = "";
  return (entry) => {
    const now = Date.now();
    if (now !== time) {
      time = now;
      timeText = `{"time":"${isoTime(now)}`;
    }
    if (
      entry.path !== path || entry.method !== method || entry.status !== status ||
      entry.bytes !== bytes
    ) {
      ({ method, path, status, bytes } = entry);
      fields = fieldsOf(entry);
    }
    return `${timeText}${fields}${msOf(entry)}}\n`;
  };
}

/** A request logger: call it once per request; {@linkcode Logger.flush} writes what waits. */
export interface Logger {
  /** Queues one line. */
  (entry: LogEntry): void;
  /** Writes the queued lines now. */
  flush(): void;
}

/** Longest a log line waits before it is written, in milliseconds. */
export const LOG_FLUSH_MS = 20;

/** Queued log text that is written at once, without waiting for the timer. */
const LOG_FLUSH_CHARS = 64 * 1024;

/**
 * A logger that writes lines to standard output, batched: lines wait at most
 * {@linkcode LOG_FLUSH_MS} (or until 64 KiB are queued, or exit) and go out in one write,
 * so that logging costs a system call per batch, not one per request.
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
  const format = createLineFormatter();
  let pending = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending === "") return;
    const text = pending;
    pending = "";
    write(new TextEncoder().encode(text));
  };
  const log = (entry: LogEntry) => {
    if (quiet) return;
    pending += format(entry);
    if (pending.length >= LOG_FLUSH_CHARS) flush();
    else timer ??= setTimeout(flush, LOG_FLUSH_MS);
  };
  if (!quiet) globalThis.addEventListener("unload", flush);
  return Object.assign(log, { flush });
}

/** Writes all bytes to standard output. */
function writeStdout(bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += Deno.stdout.writeSync(bytes.subarray(done));
}
