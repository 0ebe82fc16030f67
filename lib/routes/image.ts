/**
 * `GET /image.{png,jpg,jpeg,webp,gif}` and `GET /image`: the sample image,
 * built at the asked size, encoded once per (size, format, quality) and
 * served from the byte-bounded cache.
 *
 * @module
 */

import { checkPixels } from "../arrays/layout.ts";
import { acceptsExplicitly } from "../http/accept.ts";
import { dispositionRequest, intParam } from "../http/params.ts";
import { checkQuality } from "../image/encode.ts";
import { formatFromExtension, type ImageFormat } from "../image/format.ts";
import { SAMPLE_SIZE, sampleImage } from "../image/sample.ts";
import { encodedHeaders, type EncodedImage, encodedResponse } from "../responses.ts";
import type { Handler, Route, RouteContext } from "../router.ts";
import type { Services } from "../services.ts";

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
    () => services.encode(sampleImage(spec.width, spec.height), format, { quality: spec.quality }),
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
  return [
    {
      method: "GET",
      path: "/image.:ext(png|jpg|jpeg|webp|gif)",
      handler: sampleImageHandler(services),
    },
    { method: "GET", path: "/image", handler: negotiatedSampleHandler(services) },
  ];
}
