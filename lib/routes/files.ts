/**
 * The file routes, all under the media root and nowhere else:
 * `GET|HEAD /files/{path}` (sized, with validators, conditional requests and
 * ranges), `GET|HEAD /stream/{path}?chunk=` (chunked) and
 * `GET /images/{stem}.{png,jpg,jpeg,webp,gif}` (a source image re-encoded).
 *
 * @module
 */

import type { Config } from "../config.ts";
import { NotFound, Unprocessable } from "../errors.ts";
import { mediaTypeOf } from "../http/mime.ts";
import { DISPOSITION_PARAMS, dispositionRequest, intParam, QUALITY_PARAM } from "../http/params.ts";
import { DEFAULT_CHUNK_SIZE, openFile, readUpTo } from "../files/disk.ts";
import { fileResponse } from "../files/sized.ts";
import { MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, streamResponse } from "../files/chunked.ts";
import { type MediaFile, resolveMediaPath } from "../files/media_path.ts";
import { checkQuality } from "../image/encode.ts";
import { formatFromExtension, type ImageFormat } from "../image/format.ts";
import { sixteenBitPixels } from "../image/deep_source.ts";
import { decodeSourceImage, SOURCE_EXTENSIONS } from "../image/source.ts";
import { type EncodedImage, encodedResponse } from "../responses.ts";
import type { Handler, QueryParam, Route } from "../router.ts";
import { IMAGE_RESPONSES } from "./image.ts";
import type { Services } from "../services.ts";

/**
 * The source of `/images/{stem}.{ext}`: the first of `{stem}.png`, `.jpg`,
 * `.jpeg`, `.gif`, `.tif`, `.tiff` (lower-case, in that order) that is a file
 * under the media root, whatever format is asked.
 *
 * @param root The media root (real path).
 * @param stem The requested name without its extension, percent-encoded as in the URL.
 * @returns The source file.
 * @throws {NotFound} No source with that stem.
 * @throws {BadRequest} `invalid_path` for malformed percent-encoding.
 * @example
 * ```ts ignore
 * await findImageSource(config.mediaRoot, "nested/tile"); // { path: ".../nested/tile.png", name: "tile.png" }
 * ```
 */
async function findImageSource(root: string, stem: string): Promise<MediaFile> {
  for (const extension of SOURCE_EXTENSIONS) {
    try {
      return await resolveMediaPath(root, `${stem}.${extension}`);
    } catch (err) {
      if (!(err instanceof NotFound)) throw err;
    }
  }
  throw new NotFound(
    `no image ${JSON.stringify(stem)} with a ${SOURCE_EXTENSIONS.join(", ")} source`,
  );
}

function filesHandler(config: Config): Handler {
  return async (request, { url, params }) => {
    const found = await resolveMediaPath(config.mediaRoot, params.path);
    return await fileResponse(found.path, request, {
      ...dispositionRequest(url, found.name),
      contentType: mediaTypeOf(found.name),
      maxAge: config.cacheMaxAge,
      sMaxAge: config.cacheSMaxAge,
    });
  };
}

function streamHandler(config: Config): Handler {
  return async (request, { url, params }) => {
    const chunkSize = intParam(url, "chunk", MIN_CHUNK_SIZE, MAX_CHUNK_SIZE) ??
      DEFAULT_CHUNK_SIZE;
    const found = await resolveMediaPath(config.mediaRoot, params.path);
    return await streamResponse(found.path, {
      chunkSize,
      contentType: mediaTypeOf(found.name),
      ...dispositionRequest(url, found.name),
      maxAge: config.cacheMaxAge,
      sMaxAge: config.cacheSMaxAge,
      request,
    });
  };
}

/**
 * The source decoded and encoded to `format`, from the cache when the same
 * version (size and mtime, read from the open file) was encoded before.
 */
async function encodeSource(
  services: Services,
  path: string,
  format: ImageFormat,
  quality: number | undefined,
): Promise<EncodedImage> {
  const { config } = services;
  const file = await openFile(path);
  try {
    const info = await file.stat();
    if (info.size > config.maxBodyBytes) {
      throw new Unprocessable(
        "source_too_large",
        `the source is ${info.size} bytes, more than MAX_BODY_BYTES (${config.maxBodyBytes})`,
      );
    }
    const version = `${info.size}:${info.mtime?.getTime() ?? 0}`;
    const key = `file:${path}:${version}:${format}:q${quality ?? "-"}`;
    return await services.cache.getOrCreate(key, async () => {
      const bytes = await readUpTo(file, info.size) ?? new Uint8Array();
      const deep = format === "png" ? await sixteenBitPixels(bytes, config.maxPixels) : undefined;
      if (deep !== undefined) return await services.encodeChannels(deep, format);
      const image = await decodeSourceImage(bytes, config.maxPixels);
      return await services.encode(image, format, { quality });
    });
  } finally {
    file.close();
  }
}

function imagesHandler(services: Services): Handler {
  const { config } = services;
  return async (request, { url, params }) => {
    const format = formatFromExtension(params.ext) ?? "png";
    const quality = checkQuality(format, intParam(url, "quality", 1, 100));
    const source = await findImageSource(config.mediaRoot, params.stem);
    const stemName = params.stem.slice(params.stem.lastIndexOf("/") + 1);
    const naming = dispositionRequest(url, `${decodeURIComponent(stemName)}.${params.ext}`);
    const encoded = await encodeSource(services, source.path, format, quality);
    return encodedResponse(encoded, {
      ...naming,
      maxAge: config.cacheMaxAge,
      sMaxAge: config.cacheSMaxAge,
      request,
    });
  };
}

/**
 * The file routes.
 *
 * @param services Config (media root, limits, caching), cache and encoder.
 * @returns `/files/{path}`, `/stream/{path}` and `/images/{stem}.{ext}`.
 * @example
 * ```ts
 * import { createServices } from "../services.ts";
 * import { filesRoutes } from "./files.ts";
 * import { validateSettings } from "../config.ts";
 *
 * const services = createServices(validateSettings({}, () => Deno.cwd()));
 * const routes = filesRoutes(services);
 * services.close();
 * ```
 */
export function filesRoutes(services: Services): Route[] {
  return [
    {
      method: "GET",
      path: "/files/:path+",
      query: DISPOSITION_PARAMS,
      doc: {
        summary: "A file under the media root, with validators, conditional requests and ranges",
        description: "Answers Range (one or several ranges), If-Range, If-None-Match, " +
          "If-Modified-Since, If-Match and If-Unmodified-Since.",
        tag: "files",
        requestHeaders: [
          "range",
          "if-range",
          "if-none-match",
          "if-modified-since",
          "if-match",
          "if-unmodified-since",
        ],
        responses: [
          {
            status: 200,
            description: "The file, its type from its extension.",
            mediaTypes: ["*/*"],
            headers: [
              "etag",
              "last-modified",
              "accept-ranges",
              "cache-control",
              "content-disposition",
              "content-length",
            ],
          },
          {
            status: 206,
            description: "The ranges asked: one as is, several as multipart/byteranges.",
            mediaTypes: ["*/*", "multipart/byteranges"],
            headers: ["content-range", "etag", "last-modified", "content-length"],
          },
          { status: 304, description: "The validators match.", headers: ["etag"] },
        ],
        errors: [400, 404, 412, 416, 503],
      },
      handler: filesHandler(services.config),
    },
    {
      method: "GET",
      path: "/stream/:path+",
      query: [...STREAM_PARAMS, ...DISPOSITION_PARAMS],
      doc: {
        summary: "A file under the media root, sent chunked",
        tag: "files",
        responses: [{
          status: 200,
          description: "The file in chunks of `chunk` bytes, without Content-Length.",
          mediaTypes: ["*/*"],
          headers: ["cache-control", "content-disposition"],
        }],
        errors: [400, 404],
      },
      handler: streamHandler(services.config),
    },
    {
      method: "GET",
      path: "/images/:stem(.+)\\.:ext(png|jpg|jpeg|webp|gif)",
      query: [QUALITY_PARAM, ...DISPOSITION_PARAMS],
      doc: {
        summary: "A source image under the media root (PNG, JPEG, GIF, TIFF) re-encoded",
        tag: "files",
        requestHeaders: ["if-none-match"],
        responses: IMAGE_RESPONSES,
        errors: [400, 404, 422, 503],
      },
      handler: imagesHandler(services),
    },
  ];
}

/** `?chunk=`. */
const STREAM_PARAMS: readonly QueryParam[] = [{
  name: "chunk",
  type: "integer",
  minimum: MIN_CHUNK_SIZE,
  maximum: MAX_CHUNK_SIZE,
  description: `bytes per chunk (default ${DEFAULT_CHUNK_SIZE})`,
}];
