/**
 * A viewer's MJPEG body: a pull-based `ReadableStream` that, each time the server's writer
 * asks for bytes, waits for a frame newer than the last it sent. Nothing is queued: a viewer
 * whose connection is slow is asked less often and skips to the newest frame, so it holds at
 * most the one part being written. Cancelling the body (the client went away) closes the
 * viewer at once.
 *
 * @module
 */

import type { EncodedImage } from "../responses.ts";
import type { LiveFrame, StreamViewer } from "./hub.ts";
import { mjpegEnd, mjpegPart, mjpegStart } from "./mjpeg.ts";

/** Parts by encoding, made once for every viewer of the same frame and quality. */
const PARTS = new WeakMap<EncodedImage, Uint8Array<ArrayBuffer>>();

/** The MJPEG part of an encoded frame, with its number in `X-Frame-Number`, made once. */
function partOf(frame: LiveFrame, jpeg: EncodedImage): Uint8Array<ArrayBuffer> {
  let part = PARTS.get(jpeg);
  if (part === undefined) {
    part = mjpegPart(jpeg.bytes, { "X-Frame-Number": String(frame.seq) });
    PARTS.set(jpeg, part);
  }
  return part;
}

/**
 * The body of `GET /streams/{name}.mjpg` for one viewer.
 *
 * @param viewer The viewer; closed when the body ends or is cancelled.
 * @param jpegOf The frame as JPEG, shared by the viewers asking the same quality.
 * @returns The body: a part per frame, then the closing delimiter when the stream ends.
 * @example
 * const viewer = hub.watch("cam")!;
 * const jpegOf = (frame: LiveFrame) =>
 *   services.encodeChannels({ ...frame.pixels, data: frame.pixels.data.slice() }, "jpeg");
 * new Response(mjpegBody(viewer, jpegOf));
 */
export function mjpegBody(
  viewer: StreamViewer,
  jpegOf: (frame: LiveFrame) => Promise<EncodedImage>,
): ReadableStream<Uint8Array> {
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(mjpegStart());
    },
    async pull(controller) {
      for (;;) {
        const frame = await viewer.next();
        if (cancelled) return;
        if (frame === undefined) {
          controller.enqueue(mjpegEnd());
          controller.close();
          viewer.close();
          return;
        }
        let jpeg: EncodedImage;
        try {
          jpeg = await jpegOf(frame);
        } catch {
          // The encoders were busy for this frame (every other encoding was checked when the
          // frame was pushed), or a newer one replaced it first: this viewer takes the next.
          continue;
        }
        if (cancelled) return;
        controller.enqueue(partOf(frame, jpeg));
        return;
      }
    },
    cancel() {
      cancelled = true;
      viewer.close();
    },
  }, { highWaterMark: 0 });
}
