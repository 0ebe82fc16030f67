/**
 * Live streams over HTTP:
 * - `PUT` or `POST /streams/{name}`: one frame, an image or an array (as `/render` reads it),
 *   becomes the stream's latest frame; 204;
 * - `GET /streams/{name}.mjpg`: `multipart/x-mixed-replace` JPEG parts, the current frame at
 *   once, then each newer one;
 * - `GET /streams/{name}.{jpg,png,webp}`: the latest frame as one image;
 * - `GET /streams/{name}`, `GET /streams`: JSON status; `DELETE /streams/{name}` ends it.
 *
 * @module
 */

import { arrayToChannels } from "../arrays/convert.ts";
import { CHANNEL_ORDERS } from "../arrays/layout.ts";
import { arrayBodyKind, parseArrayBody } from "../arrays/parse.ts";
import { checkDisplay, expandIndexed, renderDisplay, wantsDisplay } from "../arrays/display.ts";
import { checkElementCount, checkPixels } from "../arrays/layout.ts";
import { readBody } from "../body.ts";
import { isReleased } from "../chunks.ts";
import type { Config } from "../config.ts";
import { BadRequest, NotFound, ServiceUnavailable, TooManyRequests } from "../errors.ts";
import { displayParams } from "../http/display_params.ts";
import {
  choiceParam,
  DISPOSITION_PARAMS,
  dispositionRequest,
  flagParam,
  intParam,
  parseShapeParam,
  QUALITY_PARAM,
} from "../http/params.ts";
import {
  type ChannelPixels,
  checkQuality,
  DEFAULT_JPEG_QUALITY,
  pixelsOf,
} from "../image/encode.ts";
import { formatFromExtension, type ImageFormat } from "../image/format.ts";
import { decodeSourceImage, readSourceHeader } from "../image/source.ts";
import { type EncodedImage, encodedResponse } from "../responses.ts";
import type { QueryParam, Route } from "../router.ts";
import type { Services } from "../services.ts";
import { type LiveFrame, STREAM_NAME, StreamHubError, type StreamViewer } from "../streams/hub.ts";
import { MJPEG_CONTENT_TYPE } from "../streams/mjpeg.ts";
import { mjpegBody } from "../streams/watch.ts";
import { bodyMediaType, RENDER_PARAMS } from "./arrays.ts";

/** Seconds a client refused by a stream limit is asked to wait. */
const STREAM_RETRY_AFTER_SECONDS = 5;

/** Media types read as images (decoded as `/decode` does); an octet stream is sniffed. */
const IMAGE_MEDIA_TYPES: ReadonlySet<string> = new Set([
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/tiff",
]);

/**
 * The `/render` parameters that read one array as one image, which is what a pushed frame is:
 * not those that name or tune an answer, make stacks or 16-bit images, or transform.
 */
const FRAME_PARAMS: ReadonlySet<string> = new Set([
  "order",
  "clip",
  "shape",
  "dtype",
  "key",
  "cmap",
  "vmin",
  "vmax",
  "background",
]);

/** The query parameters of `PUT /streams/{name}`: how `/render` reads an array. */
export const PUSH_PARAMS: readonly QueryParam[] = RENDER_PARAMS.filter(
  (param) => FRAME_PARAMS.has(param.name),
);

/** The query parameters of `GET /streams/{name}.{jpg,png,webp}`. */
export const LATEST_PARAMS: readonly QueryParam[] = [...DISPOSITION_PARAMS, QUALITY_PARAM];

/**
 * A stream name from the path, checked.
 *
 * @param raw The path segment.
 * @returns The name.
 * @throws {BadRequest} `invalid_stream_name` outside 1–64 of `A-Z a-z 0-9 _ -`.
 * @example
 * streamName("cam-1"); // "cam-1"
 */
function streamName(raw: string): string {
  if (!STREAM_NAME.test(raw)) {
    throw new BadRequest(
      "invalid_stream_name",
      `stream names are 1 to 64 of A-Z, a-z, 0-9, _ and -, got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}

/**
 * An array body's 8-bit pixels, read by the `/render` pipeline with its query parameters.
 *
 * @param body The request body.
 * @param mediaType Its media type.
 * @param url The request URL (`order`, `clip`, `shape`, `dtype`, `key`).
 * @param config Pixel and body limits.
 * @returns The pixels.
 * @throws {HttpError} As `POST /render` does for the same body and query.
 */
function renderPixels(
  body: Uint8Array<ArrayBuffer>,
  mediaType: string,
  url: URL,
  config: Config,
): ChannelPixels {
  const order = choiceParam(url, "order", CHANNEL_ORDERS) ?? "rgb";
  const clip = flagParam(url, "clip");
  const shapeText = url.searchParams.get("shape");
  const dtype = url.searchParams.get("dtype") ?? undefined;
  if (dtype !== undefined && shapeText === null) {
    throw new BadRequest("invalid_parameter", "dtype describes raw bytes and needs shape");
  }
  const shape = shapeText === null ? undefined : parseShapeParam(shapeText);
  const array = parseArrayBody(body, arrayBodyKind(mediaType), {
    shape,
    dtype,
    key: url.searchParams.get("key") ?? undefined,
    maxInflatedBytes: config.maxBodyBytes,
  });
  const display = displayParams(url);
  if (!wantsDisplay(display)) {
    return arrayToChannels(array, { order, clip, maxPixels: config.maxPixels });
  }
  if (clip) {
    throw new BadRequest(
      "invalid_parameter",
      "clip applies to the default mapping of floats; with cmap, vmin or vmax, values " +
        "outside the range take the under and over colours (or 0 and 255)",
    );
  }
  const { width, height } = checkDisplay(array.shape, array.dtype, display);
  checkPixels(width, height, config.maxPixels);
  checkElementCount(array);
  const shown = renderDisplay(array, display);
  if (shown.kind === "indexed") return { width, height, channels: 4, data: expandIndexed(shown) };
  // The mapped channels in the array's own order: reordered as /render reorders them.
  const mapped = {
    shape: [height, width, shown.channels],
    dtype: "uint8" as const,
    data: shown.data,
  };
  return arrayToChannels(mapped, { order });
}

/**
 * A pushed frame's 8-bit pixels: an image (by its media type, or an octet stream with an
 * image's magic bytes and no `shape`) decoded as `/decode` does, else an array as `/render`
 * reads it.
 */
async function framePixels(request: Request, url: URL, config: Config): Promise<ChannelPixels> {
  const type = bodyMediaType(request);
  if (!IMAGE_MEDIA_TYPES.has(type)) arrayBodyKind(type);
  const body = await readBody(request, config.maxBodyBytes);
  const sniffed = type === "application/octet-stream" && !url.searchParams.has("shape") &&
    readSourceHeader(body) !== undefined;
  if (!IMAGE_MEDIA_TYPES.has(type) && !sniffed) return renderPixels(body, type, url, config);
  const { width, height, rgba } = pixelsOf(await decodeSourceImage(body, config.maxPixels));
  return { width, height, channels: 4, data: rgba };
}

/**
 * A frame encoded to a format and quality, once for every request that asks the same.
 *
 * @param services The encoder.
 * @param frame The frame.
 * @param format The format.
 * @param quality JPEG or WebP quality; JPEG's default is {@linkcode DEFAULT_JPEG_QUALITY}.
 * @returns The encoded frame.
 * @throws {HttpError} As the encoder does (busy, a size the format cannot hold).
 * @throws {RangeError} A frame replaced (its pixels freed) before this encoding was asked.
 * @example
 * const jpeg = await encodedFrame(services, hub.latest("cam")!, "jpeg", 80);
 */
function encodedFrame(
  services: Services,
  frame: Pick<LiveFrame, "pixels" | "encodings">,
  format: ImageFormat,
  quality: number | undefined,
): Promise<EncodedImage> {
  const key = frameKey(format, quality);
  let encoded = frame.encodings.get(key);
  if (encoded === undefined) {
    if (isReleased(frame.pixels.data)) {
      throw new RangeError(`a newer frame replaced this one before it was encoded as ${key}`);
    }
    // A copy goes to the encoder: the frame keeps its pixels for other formats.
    const pixels = { ...frame.pixels, data: frame.pixels.data.slice() };
    encoded = services.encodeChannels(pixels, format, { quality });
    frame.encodings.set(key, encoded);
    encoded.catch(() => frame.encodings.delete(key));
  }
  return encoded;
}

/** The key of an encoding in {@linkcode LiveFrame.encodings}. */
function frameKey(format: ImageFormat, quality: number | undefined): string {
  return `${format}:${quality ?? (format === "jpeg" ? DEFAULT_JPEG_QUALITY : "-")}`;
}

/** A hub refusal as HTTP. */
function hubError(err: unknown): unknown {
  if (!(err instanceof StreamHubError)) return err;
  if (err.reason === "closed") {
    return new ServiceUnavailable("shutting_down", err.message, STREAM_RETRY_AFTER_SECONDS);
  }
  return new TooManyRequests(err.reason, err.message, STREAM_RETRY_AFTER_SECONDS);
}

function unknownStream(name: string): NotFound {
  return new NotFound(`there is no stream named ${JSON.stringify(name)}`);
}

/** JSON that is never cached. */
function statusJson(body: unknown): Response {
  return Response.json(body, { headers: { "cache-control": "no-store" } });
}

/**
 * The live stream routes.
 *
 * @param services Config (limits), encoder and the stream hub.
 * @returns `GET /streams`, `GET /streams/{name}.{mjpg,jpg,png,webp}`, `GET`, `PUT`, `POST`
 *   and `DELETE /streams/{name}`.
 * @example
 * const routes = streamsRoutes(createServices(config));
 */
export function streamsRoutes(services: Services): Route[] {
  const { config, streams: hub } = services;
  const push = async (
    request: Request,
    { url, params }: { url: URL; params: Record<string, string> },
  ) => {
    const name = streamName(params.name);
    const pixels = await framePixels(request, url, config);
    // Encoded before it is published: a frame no viewer could be sent is refused here.
    const encodings = new Map<string, Promise<EncodedImage>>();
    const jpeg = await encodedFrame(services, { pixels, encodings }, "jpeg", undefined);
    try {
      hub.publish(name, pixels, [[frameKey("jpeg", undefined), jpeg]]);
    } catch (err) {
      throw hubError(err);
    }
    return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
  };
  return [
    {
      method: "GET",
      path: "/streams",
      handler: () => statusJson({ streams: hub.list() }),
    },
    {
      method: "GET",
      path: "/streams/:name.mjpg",
      query: [QUALITY_PARAM],
      handler: (_request, { url, params }) => {
        const name = streamName(params.name);
        const quality = checkQuality("jpeg", intParam(url, "quality", 1, 100));
        let viewer: StreamViewer | undefined;
        try {
          viewer = hub.watch(name);
        } catch (err) {
          throw hubError(err);
        }
        if (viewer === undefined) throw unknownStream(name);
        const body = mjpegBody(viewer, (frame) => encodedFrame(services, frame, "jpeg", quality));
        return new Response(body, {
          headers: {
            "content-type": MJPEG_CONTENT_TYPE,
            "cache-control": "no-store",
            "x-accel-buffering": "no",
            "x-content-type-options": "nosniff",
          },
        });
      },
    },
    {
      method: "GET",
      path: "/streams/:name.:ext(jpg|jpeg|png|webp)",
      query: LATEST_PARAMS,
      handler: async (request, { url, params }) => {
        const name = streamName(params.name);
        const format = formatFromExtension(params.ext) ?? "jpeg";
        const quality = checkQuality(format, intParam(url, "quality", 1, 100));
        const { filename, disposition } = dispositionRequest(url, `${name}.${params.ext}`);
        const frame = hub.latest(name);
        if (frame === undefined) throw unknownStream(name);
        const encoded = await encodedFrame(services, frame, format, quality);
        return encodedResponse(encoded, {
          filename,
          disposition,
          headers: { "cache-control": "no-cache" },
          request,
        });
      },
    },
    {
      method: "GET",
      path: "/streams/:name",
      handler: (_request, { params }) => {
        const name = streamName(params.name);
        const status = hub.status(name);
        if (status === undefined) throw unknownStream(name);
        return statusJson(status);
      },
    },
    { method: "PUT", path: "/streams/:name", query: PUSH_PARAMS, strictQuery: true, handler: push },
    {
      method: "POST",
      path: "/streams/:name",
      query: PUSH_PARAMS,
      strictQuery: true,
      handler: push,
    },
    {
      method: "DELETE",
      path: "/streams/:name",
      strictQuery: true,
      handler: (_request, { params }) => {
        const name = streamName(params.name);
        if (!hub.end(name)) throw unknownStream(name);
        return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
      },
    },
  ];
}
