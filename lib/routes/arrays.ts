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
import type { PixelArray } from "../arrays/types.ts";
import { readBody } from "../body.ts";
import { CodecError } from "../codec_error.ts";
import { BadRequest, UnsupportedMediaType } from "../errors.ts";
import { etagOf } from "../http/conditional.ts";
import type { DispositionType } from "../http/disposition.ts";
import {
  choiceParam,
  dispositionRequest,
  flagParam,
  intParam,
  parseShapeParam,
} from "../http/params.ts";
import { checkQuality } from "../image/encode.ts";
import { formatFromExtension, MEDIA_TYPES, TIFF_MEDIA_TYPE } from "../image/format.ts";
import { sampleImage } from "../image/sample.ts";
import { decodeSourceImage } from "../image/source.ts";
import {
  publicCache,
  representationHeaders,
  representationResponse,
} from "../http/representation.ts";
import { ARRAY_MEDIA_TYPES, OCTET_STREAM } from "../media_types.ts";
import { encodedResponse } from "../responses.ts";
import type { Handler, Route } from "../router.ts";
import type { Services } from "../services.ts";

/** The array formats pixserve answers with. */
type ArrayFormat = "json" | "npy";

/** Media types `/decode` reads; the container itself is recognised by its magic bytes. */
const DECODE_MEDIA_TYPES: readonly string[] = [
  MEDIA_TYPES.png,
  MEDIA_TYPES.jpeg,
  MEDIA_TYPES.gif,
  TIFF_MEDIA_TYPE,
  OCTET_STREAM,
];

/** The media type of a request body, parameters dropped; none counts as an octet stream. */
function bodyMediaType(request: Request): string {
  const type = request.headers.get("content-type")?.split(";")[0].trim().toLowerCase();
  return type === undefined || type === "" ? OCTET_STREAM : type;
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
  const headers = {
    ...representationHeaders({
      contentType: ARRAY_MEDIA_TYPES[format],
      length: bytes.byteLength,
      filename: options.filename,
      disposition: options.disposition,
      etag: options.request === undefined ? undefined : await etagOf(bytes),
      cacheControl: options.cacheControl,
    }),
    "x-array-shape": array.shape.join(","),
    "x-array-dtype": array.dtype,
  };
  return representationResponse(bytes, headers, options.request);
}

/**
 * Runs a codec step, adding a hint about this route's query parameters to the detail of
 * the codec errors named in `hints`.
 */
function withQueryHints<T>(step: () => T, hints: Readonly<Record<string, string>>): T {
  try {
    return step();
  } catch (err) {
    if (!(err instanceof CodecError) || hints[err.code] === undefined) throw err;
    throw new CodecError(err.kind, err.code, `${err.message}${hints[err.code]}`);
  }
}

/** `?mode=` and `?order=`. */
function layoutParams(url: URL): { mode?: ArrayMode; order: ChannelOrder } {
  return {
    mode: choiceParam(url, "mode", ARRAY_MODES),
    order: choiceParam(url, "order", CHANNEL_ORDERS) ?? "rgb",
  };
}

/** `GET /image.{json,npy}`: the sample image as an array. */
function sampleArrayHandler(services: Services): Handler {
  const { config } = services;
  return (request, { url, params }) => {
    const format = params.ext as ArrayFormat;
    const { mode, order } = layoutParams(url);
    const naming = dispositionRequest(url, `sample.${format}`);
    const array = imageToArray(sampleImage(), { mode, order });
    return arrayResponse(array, format, {
      filename: naming.filename,
      disposition: format === "npy" ? "attachment" : naming.disposition,
      cacheControl: publicCache(config.cacheMaxAge),
      request,
    });
  };
}

/** `POST /render.{png,jpg,jpeg,webp,gif}`: an array body encoded as an image. */
function renderHandler(services: Services): Handler {
  const { config } = services;
  return async (request, { url, params }) => {
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
    const body = await readBody(request, config.maxBodyBytes);
    const key = url.searchParams.get("key") ?? undefined;
    const array = withQueryHints(
      () =>
        parseArrayBody(body, kind, {
          shape,
          dtype,
          key,
          maxInflatedBytes: config.maxBodyBytes,
        }),
      {
        unsupported_media_type: "; for raw pixel bytes add ?shape=H,W[,C]&dtype=uint8",
        ...(key === undefined ? { missing_key: "; pick one with ?key=" } : {}),
      },
    );
    const pixels = withQueryHints(
      () => arrayToChannels(array, { order, clip, maxPixels: config.maxPixels }),
      { invalid_value: " (add ?clip to clip them and map NaN to 0)" },
    );
    // The pixels may be a view of the body, which nothing reads after this: moved whole.
    const encoded = await services.encodeChannels(pixels, format, {
      quality,
      moveBuffer: true,
    });
    return encodedResponse(encoded, { filename, disposition, maxAge: config.cacheMaxAge });
  };
}

/** `POST /decode.{json,npy}`: an image body as its pixels. */
function decodeHandler(services: Services): Handler {
  const { config } = services;
  return async (request, { url, params }) => {
    const format = params.ext as ArrayFormat;
    const { mode, order } = layoutParams(url);
    const naming = dispositionRequest(url, `pixels.${format}`);
    const type = bodyMediaType(request);
    if (!DECODE_MEDIA_TYPES.includes(type)) {
      throw new UnsupportedMediaType(
        `Content-Type ${type} is not read here; send one of ${DECODE_MEDIA_TYPES.join(", ")}`,
      );
    }
    const body = await readBody(request, config.maxBodyBytes);
    const image = await decodeSourceImage(body, config.maxPixels);
    return arrayResponse(imageToArray(image, { mode, order }), format, {
      filename: naming.filename,
      disposition: format === "npy" ? "attachment" : naming.disposition,
      cacheControl: "no-store",
    });
  };
}

/**
 * The array routes.
 *
 * @param services Config (pixel and body limits, cache max-age) and encoder.
 * @returns `GET /image.{json,npy}`, `POST /render.{png,jpg,jpeg,webp,gif}`, `POST /decode.{json,npy}`.
 * @example
 * ```ts
 * import { createServices } from "../services.ts";
 * import { arraysRoutes } from "./arrays.ts";
 * import { validateSettings } from "../config.ts";
 *
 * const services = createServices(validateSettings({}, () => Deno.cwd()));
 * const routes = arraysRoutes(services);
 * services.close();
 * ```
 */
export function arraysRoutes(services: Services): Route[] {
  return [
    { method: "GET", path: "/image.:ext(json|npy)", handler: sampleArrayHandler(services) },
    {
      method: "POST",
      path: "/render.:ext(png|jpg|jpeg|webp|gif)",
      handler: renderHandler(services),
    },
    { method: "POST", path: "/decode.:ext(json|npy)", handler: decodeHandler(services) },
  ];
}
