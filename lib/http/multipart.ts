/**
 * The framing of a `multipart/byteranges` body (RFC 9110 §14.6): part
 * headers, separators and the closing delimiter, with the exact length of
 * the whole body computed before any byte is read. Pure, no I/O.
 *
 * @module
 */

import { type ByteRange, contentRange } from "./range.ts";

/** One part: its header block, then the bytes of its range. */
export interface BytePart {
  /** `--boundary`, `Content-Type`, `Content-Range` and the blank line (after a CRLF for later parts). */
  readonly head: Uint8Array<ArrayBuffer>;
  /** The bytes this part carries. */
  readonly range: ByteRange;
}

/** A whole `multipart/byteranges` body, framing and all. */
export interface ByterangesLayout {
  /** `multipart/byteranges; boundary=<boundary>`. */
  readonly contentType: string;
  /** The parts, in the order sent. */
  readonly parts: readonly BytePart[];
  /** CRLF after the last part's bytes, then `--boundary--` and CRLF. */
  readonly tail: Uint8Array<ArrayBuffer>;
  /** Exact length of the body: heads, ranges and tail. */
  readonly length: number;
}

/**
 * A random boundary: 24 hexadecimal digits after a fixed prefix, so that it
 * is never a prefix of another boundary and practically never in the data.
 *
 * @returns The boundary, without the leading `--`.
 * @example
 * ```ts
 * import { randomBoundary } from "./multipart.ts";
 *
 * randomBoundary(); // "pixserve-3f9c0a…"
 * ```
 */
export function randomBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `pixserve-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * Lays out the body of a 206 with several ranges.
 *
 * @param ranges The ranges, in the order they are sent.
 * @param size The representation's length, for each `Content-Range`.
 * @param type The representation's `Content-Type`, repeated in each part.
 * @param boundary The boundary; a fresh {@linkcode randomBoundary} when absent.
 * @returns Heads, tail, the response's `Content-Type` and the body's length.
 * @example
 * ```ts
 * import { byterangesLayout } from "./multipart.ts";
 *
 * const layout = byterangesLayout([{ start: 0, end: 9 }, { start: 20, end: 29 }], 100, "image/png");
 * layout.length; // bytes of framing plus 20
 * ```
 */
export function byterangesLayout(
  ranges: readonly ByteRange[],
  size: number,
  type: string,
  boundary: string = randomBoundary(),
): ByterangesLayout {
  const encoder = new TextEncoder();
  const parts = ranges.map((range, i) => ({
    head: encoder.encode(
      `${i === 0 ? "" : "\r\n"}--${boundary}\r\nContent-Type: ${type}\r\n` +
        `Content-Range: ${contentRange(range, size)}\r\n\r\n`,
    ),
    range,
  }));
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const length = parts.reduce(
    (sum, p) => sum + p.head.byteLength + p.range.end - p.range.start + 1,
    tail.byteLength,
  );
  return { contentType: `multipart/byteranges; boundary=${boundary}`, parts, tail, length };
}
