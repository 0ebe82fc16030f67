/**
 * Arrays in and out over HTTP:
 * - `GET /image.json`, `GET /image.npy`: the sample image as a JSON nested list or a `.npy` file;
 * - `POST /render.{png,jpg,jpeg,webp,gif,avif}`: a JSON list, `.npy`, `.npz` or raw bytes → an
 *   image, transformed by the `/images` parameters (`?w=&h=&fit=`, crop, rotate, …);
 * - `POST /decode.{json,npy}`: a PNG, JPEG, GIF or TIFF → its pixels as an array.
 *
 * Every array answer carries `X-Array-Shape` (e.g. `512,512,3`) and `X-Array-Dtype`.
 *
 * @module
 */

import { imageToArray } from "../arrays/convert.ts";
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
import { ARRAY_BODY_TYPES, type ArrayBodyKind, parseArrayBody } from "../arrays/parse.ts";
import { DISPLAY_PARAMS, displayParams } from "../http/display_params.ts";
import { isFormData, type UploadedPart, uploadedPart } from "../http/form_upload.ts";
import type { PixelArray } from "../arrays/types.ts";
import { readBody, type ReadBodyOptions } from "../body.ts";
import { CodecError } from "../codec_error.ts";
import { BadRequest, UnsupportedMediaType } from "../errors.ts";
import { etagOf } from "../http/conditional.ts";
import type { DispositionType } from "../http/disposition.ts";
import {
  choiceParam,
  DISPOSITION_PARAMS,
  dispositionRequest,
  flagParam,
  intParam,
  parseShapeParam,
  QUALITY_PARAM,
} from "../http/params.ts";
import { checkQuality, checkSize } from "../image/encode.ts";
import { formatFromExtension, MEDIA_TYPES, TIFF_MEDIA_TYPE } from "../image/format.ts";
import { sampleImage } from "../image/sample.ts";
import { declaredBodyBytes, rgbaBytes } from "../inflight.ts";
import { readSourceHeader } from "../image/source.ts";
import {
  publicCache,
  representationHeaders,
  representationResponse,
} from "../http/representation.ts";
import { ARRAY_MEDIA_TYPES, OCTET_STREAM } from "../media_types.ts";
import { encodedResponse } from "../responses.ts";
import type { Handler, QueryParam, Route, RouteResponse } from "../router.ts";
import type { Services } from "../services.ts";
import { IMAGE_RESPONSES } from "./image.ts";
import { transformRendered } from "./variant_request.ts";
import { TRANSFORM_PARAMS } from "../http/transform_params.ts";
import { expandIndexed, renderDisplay } from "../arrays/display.ts";
import { DIMENSION_PARAMS, stackParams } from "./render_plan.ts";
import { planDisplayStack, planRender } from "../image/array_plan.ts";
import { conformArray, DECODE_DTYPES } from "../arrays/channels.ts";

/** The array formats pixserve answers with. */
type ArrayFormat = "json" | "npy";

/** Media types `/decode` reads; the container itself is recognised by its magic bytes. */
const DECODE_MEDIA_TYPES: readonly string[] = [
  MEDIA_TYPES.png,
  MEDIA_TYPES.jpeg,
  MEDIA_TYPES.gif,
  TIFF_MEDIA_TYPE,
  MEDIA_TYPES.webp,
  "image/apng",
  OCTET_STREAM,
];

/**
 * The media type of a request body, parameters dropped; none counts as an octet stream.
 *
 * @param request The request.
 * @returns The lower-case `type/subtype`.
 * @example
 * bodyMediaType(new Request("http://x/", { method: "POST", body: "[]" })); // "text/plain"
 */
export function bodyMediaType(request: Request): string {
  const type = request.headers.get("content-type")?.split(";")[0].trim().toLowerCase();
  return type === undefined || type === "" ? OCTET_STREAM : type;
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
  limits: ReadBodyOptions = {},
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
    return { bytes: await readBody(request, maxBytes, limits), kind };
  }
  const body = await readBody(request, maxBytes, limits);
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

/** `?order=`. */
const ORDER_PARAM: QueryParam = {
  name: "order",
  type: "string",
  enum: CHANNEL_ORDERS,
  description: "channel order of 3- and 4-channel arrays: bgr is OpenCV's",
};

/**
 * The `/images` transforms `/render` also takes; `background` is the display mapping's (the
 * colour of label 0, and of `fit=contain` bars alike).
 */
const RENDER_TRANSFORM_PARAMS = TRANSFORM_PARAMS.filter((param) => param.name !== "background");

/**
 * Names of the parameters that transform, `effort` (an encoder setting) and `background`
 * (a colour, which alone changes nothing) aside.
 */
const TRANSFORM_NAMES: ReadonlySet<string> = new Set(
  TRANSFORM_PARAMS.map((param) => param.name).filter((name) =>
    name !== "effort" && name !== "background"
  ),
);

/** Whether a request asks `/render` to transform what it draws. */
function wantsTransform(url: URL): boolean {
  for (const name of url.searchParams.keys()) if (TRANSFORM_NAMES.has(name)) return true;
  return false;
}

/** The query parameters of `POST /render.{fmt}`. */
export const RENDER_PARAMS: readonly QueryParam[] = [
  ...DISPOSITION_PARAMS,
  ORDER_PARAM,
  QUALITY_PARAM,
  { name: "clip", type: "boolean", description: "floats: map NaN to 0 and clip to [0, 1]" },
  {
    name: "shape",
    type: "string",
    description: "raw bytes: their shape, H,W or H,W,C",
  },
  { name: "dtype", type: "string", description: "raw bytes: their dtype (with shape)" },
  { name: "key", type: "string", description: ".npz: the array to read" },
  ...DISPLAY_PARAMS,
  ...DIMENSION_PARAMS,
  ...RENDER_TRANSFORM_PARAMS,
  FIELD_PARAM,
];

/** `?mode=`. */
const MODE_PARAM: QueryParam = {
  name: "mode",
  type: "string",
  enum: ARRAY_MODES,
  description: "gray, rgb or rgba; default rgba when any pixel is not opaque, else rgb",
};

/** The query parameters of `GET /image.{json,npy}`. */
export const SAMPLE_ARRAY_PARAMS: readonly QueryParam[] = [
  ...DISPOSITION_PARAMS,
  ORDER_PARAM,
  MODE_PARAM,
];

/** The 200 of an array answer. */
const ARRAY_RESPONSE: RouteResponse = {
  status: 200,
  description: "The pixels: a JSON nested list (rows, columns, channels) or a .npy file.",
  mediaTypes: ["{ext}"],
  headers: [
    "x-array-shape",
    "x-array-dtype",
    "content-disposition",
    "content-length",
    "cache-control",
    "etag",
  ],
};

/** The query parameters of `POST /decode.{json,npy}`. */
export const DECODE_PARAMS: readonly QueryParam[] = [
  ...DISPOSITION_PARAMS,
  ORDER_PARAM,
  {
    name: "mode",
    type: "string",
    enum: ARRAY_MODES,
    description: "gray, rgb or rgba; default: the image's own channels (gray is H×W)",
  },
  {
    name: "dtype",
    type: "string",
    enum: DECODE_DTYPES,
    description: "uint8 or uint16; default: the image's own depth (16-bit PNG and TIFF: uint16)",
  },
  {
    name: "frame",
    type: "integer",
    minimum: 0,
    description: "animations: only this frame (from 0), not all of them as (N, H, W, C)",
  },
  FIELD_PARAM,
];

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
      cacheControl: publicCache(config.cacheMaxAge, config.cacheSMaxAge),
      request,
    });
  };
}

/** The RGBA bytes the pixels of an array of this shape take: one image, or a stack of them. */
function renderBytes(shape: readonly number[], maxPixels: number): number {
  return shape.length === 4
    ? shape[0] * rgbaBytes(shape.slice(1), maxPixels)
    : rgbaBytes(shape, maxPixels);
}

/** Transforms resize one 8-bit image; stacks and 16-bit images are drawn as they are. */
function transformsNeedOneImage(): CodecError {
  return new CodecError(
    "unprocessable",
    "transform_unsupported",
    "w, h, fit, crop, rotate, flip and flop apply to one 8-bit image; drop them for a stack, " +
      "an animation or a 16-bit PNG (or add ?bits=8)",
  );
}

/**
 * How `/render` and `/decode` read their bodies: a pause longer than `BODY_TIMEOUT_SECONDS`
 * ends one with 408, and a large one gives way to other requests being answered.
 */
function uploadLimits(services: Services): ReadBodyOptions {
  return {
    idleTimeoutSeconds: services.config.bodyTimeoutSeconds,
    othersWaiting: () => services.open.count > 1,
  };
}

/** `POST /render.{png,jpg,jpeg,webp,gif,avif}`: an array body encoded as an image. */
function renderHandler(services: Services): Handler {
  const { config } = services;
  const bodyLimits = uploadLimits(services);
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
    const bodyBytes = declaredBodyBytes(request, config.maxBodyBytes);
    return await services.inflight.run(bodyBytes, async () => {
      const upload = await readUpload(
        request,
        url,
        config.maxBodyBytes,
        renderBodyKind,
        bodyLimits,
      );
      const key = url.searchParams.get("key") ?? undefined;
      const array = withQueryHints(
        () =>
          parseArrayBody(upload.bytes, upload.kind ?? arrayKindOf(upload.part), {
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
      return await services.inflight.run(renderBytes(array.shape, config.maxPixels), async () => {
        const display = displayParams(url);
        const limits = { order, clip, maxPixels: config.maxPixels, maxFrames: config.maxFrames };
        const transform = wantsTransform(url);
        const settings = stackParams(url);
        let encoded;
        if (wantsDisplay(display)) {
          if (clip) {
            throw new BadRequest(
              "invalid_parameter",
              "clip applies to the default mapping of floats; with cmap, vmin or vmax, values " +
                "outside the range take the under and over colours (or 0 and 255)",
            );
          }
          const stack = planDisplayStack(array, display, settings, limits);
          if (stack.mapped !== undefined) {
            if (transform) throw transformsNeedOneImage();
            const plan = planRender(stack.mapped, format, stack.settings, limits);
            encoded = await services.encodeChannels(plan.pixels, format, {
              quality,
              moveBuffer: true,
              timing: plan.timing,
            });
          } else {
            const single = stack.single;
            const { width, height } = checkDisplay(single.shape, single.dtype, display);
            checkPixels(width, height, config.maxPixels);
            checkElementCount(single);
            if (transform) {
              // Mapped here, then transformed as any rendered image is.
              const shown = renderDisplay(single, display);
              const rendered = shown.kind === "indexed"
                ? { width, height, channels: 4 as const, data: expandIndexed(shown) }
                : { width, height, channels: shown.channels, data: shown.data };
              const { pixels, effort } = await transformRendered(
                url,
                format,
                rendered,
                config.maxPixels,
              );
              encoded = await services.encodeChannels(pixels, format, { quality, effort });
            } else {
              checkSize(width, height, format);
              encoded = await services.encodeDisplay(single, { options: display, order }, format, {
                quality,
              });
            }
          }
        } else {
          const plan = withQueryHints(
            () => planRender(array, format, settings, limits),
            {
              invalid_value: " (add ?clip to clip them and map NaN to 0)",
              unsupported_dtype:
                "; add ?cmap=NAME (single channel), ?cmap=labels (integer masks) " +
                "or ?vmin=&vmax= to rescale",
            },
          );
          let pixels = plan.pixels;
          let effort: number | undefined;
          if (transform || url.searchParams.has("effort")) {
            if (pixels.frames !== undefined || pixels.bits === 16) throw transformsNeedOneImage();
            ({ pixels, effort } = await transformRendered(url, format, pixels, config.maxPixels));
          }
          // The pixels may be a view of the body, which nothing reads after this: moved whole.
          encoded = await services.encodeChannels(pixels, format, {
            quality,
            effort,
            moveBuffer: true,
            timing: plan.timing,
          });
        }
        return encodedResponse(encoded, {
          filename,
          disposition,
          maxAge: config.cacheMaxAge,
          sMaxAge: config.cacheSMaxAge,
          request,
        });
      }, bodyBytes);
    });
  };
}

/** `POST /decode.{json,npy}`: an image body as its pixels. */
function decodeHandler(services: Services): Handler {
  const { config } = services;
  const bodyLimits = uploadLimits(services);
  return async (request, { url, params }) => {
    const format = params.ext as ArrayFormat;
    const { mode, order } = layoutParams(url);
    const naming = dispositionRequest(url, `pixels.${format}`);
    const dtype = choiceParam(url, "dtype", DECODE_DTYPES);
    const frame = intParam(url, "frame", 0, Number.MAX_SAFE_INTEGER);
    const bodyBytes = declaredBodyBytes(request, config.maxBodyBytes);
    return await services.inflight.run(bodyBytes, async () => {
      const upload = await readUpload(request, url, config.maxBodyBytes, (type) => {
        if (DECODE_MEDIA_TYPES.includes(type)) return type;
        throw new UnsupportedMediaType(
          `Content-Type ${type} is not read here; send one of ${
            [...DECODE_MEDIA_TYPES, "multipart/form-data"].join(", ")
          }`,
        );
      }, bodyLimits);
      const body = upload.bytes;
      const header = readSourceHeader(body);
      const size = header === undefined ? [] : [header.height, header.width];
      // The decoded pixels, and the array made of them.
      const pixels = 2 * rgbaBytes(size, config.maxPixels);
      return await services.inflight.run(pixels, async () => {
        const decoded = await services.decoder.decodeToArray(body, config.maxPixels, {
          maxFrames: config.maxFrames,
          frame,
        });
        const array = conformArray(decoded.array, decoded.channels, { mode, order, dtype });
        return arrayResponse(array, format, {
          filename: naming.filename,
          disposition: format === "npy" ? "attachment" : naming.disposition,
          cacheControl: "no-store",
        });
      }, bodyBytes);
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
    {
      method: "GET",
      path: "/image.:ext(json|npy)",
      query: SAMPLE_ARRAY_PARAMS,
      doc: {
        summary: "The sample image's pixels as an array",
        tag: "arrays",
        responses: [
          ARRAY_RESPONSE,
          { status: 304, description: "If-None-Match holds its ETag.", headers: ["etag"] },
        ],
        errors: [400],
      },
      handler: sampleArrayHandler(services),
    },
    {
      method: "POST",
      path: "/render.:ext(png|jpg|jpeg|webp|gif|avif)",
      query: RENDER_PARAMS,
      strictQuery: true,
      doc: {
        summary: "An array in, an image out",
        description: "H×W (gray), H×W×3 (RGB, or BGR with `order=bgr`) or H×W×4; uint8 as is, " +
          "uint16 scaled by 1/257, floats in [0, 1] (`clip` to clip), bool as 0/255.",
        tag: "arrays",
        body: {
          mediaTypes: [
            "application/json",
            "application/x-npy",
            "application/zip",
            "application/octet-stream",
          ],
          description: "A JSON nested list, a .npy file, an .npz archive (`key`), or raw bytes " +
            "with `shape` and `dtype`.",
        },
        responses: IMAGE_RESPONSES.filter((r) => r.status === 200),
        errors: [400, 413, 415, 422, 503],
      },
      handler: renderHandler(services),
    },
    {
      method: "POST",
      path: "/decode.:ext(json|npy)",
      query: DECODE_PARAMS,
      strictQuery: true,
      doc: {
        summary: "An image in, its pixels out as an array",
        tag: "arrays",
        body: { mediaTypes: DECODE_MEDIA_TYPES, description: "A PNG, JPEG, GIF or TIFF file." },
        responses: [ARRAY_RESPONSE],
        errors: [400, 413, 415, 422],
      },
      handler: decodeHandler(services),
    },
  ];
}
