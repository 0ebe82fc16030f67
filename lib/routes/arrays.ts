/**
 * Arrays in and out over HTTP:
 * - `GET /image.json`, `GET /image.npy`: the sample image as a JSON nested list or a `.npy` file;
 * - `POST /render.{png,jpg,jpeg,webp,gif}`: a JSON list, `.npy`, `.npz` or raw bytes → an image;
 * - `POST /decode.{json,npy}`: a PNG, JPEG, GIF or TIFF → its pixels as an array.
 *
 * Every array answer carries `X-Array-Shape` (e.g. `512,512,3`) and `X-Array-Dtype`.
 *
 * @module
 */

import { arrayToChannels, imageToArray } from "../arrays/convert.ts";
import { encodeArrayJson } from "../arrays/json.ts";
import {
  ARRAY_MODES,
  type ArrayMode,
  CHANNEL_ORDERS,
  type ChannelOrder,
} from "../arrays/layout.ts";
import { encodeNpy } from "../arrays/npy.ts";
import { arrayBodyKind, parseArrayBody } from "../arrays/parse.ts";
import { parseShapeParam } from "../arrays/raw.ts";
import type { PixelArray } from "../arrays/types.ts";
import { readBody } from "../body.ts";
import { declaredBodyBytes, rgbaBytes } from "../inflight.ts";
import { readSourceHeader } from "../image/source.ts";
import { BadRequest, UnsupportedMediaType } from "../errors.ts";
import { etagOf, ifNoneMatchHits } from "../http/conditional.ts";
import { contentDisposition, type DispositionType } from "../http/disposition.ts";
import { choiceParam, flagParam, intParam } from "../http/params.ts";
import { checkQuality } from "../image/encode.ts";
import { formatFromExtension } from "../image/format.ts";
import { sampleImage } from "../image/sample.ts";
import { encodedResponse, notModified } from "../responses.ts";
import type { Route } from "../router.ts";
import type { Services } from "../services.ts";
import { dispositionRequest } from "./image.ts";

/** The array formats pixserve answers with. */
type ArrayFormat = "json" | "npy";

const ARRAY_MEDIA_TYPES: Readonly<Record<ArrayFormat, string>> = {
  json: "application/json",
  npy: "application/x-npy",
};

/** Media types `/decode` reads; the container itself is recognised by its magic bytes. */
const DECODE_MEDIA_TYPES: readonly string[] = [
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/tiff",
  "application/octet-stream",
];

/** The media type of a request body, parameters dropped; none counts as an octet stream. */
function bodyMediaType(request: Request): string {
  const type = request.headers.get("content-type")?.split(";")[0].trim().toLowerCase();
  return type === undefined || type === "" ? "application/octet-stream" : type;
}

/** Headers of an array response. */
interface ArrayResponseOptions {
  filename: string;
  disposition: DispositionType;
  /** `Cache-Control` value. */
  cacheControl: string;
  /** The request, for an ETag and `If-None-Match` on cacheable answers. */
  request?: Request;
}

async function arrayResponse(
  array: PixelArray,
  format: ArrayFormat,
  options: ArrayResponseOptions,
): Promise<Response> {
  const bytes = format === "json" ? encodeArrayJson(array) : encodeNpy(array);
  const headers = new Headers({
    "content-type": ARRAY_MEDIA_TYPES[format],
    "content-length": String(bytes.byteLength),
    "content-disposition": contentDisposition(options.filename, options.disposition),
    "cache-control": options.cacheControl,
    "x-content-type-options": "nosniff",
    "x-array-shape": array.shape.join(","),
    "x-array-dtype": array.dtype,
  });
  if (options.request !== undefined) {
    const etag = await etagOf(bytes);
    headers.set("etag", etag);
    if (ifNoneMatchHits(options.request.headers.get("if-none-match"), etag)) {
      return notModified(headers);
    }
  }
  return new Response(bytes, { status: 200, headers });
}

/** `?mode=` and `?order=`. */
function layoutParams(url: URL): { mode?: ArrayMode; order: ChannelOrder } {
  return {
    mode: choiceParam(url, "mode", ARRAY_MODES),
    order: choiceParam(url, "order", CHANNEL_ORDERS) ?? "rgb",
  };
}

/**
 * The array routes.
 *
 * @param services Config (pixel and body limits, cache max-age) and encoder.
 * @returns `GET /image.{json,npy}`, `POST /render.{png,jpg,jpeg,webp,gif}`, `POST /decode.{json,npy}`.
 * @example
 * const routes = arraysRoutes(createServices(config));
 */
export function arraysRoutes(services: Services): Route[] {
  const { config } = services;
  const bodyLimits = { idleTimeoutSeconds: config.bodyTimeoutSeconds };
  return [
    {
      method: "GET",
      path: "/image.:ext(json|npy)",
      handler: (request, { url, params }) => {
        const format = params.ext as ArrayFormat;
        const { mode, order } = layoutParams(url);
        const asked = dispositionRequest(url, `sample.${format}`);
        const array = imageToArray(sampleImage(), { mode, order });
        return arrayResponse(array, format, {
          filename: asked.filename,
          disposition: format === "npy" ? "attachment" : asked.disposition,
          cacheControl: `public, max-age=${config.cacheMaxAge}`,
          request,
        });
      },
    },
    {
      method: "POST",
      path: "/render.:ext(png|jpg|jpeg|webp|gif)",
      handler: async (request, { url, params }) => {
        const format = formatFromExtension(params.ext) ?? "png";
        const quality = checkQuality(format, intParam(url, "quality", 1, 100));
        const { filename, disposition } = dispositionRequest(url, `render.${params.ext}`);
        const order = choiceParam(url, "order", CHANNEL_ORDERS) ?? "rgb";
        const clip = flagParam(url, "clip");
        const shapeText = url.searchParams.get("shape");
        const dtype = url.searchParams.get("dtype") ?? undefined;
        if (dtype !== undefined && shapeText === null) {
          throw new BadRequest("invalid_parameter", "dtype describes raw bytes and needs shape");
        }
        const shape = shapeText === null ? undefined : parseShapeParam(shapeText);
        const kind = arrayBodyKind(bodyMediaType(request));
        const bodyBytes = declaredBodyBytes(request, config.maxBodyBytes);
        return await services.inflight.run(bodyBytes, async () => {
          const array = parseArrayBody(
            await readBody(request, config.maxBodyBytes, bodyLimits),
            kind,
            {
              shape,
              dtype,
              key: url.searchParams.get("key") ?? undefined,
              maxInflatedBytes: config.maxBodyBytes,
            },
          );
          const pixels = rgbaBytes(array.shape, config.maxPixels);
          return await services.inflight.run(pixels, async () => {
            const pixels = arrayToChannels(array, { order, clip, maxPixels: config.maxPixels });
            // The pixels may be a view of the body, which nothing reads after this: moved whole.
            const encoded = await services.encodeChannels(pixels, format, {
              quality,
              moveBuffer: true,
            });
            return encodedResponse(encoded, { filename, disposition, maxAge: config.cacheMaxAge });
          }, bodyBytes);
        });
      },
    },
    {
      method: "POST",
      path: "/decode.:ext(json|npy)",
      handler: async (request, { url, params }) => {
        const format = params.ext as ArrayFormat;
        const { mode, order } = layoutParams(url);
        const asked = dispositionRequest(url, `pixels.${format}`);
        const type = bodyMediaType(request);
        if (!DECODE_MEDIA_TYPES.includes(type)) {
          throw new UnsupportedMediaType(
            `Content-Type ${type} is not read here; send one of ${DECODE_MEDIA_TYPES.join(", ")}`,
          );
        }
        const bodyBytes = declaredBodyBytes(request, config.maxBodyBytes);
        return await services.inflight.run(bodyBytes, async () => {
          const body = await readBody(request, config.maxBodyBytes, bodyLimits);
          const header = readSourceHeader(body);
          const size = header === undefined ? [] : [header.height, header.width];
          const pixels = 2 * rgbaBytes(size, config.maxPixels);
          return await services.inflight.run(pixels, async () => {
            const array = await services.decoder.decodeToArray(body, config.maxPixels, {
              mode,
              order,
            });
            return arrayResponse(array, format, {
              filename: asked.filename,
              disposition: format === "npy" ? "attachment" : asked.disposition,
              cacheControl: "no-store",
            });
          }, bodyBytes);
        });
      },
    },
  ];
}
