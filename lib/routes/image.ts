/**
 * `GET /image.{png,jpg,jpeg,webp,gif}` and `GET /image`: the sample image,
 * built at the asked size, encoded once per (size, format, quality) and
 * served from the byte-bounded cache.
 *
 * @module
 */

import { Unprocessable } from "../errors.ts";
import { acceptsExplicitly } from "../http/accept.ts";
import { checkFilename, type DispositionType } from "../http/disposition.ts";
import { flagParam, intParam } from "../http/params.ts";
import { checkQuality } from "../image/encode.ts";
import { formatFromExtension, type ImageFormat } from "../image/format.ts";
import { SAMPLE_SIZE, sampleImage } from "../image/sample.ts";
import { rgbaBytes } from "../inflight.ts";
import { encodedHeaders, type EncodedImage, encodedResponse } from "../responses.ts";
import type { Route, RouteContext } from "../router.ts";
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
 * @throws {Unprocessable} `too_many_pixels` past the limit.
 * @example
 * sampleRequest(new URL("http://x/image.png?width=64"), "png", 40_000_000);
 * // { width: 64, height: 512, format: "png", quality: undefined }
 */
export function sampleRequest(
  url: URL,
  format: ImageFormat,
  maxPixels: number,
): SampleRequest {
  const width = intParam(url, "width", 1, maxPixels) ?? SAMPLE_SIZE;
  const height = intParam(url, "height", 1, maxPixels) ?? SAMPLE_SIZE;
  if (width * height > maxPixels) {
    throw new Unprocessable(
      "too_many_pixels",
      `${width}x${height} is ${width * height} pixels, more than MAX_PIXELS (${maxPixels})`,
    );
  }
  const quality = checkQuality(format, intParam(url, "quality", 1, 100));
  return { width, height, format, quality };
}

/**
 * Reads `?filename=` (default `fallback`, checked) and `?download` (attachment, else inline).
 *
 * @param url The request URL.
 * @param fallback The name offered when none is asked.
 * @returns The name and disposition of the response.
 * @throws {BadRequest} `invalid_filename`, or `invalid_parameter` for a malformed flag.
 * @example
 * dispositionRequest(new URL("http://x/image.png?download"), "sample.png");
 * // { filename: "sample.png", disposition: "attachment" }
 */
export function dispositionRequest(
  url: URL,
  fallback: string,
): { filename: string; disposition: DispositionType } {
  const filename = checkFilename(url.searchParams.get("filename") ?? fallback);
  return { filename, disposition: flagParam(url, "download") ? "attachment" : "inline" };
}

/**
 * The routes of the sample image.
 *
 * @param services Config, cache and encoder.
 * @returns The routes for `/image` and `/image.{ext}`.
 * @example
 * const routes = imageRoutes(createServices(config));
 */
export function imageRoutes(services: Services): Route[] {
  const serve = (
    request: Request,
    { url, memo }: RouteContext,
    format: ImageFormat,
    extension: string,
    vary?: string,
  ): Response | Promise<Response> => {
    const asked = sampleRequest(url, format, services.config.maxPixels);
    const { filename, disposition } = dispositionRequest(url, `sample.${extension}`);
    const options = {
      filename,
      disposition,
      maxAge: services.config.cacheMaxAge,
      headers: vary === undefined ? undefined : { vary },
      request,
    };
    const respond = (encoded: EncodedImage) => encodedResponse(encoded, options);
    const key = `sample:${asked.width}x${asked.height}.${format}.q${asked.quality ?? "-"}`;
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
          rgbaBytes([asked.height, asked.width], services.config.maxPixels),
          () =>
            services.encode(sampleImage(asked.width, asked.height), format, {
              quality: asked.quality,
            }),
        ),
    ).then(respond);
  };
  return [
    {
      method: "GET",
      path: "/image.:ext(png|jpg|jpeg|webp|gif)",
      handler: (req, ctx) => {
        const ext = ctx.params.ext;
        return serve(req, ctx, formatFromExtension(ext) ?? "png", ext);
      },
    },
    {
      method: "GET",
      path: "/image",
      handler: (req, ctx) => {
        const webp = acceptsExplicitly(req.headers.get("accept"), "image/webp");
        return serve(
          req,
          ctx,
          webp ? "webp" : "png",
          webp ? "webp" : "png",
          "Accept",
        );
      },
    },
  ];
}
