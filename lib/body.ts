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
 * With `idleTimeoutSeconds`, the body is read chunk by chunk and a pause of that long
 * between chunks ends it with 408 (the runtime then keeps the socket until the client sends
 * the rest or goes away; the handler has let go of everything).
 *
 * @param request The request.
 * @param maxBytes The largest body accepted.
 * @param options A pause limit.
 * @returns The body (empty when there is none).
 * @throws {PayloadTooLarge} `payload_too_large` naming the limit.
 * @throws {BadRequest} `body_incomplete`: the body could not be read to its end (the client
 *   closed the connection, or the stream failed).
 * @throws {HttpError} 408 `body_timeout` after a pause of `idleTimeoutSeconds`.
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
    if (declared !== undefined && idle === undefined) {
      // `request.body` stays untouched: once that stream exists, `bytes()` gathers the body
      // chunk by chunk in JavaScript, garbage as large as the body until V8 next collects.
      const whole = await request.bytes();
      if (whole.byteLength > maxBytes) throw tooLarge(maxBytes);
      return whole;
    }
    const body = request.body;
    if (body === null) return new Uint8Array(0);
    return await readChunks(body, maxBytes, idle);
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new BadRequest(
      "body_incomplete",
      "the request body could not be read whole: the connection closed before it ended",
    );
  }
}

/** Reads a stream whole, cancelling it as soon as it passes `maxBytes` or pauses too long. */
async function readChunks(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  idleTimeoutSeconds?: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = idleTimeoutSeconds === undefined
        ? await reader.read()
        : await readWithin(reader, idleTimeoutSeconds);
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return joinChunks(chunks, total);
}

/** One read, or a 408 (and the stream cancelled) when nothing comes within the limit. */
async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  seconds: number,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new HttpError(
          408,
          "body_timeout",
          `the request body sent nothing for BODY_TIMEOUT_SECONDS (${seconds} s)`,
          { connection: "close" },
        ),
      );
      reader.cancel().catch(() => {});
    }, seconds * 1000);
  });
  try {
    return await Promise.race([reader.read(), silence]);
  } finally {
    clearTimeout(timer);
  }
}

function tooLarge(maxBytes: number): PayloadTooLarge {
  return new PayloadTooLarge(
    "payload_too_large",
    `the request body is larger than MAX_BODY_BYTES (${maxBytes} bytes)`,
  );
}
