/**
 * `GET /image.{png,jpg,jpeg,webp,gif}` and `GET /image`: the sample image,
 * built at the asked size, encoded once per (size, format, quality) and
 * served from the byte-bounded cache.
 *
 * @module
 */

import { checkPixels } from "../arrays/layout.ts";
import { acceptsExplicitly } from "../http/accept.ts";
import { DISPOSITION_PARAMS, dispositionRequest, intParam, QUALITY_PARAM } from "../http/params.ts";
import { checkQuality } from "../image/encode.ts";
import { formatFromExtension, type ImageFormat } from "../image/format.ts";
import { SAMPLE_SIZE, sampleImage } from "../image/sample.ts";
import { encodedHeaders, type EncodedImage, encodedResponse } from "../responses.ts";
import type { Handler, QueryParam, Route, RouteContext, RouteResponse } from "../router.ts";
import type { Services } from "../services.ts";
import { rgbaBytes } from "../inflight.ts";

/** What the sample routes read from a request. */
export interface SampleRequest {
  /** Columns. */
  width: number;
  /** Rows. */
  height: number;
  /** Target format. */
  format: ImageFormat;
  /** Quality for jpeg and webp. */
  quality?: number;
}

/**
 * Reads and checks `?width=&height=&quality=` for a format.
 *
 * @param url The request URL.
 * @param format The target format.
 * @param maxPixels The pixel limit.
 * @returns The checked request.
 * @throws {BadRequest} Malformed numbers or a quality the format does not take.
 * @throws {CodecError} unprocessable: `too_many_pixels` past the limit.
 * @example
 * ```ts
 * import { sampleRequest } from "./image.ts";
 *
 * sampleRequest(new URL("http://x/image.png?width=64"), "png", 40_000_000);
 * // { width: 64, height: 512, format: "png", quality: undefined }
 * ```
 */
export function sampleRequest(
  url: URL,
  format: ImageFormat,
  maxPixels: number,
): SampleRequest {
  const width = intParam(url, "width", 1, maxPixels) ?? SAMPLE_SIZE;
  const height = intParam(url, "height", 1, maxPixels) ?? SAMPLE_SIZE;
  checkPixels(width, height, maxPixels);
  const quality = checkQuality(format, intParam(url, "quality", 1, 100));
  return { width, height, format, quality };
}

/**
 * The sample image at the asked size in `format`, from the cache when it was encoded before.
 *
 * @param vary `Vary` of the answer, for a format negotiated from a request header.
 */
function serveSample(
  services: Services,
  request: Request,
  { url, memo }: RouteContext,
  format: ImageFormat,
  extension: string,
  vary?: string,
): Response | Promise<Response> {
  const spec = sampleRequest(url, format, services.config.maxPixels);
  const { filename, disposition } = dispositionRequest(url, `sample.${extension}`);
  const options = {
    filename,
    disposition,
    maxAge: services.config.cacheMaxAge,
    sMaxAge: services.config.cacheSMaxAge,
    headers: vary === undefined ? undefined : { vary },
    request,
  };
  const respond = (encoded: EncodedImage) => encodedResponse(encoded, options);
  const key = `sample:${spec.width}x${spec.height}.${format}.q${spec.quality ?? "-"}`;
  const cached = services.cache.get(key);
  if (cached !== undefined) {
    // Without `Vary`, the answer depends on the URL alone: kept while the image is cached.
    if (vary === undefined) {
      memo?.remember(request.url, {
        bytes: cached.bytes,
        headers: encodedHeaders(cached, options),
        owner: cached,
      });
    }
    return respond(cached);
  }
  return services.cache.getOrCreate(
    key,
    () =>
      services.inflight.run(
        rgbaBytes([spec.height, spec.width], services.config.maxPixels),
        () =>
          services.encode(sampleImage(spec.width, spec.height), format, { quality: spec.quality }),
      ),
  ).then(respond);
}

/** `GET /image.{png,jpg,jpeg,webp,gif}`: the sample image in the format of the extension. */
function sampleImageHandler(services: Services): Handler {
  return (request, context) => {
    const ext = context.params.ext;
    return serveSample(services, request, context, formatFromExtension(ext) ?? "png", ext);
  };
}

/** `GET /image`: the sample image as WebP when `Accept` names it, else PNG; `Vary: Accept`. */
function negotiatedSampleHandler(services: Services): Handler {
  return (request, context) => {
    const webp = acceptsExplicitly(request.headers.get("accept"), "image/webp");
    const format = webp ? "webp" : "png";
    return serveSample(services, request, context, format, format, "Accept");
  };
}

/** Headers of an encoded image's 200. */
export const IMAGE_HEADERS: readonly string[] = [
  "etag",
  "cache-control",
  "content-disposition",
  "content-length",
  "x-content-type-options",
];

/** The 200 and 304 of an encoded image whose type is the path's extension. */
export const IMAGE_RESPONSES: readonly RouteResponse[] = [
  { status: 200, description: "The image.", mediaTypes: ["{ext}"], headers: IMAGE_HEADERS },
  { status: 304, description: "If-None-Match holds its ETag.", headers: ["etag", "cache-control"] },
];

/**
 * The query parameters of the sample image.
 *
 * @param maxPixels The pixel limit, the largest width or height.
 * @returns `width`, `height`, `quality`, `download`, `filename`.
 * @example
 * sampleParams(40_000_000).map((p) => p.name); // ["width", "height", "quality", "download", "filename"]
 */
export function sampleParams(maxPixels: number): QueryParam[] {
  return [
    {
      name: "width",
      type: "integer",
      minimum: 1,
      maximum: maxPixels,
      description: `columns (default ${SAMPLE_SIZE})`,
    },
    {
      name: "height",
      type: "integer",
      minimum: 1,
      maximum: maxPixels,
      description: `rows (default ${SAMPLE_SIZE})`,
    },
    QUALITY_PARAM,
    ...DISPOSITION_PARAMS,
  ];
}

/**
 * The routes of the sample image.
 *
 * @param services Config, cache and encoder.
 * @returns The routes for `/image` and `/image.{ext}`.
 * @example
 * ```ts
 * import { createServices } from "../services.ts";
 * import { imageRoutes } from "./image.ts";
 * import { validateSettings } from "../config.ts";
 *
 * const services = createServices(validateSettings({}, () => Deno.cwd()));
 * const routes = imageRoutes(services);
 * services.close();
 * ```
 */
export function imageRoutes(services: Services): Route[] {
  const query = sampleParams(services.config.maxPixels);
  const errors = [400, 422, 503];
  return [
    {
      method: "GET",
      path: "/image.:ext(png|jpg|jpeg|webp|gif)",
      query,
      doc: {
        summary: "The sample image: a red square on black, at any size",
        tag: "images",
        requestHeaders: ["if-none-match"],
        responses: IMAGE_RESPONSES,
        errors,
      },
      handler: sampleImageHandler(services),
    },
    {
      method: "GET",
      path: "/image",
      query,
      doc: {
        summary: "The sample image as WebP when Accept names image/webp, else PNG",
        tag: "images",
        requestHeaders: ["accept", "if-none-match"],
        responses: [
          {
            status: 200,
            description: "The image.",
            mediaTypes: ["image/png", "image/webp"],
            headers: [...IMAGE_HEADERS, "vary"],
          },
          { status: 304, description: "If-None-Match holds its ETag.", headers: ["etag", "vary"] },
        ],
        errors,
      },
      handler: negotiatedSampleHandler(services),
    },
  ];
}
