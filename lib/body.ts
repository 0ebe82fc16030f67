/**
 * Request bodies read whole but never past a byte limit: the limit is
 * enforced on the bytes as they stream in, so a lying or absent
 * `Content-Length` (chunked uploads) cannot make the server buffer more.
 *
 * @module
 */

import { joinChunks } from "./chunks.ts";
import { BadRequest, HttpError, PayloadTooLarge } from "./errors.ts";

/** Options of {@linkcode readBody}. */
export interface ReadBodyOptions {
  /**
   * Seconds the body may send nothing before it is refused with 408 `body_timeout`;
   * without it, a body may pause for ever. @default {undefined}
   */
  idleTimeoutSeconds?: number;
  /**
   * Whether other requests are being answered: a body read chunk by chunk then pauses after
   * each megabyte so that they get their turn. @default {undefined (never pauses)}
   */
  othersWaiting?: () => boolean;
}

/**
 * Reads a request body into memory, refusing it once it passes `maxBytes`.
 *
 * A `Content-Length` above the limit is refused before a byte is read. With a
 * `Content-Length` within the limit, the body is read in one piece by the
 * runtime (`request.bytes()`, less CPU than reading chunk by chunk; figures in
 * `bench/README.md`): `Deno.serve`'s HTTP server ends a body at its
 * `Content-Length`, so it cannot be longer. A `Request` built in code with a
 * lower `Content-Length` than its stream is read whole, then refused. Without
 * a `Content-Length` (a chunked upload) the running count of bytes received
 * decides, and the stream is cancelled as soon as it passes the limit.
 *
 * With `idleTimeoutSeconds`, a body of up to {@linkcode WHOLE_READ_BYTES} is still read in
 * one piece and must arrive whole within that many seconds; a larger one is read chunk by
 * chunk and a pause of that long between chunks ends it. Either way the answer is 408 (the
 * runtime then keeps the socket until the client sends the rest or goes away; the handler
 * has let go of everything).
 *
 * @param request The request.
 * @param maxBytes The largest body accepted.
 * @param options A pause limit.
 * @returns The body (empty when there is none).
 * @throws {PayloadTooLarge} `payload_too_large` naming the limit.
 * @throws {BadRequest} `body_incomplete`: the body could not be read to its end (the client
 *   closed the connection, or the stream failed).
 * @throws {HttpError} 408 `body_timeout` after a pause of `idleTimeoutSeconds`, or when a
 *   body read in one piece has not arrived whole by then.
 * @example
 * ```ts
 * import { readBody } from "./body.ts";
 *
 * const request = new Request("http://localhost/render.png", { method: "POST", body: "[[0]]" });
 * const body = await readBody(request, 1024 * 1024);
 * console.log(body.length); // 5
 * ```
 */
export async function readBody(
  request: Request,
  maxBytes: number,
  options: ReadBodyOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const header = request.headers.get("content-length")?.trim() ?? "";
  const declared = /^\d+$/.test(header) ? Number(header) : undefined;
  const idle = options.idleTimeoutSeconds;
  try {
    if (declared !== undefined && declared > maxBytes) {
      await request.body?.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    if (declared !== undefined && (idle === undefined || declared <= WHOLE_READ_BYTES)) {
      // `request.body` stays untouched: once that stream exists, `bytes()` gathers the body
      // chunk by chunk in JavaScript, garbage as large as the body until V8 next collects.
      const whole = idle === undefined ? await request.bytes() : await bytesWithin(request, idle);
      if (whole.byteLength > maxBytes) throw tooLarge(maxBytes);
      return whole;
    }
    const body = request.body;
    if (body === null) return new Uint8Array(0);
    return await readChunks(body, maxBytes, idle, declared, options.othersWaiting);
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new BadRequest(
      "body_incomplete",
      "the request body could not be read whole: the connection closed before it ended",
    );
  }
}

/**
 * Bodies of up to this many declared bytes are read in one piece by the runtime even with a
 * pause limit, which then bounds the whole read: chunk by chunk, a 512×512 RGB `.npy` (786 KB)
 * cost the serving isolate about 0.2 ms more CPU, 14 % of a render on one core. A body this
 * small that takes longer than `BODY_TIMEOUT_SECONDS` in all (less than 35 KB/s at the
 * default 30 s) is refused like a silent one. Larger bodies are read chunk by chunk: in one
 * piece, an 8 MB body cost the runtime four times the CPU.
 */
export const WHOLE_READ_BYTES = 1024 * 1024;

/** `request.bytes()`, or 408 `body_timeout` when the body has not arrived whole in `seconds`. */
async function bytesWithin(request: Request, seconds: number): Promise<Uint8Array<ArrayBuffer>> {
  const read = request.bytes();
  // After a 408 the read ends when the client sends the rest or goes away; nothing waits for it.
  read.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(bodyTimeout(seconds, "did not arrive whole within", false)),
      seconds * 1000,
    );
  });
  try {
    return await Promise.race([read, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The 408 for a body that paused or took too long, with `Connection: close` unless the runtime
 * adds it: it does while a read of the whole body is pending, not once a reader was cancelled
 * (a header of pixserve's own would then be sent twice).
 */
function bodyTimeout(seconds: number, what: string, closeHeader: boolean): HttpError {
  return new HttpError(
    408,
    "body_timeout",
    `the request body ${what} BODY_TIMEOUT_SECONDS (${seconds} s)`,
    closeHeader ? { connection: "close" } : undefined,
  );
}

/**
 * Reads a stream whole, cancelling it as soon as it passes `maxBytes` or pauses too long.
 * With the length known (`expected`), chunks are copied into one buffer as they arrive,
 * so that no chunk outlives its read and no large copy blocks the event loop at the end.
 */
async function readChunks(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  idleTimeoutSeconds?: number,
  expected?: number,
  othersWaiting?: () => boolean,
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  const watchdog = idleTimeoutSeconds === undefined
    ? undefined
    : new Watchdog(reader, idleTimeoutSeconds);
  let whole = new Uint8Array(expected ?? 0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  let yielded = 0;
  try {
    for (;;) {
      const { done, value } = watchdog === undefined ? await reader.read() : await watchdog.read();
      if (done) break;
      if (total + value.byteLength > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(maxBytes);
      }
      if (total + value.byteLength <= whole.byteLength) {
        whole.set(value, total);
      } else {
        if (whole.byteLength > 0) chunks.push(whole.subarray(0, total));
        whole = new Uint8Array(0);
        chunks.push(value);
      }
      total += value.byteLength;
      if (othersWaiting !== undefined && total - yielded >= YIELD_BYTES) {
        yielded = total;
        if (othersWaiting()) await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
  } finally {
    watchdog?.stop();
    reader.releaseLock();
  }
  if (chunks.length > 0) return joinChunks(chunks, total);
  return total === whole.byteLength ? whole : whole.slice(0, total);
}

/**
 * Bytes read before a body lets the event loop take other work when others wait: chunks
 * that are already buffered resolve as microtasks, so without a pause a few large uploads
 * at once would hold the loop (and `/health`) for tens of milliseconds. The pause is a
 * timer, as only the timers' turn lets the loop poll for new requests; it costs a
 * millisecond or two, so a body read alone does not pause.
 */
const YIELD_BYTES = 1024 * 1024;

/**
 * Reads of one stream that fail with a 408 once it has sent nothing for a while: one timer
 * per body, checked against the time of the last chunk, rather than one per read. On silence
 * it cancels the reader, which ends the pending read, and that read then throws the 408; no
 * read races a promise of its own.
 */
class Watchdog {
  #last = performance.now();
  #timer: ReturnType<typeof setTimeout>;
  #silent = false;

  /** Starts watching: the stream is cancelled after `seconds` without a chunk. */
  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly seconds: number,
  ) {
    this.#timer = setTimeout(() => this.#check(), seconds * 1000);
  }

  /** One read, or the 408 when the stream fell silent. */
  async read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    const result = await this.reader.read();
    if (this.#silent) throw bodyTimeout(this.seconds, "sent nothing for", true);
    this.#last = performance.now();
    return result;
  }

  /** Stops the timer. */
  stop(): void {
    clearTimeout(this.#timer);
  }

  #check(): void {
    const quiet = performance.now() - this.#last;
    if (quiet < this.seconds * 1000) {
      this.#timer = setTimeout(() => this.#check(), this.seconds * 1000 - quiet);
      return;
    }
    this.#silent = true;
    this.reader.cancel().catch(() => {});
  }
}

function tooLarge(maxBytes: number): PayloadTooLarge {
  return new PayloadTooLarge(
    "payload_too_large",
    `the request body is larger than MAX_BODY_BYTES (${maxBytes} bytes)`,
  );
}
