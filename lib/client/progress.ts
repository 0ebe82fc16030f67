/**
 * The download progress bar: a pure line renderer and a pass-through stream
 * that counts bytes and redraws the line on a terminal.
 *
 * @module
 */

/** Bodies at least this large (or of unknown length past it) show a progress bar. */
export const LARGE_BODY_BYTES = 1024 * 1024;

/** Width of the bar, in characters. */
export const BAR_WIDTH = 30;

/** Least time between two redraws, in milliseconds. */
export const REDRAW_MS = 100;

/**
 * A byte count for people: bytes below 1 KiB, else KiB, MiB or GiB with one decimal.
 *
 * @param bytes A count of bytes.
 * @returns E.g. `"512 B"`, `"3.1 KiB"`, `"1.5 MiB"`.
 * @example
 * ```ts
 * import { formatBytes } from "./progress.ts";
 *
 * formatBytes(3204); // "3.1 KiB"
 * ```
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * One line of the progress bar.
 *
 * @param received Bytes received so far.
 * @param total Bytes expected (`Content-Length`), or `undefined` when unknown.
 * @param width Bar width in characters.
 * @returns A bar with a percentage when the total is known, else the bytes received.
 * @example
 * ```ts
 * import { renderProgress } from "./progress.ts";
 *
 * renderProgress(512, 1024, 10); // "[#####.....]  50%  512 B / 1.0 KiB"
 * renderProgress(2048, undefined); // "2.0 KiB received"
 * ```
 */
export function renderProgress(
  received: number,
  total: number | undefined,
  width: number = BAR_WIDTH,
): string {
  if (total === undefined || total <= 0) return `${formatBytes(received)} received`;
  const ratio = Math.min(1, received / total);
  const filled = Math.floor(ratio * width);
  const percent = String(Math.floor(ratio * 100)).padStart(3);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${percent}%  ` +
    `${formatBytes(received)} / ${formatBytes(total)}`;
}

/** Where a {@linkcode progressStream} draws. */
export interface ProgressSink {
  /** Writes text as is (the stream sends `\r`, the line, and a final `\n`). */
  write(text: string): void;
}

/**
 * A pass-through stream that draws a progress bar on `sink` once the body is
 * known or seen to be at least {@linkcode LARGE_BODY_BYTES}, at most every
 * {@linkcode REDRAW_MS}, and ends the line when the body ends.
 *
 * @param total `Content-Length` of the body, or `undefined`.
 * @param sink Where to draw, typically standard error when it is a terminal.
 * @param offset Bytes already on disk (a resumed download), counted in.
 * @returns The stream to pipe the body through.
 * @example
 * ```ts
 * import { progressStream } from "./progress.ts";
 *
 * const response = new Response(new Uint8Array(1000));
 * const sink = { write: (text: string) => console.error(text) };
 * const body = response.body!.pipeThrough(progressStream(1000, sink));
 * console.log((await new Response(body).bytes()).length); // 1000
 * ```
 */
export function progressStream(
  total: number | undefined,
  sink: ProgressSink,
  offset = 0,
): TransformStream<Uint8Array, Uint8Array> {
  let received = offset;
  let drawnAt = -Infinity;
  let drawn = false;
  const large = () => (total ?? received) >= LARGE_BODY_BYTES;
  const draw = () => {
    sink.write(`\r${renderProgress(received, total)}\x1b[K`);
    drawn = true;
  };
  return new TransformStream({
    transform(chunk, controller) {
      received += chunk.byteLength;
      controller.enqueue(chunk);
      const now = performance.now();
      if (large() && now - drawnAt >= REDRAW_MS) {
        drawnAt = now;
        draw();
      }
    },
    flush() {
      if (!drawn && !large()) return;
      draw();
      sink.write("\n");
    },
  });
}
