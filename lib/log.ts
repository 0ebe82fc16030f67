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
  /** The query string without its `?`; absent or `""` when there is none (logged as `null`). */
  query?: string;
  /** Status sent. */
  status: number;
  /**
   * Body bytes sent: `Content-Length` where there is one, counted for a chunked body, 0 for
   * `HEAD`, 304 and bodiless answers; `null` when unknown.
   */
  bytes: number | null;
  /** The `error` code of a JSON error answer (logged as `null` for others). */
  error?: string;
  /** The client's address (logged as `null` when unknown). */
  client?: string;
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
 * // {"time":"1970-01-01T00:00:00.000Z","method":"GET","path":"/health","query":null,"status":200,
 * //  "bytes":33,"error":null,"client":null,"ms":0.4}
 */
export function formatLogLine(entry: LogEntry, now: Date = new Date()): string {
  return `{"time":"${isoTime(now.getTime())}${fieldsOf(entry)}${Math.round(entry.ms * 10) / 10}}`;
}

/** The fields between the time and the duration: `","method":…,"ms":`. */
function fieldsOf(entry: LogEntry): string {
  return `","method":${JSON.stringify(entry.method)},"path":${JSON.stringify(entry.path)},"query":${
    entry.query ? JSON.stringify(entry.query) : "null"
  },"status":${entry.status},"bytes":${entry.bytes},"error":${
    entry.error === undefined ? "null" : JSON.stringify(entry.error)
  },"client":${entry.client === undefined ? "null" : JSON.stringify(entry.client)},"ms":`;
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

/** A request logger: call it once per request; {@linkcode Logger.flush} writes what waits. */
export interface Logger {
  /** Queues one line. */
  (entry: LogEntry): void;
  /** Writes the queued lines now. */
  flush(): void;
}

/** Longest a log line waits before it is written, in milliseconds. */
export const LOG_FLUSH_MS = 20;

/** Queued log bytes that are written at once, without waiting for the timer. */
const LOG_FLUSH_BYTES = 64 * 1024;

const encoder = new TextEncoder();
const [CLOSING_BRACE, NEWLINE, DOT, ZERO] = encoder.encode("}\n.0");

/**
 * The lines {@linkcode formatLogLine} makes, appended as bytes to one buffer, cheaply for a
 * run of requests: everything before the duration is encoded once per millisecond (read
 * with `Date.now()`) or per change of another field (a server under load answers the same
 * request over and over), and the duration's digits are written in place. No string is
 * built per line.
 */
class LineBuffer {
  #bytes = new Uint8Array(LOG_FLUSH_BYTES * 2);
  #length = 0;
  #time = NaN;
  #timeText = "";
  #method = "";
  #path = "";
  #query: string | undefined;
  #status = NaN;
  #bytesField: number | null | undefined;
  #error: string | undefined;
  #client: string | undefined;
  #fields = "";
  #prefix = new Uint8Array();

  /**
   * Creates a `LineBuffer`.
   *
   * @param clock The time in ms, as `Date.now()` reads it.
   */
  constructor(readonly clock: () => number) {}

  /** Bytes queued. */
  get length(): number {
    return this.#length;
  }

  /** Appends the line of an entry. */
  append(entry: LogEntry): void {
    const now = this.clock();
    let stale = now !== this.#time;
    if (stale) {
      this.#time = now;
      this.#timeText = `{"time":"${isoTime(now)}`;
    }
    if (
      entry.path !== this.#path || entry.method !== this.#method ||
      entry.status !== this.#status || entry.bytes !== this.#bytesField ||
      entry.query !== this.#query || entry.client !== this.#client || entry.error !== this.#error
    ) {
      this.#method = entry.method;
      this.#path = entry.path;
      this.#query = entry.query;
      this.#status = entry.status;
      this.#bytesField = entry.bytes;
      this.#error = entry.error;
      this.#client = entry.client;
      this.#fields = fieldsOf(entry);
      stale = true;
    }
    if (stale) this.#prefix = encoder.encode(this.#timeText + this.#fields);
    const prefix = this.#prefix;
    if (this.#length + prefix.length + 32 > this.#bytes.length) this.#grow(prefix.length + 32);
    const out = this.#bytes;
    out.set(prefix, this.#length);
    const at = writeTenths(out, this.#length + prefix.length, entry.ms);
    out[at] = CLOSING_BRACE;
    out[at + 1] = NEWLINE;
    this.#length = at + 2;
  }

  /**
   * The queued bytes, emptying the buffer: use them before the next {@linkcode append}.
   */
  take(): Uint8Array {
    const queued = this.#bytes.subarray(0, this.#length);
    this.#length = 0;
    return queued;
  }

  #grow(need: number): void {
    const bigger = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + need));
    bigger.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = bigger;
  }
}

/**
 * Writes a duration rounded to tenths of a millisecond as JSON writes that number
 * (`0`, `0.3`, `12`, `12.3`).
 *
 * @returns The index after the last character.
 */
function writeTenths(out: Uint8Array, at: number, ms: number): number {
  const tenths = Math.round(ms * 10);
  if (!(tenths >= 0 && tenths <= Number.MAX_SAFE_INTEGER)) {
    const text = encoder.encode(String(tenths / 10));
    out.set(text, at);
    return at + text.length;
  }
  const whole = Math.floor(tenths / 10);
  const tenth = tenths - whole * 10;
  let digits = 1;
  for (let rest = whole; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  for (let i = digits - 1, rest = whole; i >= 0; i--, rest = Math.floor(rest / 10)) {
    out[at + i] = ZERO + rest % 10;
  }
  at += digits;
  if (tenth !== 0) {
    out[at++] = DOT;
    out[at++] = ZERO + tenth;
  }
  return at;
}

/**
 * A logger that writes lines to standard output, batched: lines wait at most
 * {@linkcode LOG_FLUSH_MS} (or until 64 KiB are queued, or exit) and go out in one write,
 * so that logging costs a system call per batch, not one per request.
 *
 * @param quiet When true, nothing is written.
 * @param write Where the bytes go; default: standard output, synchronously. It must be done
 *   with the bytes when it returns: the buffer is reused.
 * @param clock The time each line is stamped with, in ms; default: `Date.now`.
 * @returns The function to call once per request.
 * @example
 * ```ts
 * import { createLogger } from "./log.ts";
 *
 * const log = createLogger(false);
 * log({ method: "GET", path: "/", status: 200, bytes: 10, ms: 1 });
 * ```
 */
export function createLogger(
  quiet: boolean,
  write: (bytes: Uint8Array) => void = writeStdout,
  clock: () => number = Date.now,
): Logger {
  const lines = new LineBuffer(clock);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (lines.length > 0) write(lines.take());
  };
  const log = (entry: LogEntry) => {
    if (quiet) return;
    lines.append(entry);
    if (lines.length >= LOG_FLUSH_BYTES) flush();
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
