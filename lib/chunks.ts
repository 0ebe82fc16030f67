/**
 * Byte chunks joined into one array: shared by request bodies and `.npz` members,
 * and free of HTTP so that codecs may import it.
 *
 * @module
 */

/**
 * Chunks as one array: the only chunk itself when there is one (and it owns a plain
 * buffer), else a copy of all of them in order.
 *
 * @param chunks The pieces, in order.
 * @param total Their summed length.
 * @returns The bytes.
 * @example
 * ```ts
 * import { joinChunks } from "./chunks.ts";
 *
 * joinChunks([new Uint8Array([1]), new Uint8Array([2, 3])], 3); // Uint8Array [1, 2, 3]
 * ```
 */
export function joinChunks(chunks: Uint8Array[], total: number): Uint8Array<ArrayBuffer> {
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
