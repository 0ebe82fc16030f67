/**
 * Request bodies read whole but never past a byte limit: the limit is
 * enforced on the bytes as they stream in, so a lying or absent
 * `Content-Length` (chunked uploads) cannot make the server buffer more.
 *
 * @module
 */

import { PayloadTooLarge } from "./errors.ts";

/**
 * Reads a request body into memory, refusing it once it passes `maxBytes`.
 *
 * A `Content-Length` above the limit is refused before a byte is read; the
 * header is otherwise only a hint, and the running count of bytes received
 * decides. On refusal the body stream is cancelled.
 *
 * @param request The request.
 * @param maxBytes The largest body accepted.
 * @returns The body (empty when there is none).
 * @throws {PayloadTooLarge} `payload_too_large` naming the limit.
 * @example
 * Deno.serve(async (request) => {
 *   const body = await readBody(request, 1024 * 1024);
 *   return new Response(`${body.length} bytes`);
 * });
 */
export async function readBody(
  request: Request,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const body = request.body;
  if (body === null) return new Uint8Array(0);
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
    await body.cancel().catch(() => {});
    throw tooLarge(maxBytes);
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
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
  if (chunks.length === 1 && chunks[0].buffer instanceof ArrayBuffer) {
    return chunks[0] as Uint8Array<ArrayBuffer>;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

function tooLarge(maxBytes: number): PayloadTooLarge {
  return new PayloadTooLarge(`the request body is larger than MAX_BODY_BYTES (${maxBytes} bytes)`);
}
