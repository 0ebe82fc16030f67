/**
 * MJPEG framing: `multipart/x-mixed-replace` as browsers play it in an `<img>`, written
 * part by part and read back part by part.
 *
 * The bytes are the standard ones — `--BOUNDARY`, then for each part CRLF, `Content-Type:
 * image/jpeg`, `Content-Length: N`, any extra headers (pixserve adds `X-Frame-Number`), a
 * blank line, the JPEG, CRLF and `--BOUNDARY` again; `--` after the last one ends the stream —
 * but each write ends with the boundary after its JPEG, not before: browsers show a part
 * only once they see the boundary that closes it, so a frame written with its closing
 * boundary is shown at once instead of when the next frame comes.
 *
 * @module
 */

/** The boundary pixserve's streams use; parts are found by `Content-Length`, not by scanning. */
export const MJPEG_BOUNDARY = "pixserve-frame";

/** The `Content-Type` of an MJPEG stream with {@linkcode MJPEG_BOUNDARY}. */
export const MJPEG_CONTENT_TYPE = `multipart/x-mixed-replace; boundary=${MJPEG_BOUNDARY}`;

const encoder = new TextEncoder();

/**
 * What a stream starts with: `--BOUNDARY`, which {@linkcode mjpegPart}s and
 * {@linkcode mjpegEnd} follow.
 *
 * @param boundary The boundary. @default {MJPEG_BOUNDARY}
 * @returns The bytes to write first.
 * @example
 * new TextDecoder().decode(mjpegStart()); // "--pixserve-frame"
 */
export function mjpegStart(boundary: string = MJPEG_BOUNDARY): Uint8Array<ArrayBuffer> {
  return encoder.encode(`--${boundary}`);
}

/**
 * One part of the stream after a boundary: CRLF, part headers, the JPEG, and the boundary
 * that closes it, in one buffer.
 *
 * @param jpeg The encoded frame.
 * @param headers Headers added after `Content-Type` and `Content-Length`.
 * @param boundary The boundary. @default {MJPEG_BOUNDARY}
 * @returns The bytes to write.
 * @example
 * new TextDecoder().decode(mjpegPart(new Uint8Array([0xff, 0xd8]))).split("\r\n")[1];
 * // "Content-Type: image/jpeg"
 */
export function mjpegPart(
  jpeg: Uint8Array,
  headers: Readonly<Record<string, string>> = {},
  boundary: string = MJPEG_BOUNDARY,
): Uint8Array<ArrayBuffer> {
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
  const head = encoder.encode(
    `\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.byteLength}\r\n${extra}\r\n`,
  );
  const tail = encoder.encode(`\r\n--${boundary}`);
  const part = new Uint8Array(head.byteLength + jpeg.byteLength + tail.byteLength);
  part.set(head);
  part.set(jpeg, head.byteLength);
  part.set(tail, head.byteLength + jpeg.byteLength);
  return part;
}

/**
 * What ends the stream after the last boundary, making it the closing delimiter
 * `--BOUNDARY--`.
 *
 * @returns `--\r\n` as bytes.
 * @example
 * new TextDecoder().decode(mjpegEnd()); // "--\r\n"
 */
export function mjpegEnd(): Uint8Array<ArrayBuffer> {
  return encoder.encode(`--\r\n`);
}

/** One part read back. */
export interface MjpegPart {
  /** Its headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Its body: `Content-Length` bytes. */
  readonly body: Uint8Array;
}

/**
 * The boundary of a `multipart/x-mixed-replace` content type.
 *
 * @param contentType The header value.
 * @returns The boundary, or `undefined` when it names none.
 * @example
 * boundaryOf("multipart/x-mixed-replace; boundary=frame"); // "frame"
 */
export function boundaryOf(contentType: string | null): string | undefined {
  const match = /^multipart\/x-mixed-replace\s*;.*\bboundary="?([^";]+)"?/i.exec(
    contentType ?? "",
  );
  return match?.[1];
}

/**
 * Reads an MJPEG stream part by part, each part's length taken from its `Content-Length`.
 *
 * @example
 * const res = await fetch("http://127.0.0.1:8000/streams/cam.mjpg");
 * const reader = new MjpegReader(res.body!, boundaryOf(res.headers.get("content-type"))!);
 * const part = await reader.next(); // { headers: { "content-type": "image/jpeg", … }, body }
 * await reader.cancel();
 */
export class MjpegReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #delimiter: string;
  /** Bytes received and not yet parsed, `#store[#start..#end]`; the buffer grows by doubling. */
  #store: Uint8Array = new Uint8Array(0);
  #start = 0;
  #end = 0;

  /**
   * Creates a `MjpegReader`.
   *
   * @param body The response body.
   * @param boundary Its boundary.
   */
  constructor(body: ReadableStream<Uint8Array>, boundary: string = MJPEG_BOUNDARY) {
    this.#reader = body.getReader();
    this.#delimiter = `--${boundary}`;
  }

  /**
   * The next part.
   *
   * @returns The part, or `undefined` at the closing delimiter or the end of the body.
   * @throws {SyntaxError} Bytes that are not a part of this stream.
   */
  async next(): Promise<MjpegPart | undefined> {
    let headEnd: number;
    while ((headEnd = indexOfBlankLine(this.#pending())) === -1) {
      if (this.#text().startsWith(`${this.#delimiter}--`)) return undefined;
      if (!(await this.#fill())) return undefined;
    }
    const lines = new TextDecoder().decode(this.#pending().subarray(0, headEnd)).split("\r\n");
    if (lines[0] !== this.#delimiter) {
      throw new SyntaxError(`expected ${this.#delimiter}, got ${JSON.stringify(lines[0])}`);
    }
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers["content-length"]);
    if (!Number.isSafeInteger(length)) throw new SyntaxError("a part without Content-Length");
    const start = headEnd + 4;
    while (this.#end - this.#start < start + length + 2) {
      if (!(await this.#fill())) throw new SyntaxError("the stream ended inside a part");
    }
    const body = this.#pending().slice(start, start + length);
    this.#start += start + length + 2;
    return { headers, body };
  }

  /** Stops reading; the response body is cancelled. */
  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }

  #pending(): Uint8Array {
    return this.#store.subarray(this.#start, this.#end);
  }

  #text(): string {
    return new TextDecoder().decode(this.#pending().subarray(0, this.#delimiter.length + 2));
  }

  /** Appends the next chunk: moved to the front or into a buffer twice as large when full. */
  async #fill(): Promise<boolean> {
    const { value, done } = await this.#reader.read();
    if (done) return false;
    const live = this.#end - this.#start;
    if (this.#end + value.byteLength > this.#store.byteLength) {
      const needed = live + value.byteLength;
      if (needed > this.#store.byteLength) {
        const store = new Uint8Array(Math.max(needed, this.#store.byteLength * 2));
        store.set(this.#pending());
        this.#store = store;
      } else {
        this.#store.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = live;
    }
    this.#store.set(value, this.#end);
    this.#end += value.byteLength;
    return true;
  }
}

/** Where the first CRLF CRLF starts, or -1. */
function indexOfBlankLine(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.byteLength; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}
