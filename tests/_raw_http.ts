/**
 * Test helper: HTTP/1.1 over a raw TCP connection, for what `fetch` hides:
 * request targets sent exactly as written (no dot-segment removal, no
 * re-encoding) and the chunk sizes of a chunked body.
 *
 * @module
 */

/** A response read to the end of the connection. */
export interface RawResponse {
  /** Status code. */
  readonly status: number;
  /** Response headers. */
  readonly headers: Headers;
  /** The body, chunked framing removed. */
  readonly body: Uint8Array;
  /** Sizes of the chunks of a chunked body, the final 0 excluded; empty otherwise. */
  readonly chunks: readonly number[];
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function indexOfCrlf(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 1 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10) return i;
  }
  return -1;
}

function dechunk(bytes: Uint8Array): { body: Uint8Array; chunks: number[] } {
  const parts: Uint8Array[] = [];
  const chunks: number[] = [];
  let at = 0;
  for (;;) {
    const eol = indexOfCrlf(bytes, at);
    if (eol === -1) throw new Error("truncated chunked body");
    const size = parseInt(new TextDecoder().decode(bytes.subarray(at, eol)), 16);
    if (size === 0) break;
    chunks.push(size);
    parts.push(bytes.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return { body: concat(parts), chunks };
}

/**
 * Sends one request with `Connection: close` and reads the whole response.
 *
 * @param port The server's port on 127.0.0.1.
 * @param target The request target, sent byte for byte.
 * @param headers Extra request headers.
 * @param method The method.
 * @returns Status, headers, body and chunk sizes.
 */
export async function rawRequest(
  port: number,
  target: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const lines = [`${method} ${target} HTTP/1.1`, "host: 127.0.0.1", "connection: close"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
  const parts: Uint8Array[] = [];
  for await (const part of conn.readable) parts.push(part);
  const all = concat(parts);
  const end = all.findIndex((_, i) =>
    all[i] === 13 && all[i + 1] === 10 && all[i + 2] === 13 && all[i + 3] === 10
  );
  const [statusLine, ...fields] = new TextDecoder().decode(all.subarray(0, end)).split("\r\n");
  const responseHeaders = new Headers();
  for (const field of fields) {
    const colon = field.indexOf(":");
    responseHeaders.append(field.slice(0, colon), field.slice(colon + 1).trim());
  }
  const rest = all.subarray(end + 4);
  const chunked = responseHeaders.get("transfer-encoding") === "chunked" && method !== "HEAD";
  const { body, chunks } = chunked ? dechunk(rest) : { body: rest, chunks: [] };
  return { status: Number(statusLine.split(" ")[1]), headers: responseHeaders, body, chunks };
}

/**
 * Reads from a connection until an answer with a JSON object body has arrived (its head,
 * then up to the closing brace), or the peer closes.
 *
 * @param conn The connection, its request sent.
 * @returns The text read.
 */
export async function readJsonAnswer(conn: Deno.Conn): Promise<string> {
  let text = "";
  const buf = new Uint8Array(4096);
  while (!/\r\n\r\n[\s\S]*\}/.test(text)) {
    const n = await conn.read(buf);
    if (n === null) break;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  return text;
}
