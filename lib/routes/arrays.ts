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
import { checkDisplay, wantsDisplay } from "../arrays/display.ts";
import { checkElementCount, checkPixels } from "../arrays/layout.ts";
import { DISPLAY_PARAMS, displayParams } from "../http/display_params.ts";
import { ARRAY_BODY_TYPES, type ArrayBodyKind, parseArrayBody } from "../arrays/parse.ts";
import { isFormData, type UploadedPart, uploadedPart } from "../http/form_upload.ts";
import { parseShapeParam } from "../arrays/raw.ts";
import type { PixelArray } from "../arrays/types.ts";
import { readBody } from "../body.ts";
import { BadRequest, UnsupportedMediaType } from "../errors.ts";
import { etagOf, ifNoneMatchHits } from "../http/conditional.ts";
import { contentDisposition, type DispositionType } from "../http/disposition.ts";
import { choiceParam, flagParam, intParam } from "../http/params.ts";
import { checkQuality, checkSize } from "../image/encode.ts";
import { formatFromExtension } from "../image/format.ts";
import { sampleImage } from "../image/sample.ts";
import { decodeSourceImage } from "../image/source.ts";
import { encodedResponse, notModified } from "../responses.ts";
import type { QueryParam, Route } from "../router.ts";
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

/** `?field=`: which part of a form upload to read. */
const FIELD_PARAM: QueryParam = {
  name: "field",
  type: "string",
  description: "multipart/form-data uploads: the part to read; default the first file part",
};

/** A body as a route reads it: the bytes, and what its own media type says of them. */
interface Upload<K> {
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** What `kindOf` made of the request's media type; absent for a form upload. */
  readonly kind?: K;
  /** The uploaded part of a form upload. */
  readonly part?: UploadedPart;
}

/**
 * Reads a request body within the byte limit: the body itself, checked by `kindOf` before
 * any byte is read, or the chosen file part of a `multipart/form-data` upload.
 */
async function readUpload<K>(
  request: Request,
  url: URL,
  maxBytes: number,
  kindOf: (mediaType: string) => K,
): Promise<Upload<K>> {
  const type = bodyMediaType(request);
  const field = url.searchParams.get("field") ?? undefined;
  if (!isFormData(type)) {
    if (field !== undefined) {
      throw new BadRequest(
        "invalid_parameter",
        "field picks a part of a multipart/form-data upload; this body is " + type,
      );
    }
    const kind = kindOf(type);
    return { bytes: await readBody(request, maxBytes), kind };
  }
  const body = await readBody(request, maxBytes);
  const part = await uploadedPart(body, request.headers.get("content-type") ?? "", field);
  return { bytes: part.bytes, part };
}

/** What a `/render` body holds, by its media type; the 415 also names form uploads. */
function renderBodyKind(mediaType: string): ArrayBodyKind {
  const kind = ARRAY_BODY_TYPES[mediaType];
  if (kind !== undefined) return kind;
  throw new UnsupportedMediaType(
    `Content-Type ${mediaType} is not read here; send one of ${
      [...Object.keys(ARRAY_BODY_TYPES), "multipart/form-data"].join(", ")
    }`,
  );
}

/**
 * What an uploaded part holds: by its own media type, else (none, or an octet stream) by
 * its file name's extension, else sniffed from its bytes.
 */
function arrayKindOf(part: UploadedPart | undefined): ArrayBodyKind {
  const byType = part === undefined ? undefined : ARRAY_BODY_TYPES[part.type];
  if (byType !== undefined && byType !== "octet-stream") return byType;
  const extension = /\.(json|npy|npz)$/i.exec(part?.filename ?? "")?.[1].toLowerCase();
  return extension === undefined ? "octet-stream" : extension as ArrayBodyKind;
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

/** `?download` and `?filename=`, read by every route that names its answer. */
export const DISPOSITION_PARAMS: readonly QueryParam[] = [
  { name: "download", type: "boolean", description: "answer as an attachment, not inline" },
  { name: "filename", type: "string", description: "the file name offered to the client" },
];

/** `?order=`. */
const ORDER_PARAM: QueryParam = {
  name: "order",
  type: "string",
  enum: CHANNEL_ORDERS,
  description: "channel order of 3- and 4-channel arrays: bgr is OpenCV's",
};

/** The query parameters of `POST /render.{fmt}`. */
export const RENDER_PARAMS: readonly QueryParam[] = [
  ...DISPOSITION_PARAMS,
  ORDER_PARAM,
  {
    name: "quality",
    type: "integer",
    minimum: 1,
    maximum: 100,
    description: "JPEG and WebP quality",
  },
  { name: "clip", type: "boolean", description: "floats: map NaN to 0 and clip to [0, 1]" },
  {
    name: "shape",
    type: "string",
    description: "raw bytes: their shape, H,W or H,W,C",
  },
  { name: "dtype", type: "string", description: "raw bytes: their dtype (with shape)" },
  { name: "key", type: "string", description: ".npz: the array to read" },
  ...DISPLAY_PARAMS,
  FIELD_PARAM,
];

/** The query parameters of `POST /decode.{json,npy}`. */
export const DECODE_PARAMS: readonly QueryParam[] = [
  ...DISPOSITION_PARAMS,
  ORDER_PARAM,
  {
    name: "mode",
    type: "string",
    enum: ARRAY_MODES,
    description: "gray, rgb or rgba; default rgba when any pixel is not opaque, else rgb",
  },
  FIELD_PARAM,
];

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
      query: RENDER_PARAMS,
      strictQuery: true,
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
        const upload = await readUpload(request, url, config.maxBodyBytes, renderBodyKind);
        const array = parseArrayBody(upload.bytes, upload.kind ?? arrayKindOf(upload.part), {
          shape,
          dtype,
          key: url.searchParams.get("key") ?? undefined,
          maxInflatedBytes: config.maxBodyBytes,
        });
        const display = displayParams(url);
        if (wantsDisplay(display)) {
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
          checkSize(width, height, format);
          const encoded = await services.encodeDisplay(array, { options: display, order }, format, {
            quality,
          });
          return encodedResponse(encoded, { filename, disposition, maxAge: config.cacheMaxAge });
        }
        const pixels = arrayToChannels(array, { order, clip, maxPixels: config.maxPixels });
        // The pixels may be a view of the body, which nothing reads after this: moved whole.
        const encoded = await services.encodeChannels(pixels, format, {
          quality,
          moveBuffer: true,
        });
        return encodedResponse(encoded, { filename, disposition, maxAge: config.cacheMaxAge });
      },
    },
    {
      method: "POST",
      path: "/decode.:ext(json|npy)",
      query: DECODE_PARAMS,
      strictQuery: true,
      handler: async (request, { url, params }) => {
        const format = params.ext as ArrayFormat;
        const { mode, order } = layoutParams(url);
        const asked = dispositionRequest(url, `pixels.${format}`);
        const { bytes: body } = await readUpload(request, url, config.maxBodyBytes, (type) => {
          if (DECODE_MEDIA_TYPES.includes(type)) return type;
          throw new UnsupportedMediaType(
            `Content-Type ${type} is not read here; send one of ${
              [...DECODE_MEDIA_TYPES, "multipart/form-data"].join(", ")
            }`,
          );
        });
        const image = await decodeSourceImage(body, config.maxPixels);
        return arrayResponse(imageToArray(image, { mode, order }), format, {
          filename: asked.filename,
          disposition: format === "npy" ? "attachment" : asked.disposition,
          cacheControl: "no-store",
        });
      },
    },
  ];
}
