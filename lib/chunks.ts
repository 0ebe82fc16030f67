/**
 * Byte chunks joined into one array (shared by request bodies and `.npz` members), and
 * buffers freed at once instead of at V8's next collection; free of HTTP so that codecs may
 * import it.
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

/**
 * Frees a buffer now instead of at the next garbage collection: it is detached, so every
 * view of it reads as empty from then on. Only for a buffer nothing else will read (one
 * moved here from another isolate, a scratch copy); a buffer already detached is left.
 *
 * @param bytes A view of the buffer.
 * @example
 * ```ts
 * import { releaseBuffer } from "./chunks.ts";
 *
 * const scratch = new Uint8Array(1 << 20);
 * releaseBuffer(scratch);
 * scratch.byteLength; // 0
 * ```
 */
export function releaseBuffer(bytes: Uint8Array): void {
  const buffer = bytes.buffer;
  if (buffer instanceof ArrayBuffer && !buffer.detached) buffer.transfer(0);
}

/**
 * Whether a view's buffer was freed by {@linkcode releaseBuffer} (or moved elsewhere).
 *
 * @param bytes A view.
 * @returns Whether its buffer is detached.
 * @example
 * ```ts
 * import { isReleased, releaseBuffer } from "./chunks.ts";
 *
 * const scratch = new Uint8Array(16);
 * releaseBuffer(scratch);
 * isReleased(scratch); // true
 * ```
 */
export function isReleased(bytes: Uint8Array): boolean {
  return bytes.buffer instanceof ArrayBuffer && bytes.buffer.detached;
}
