/**
 * The file routes, all under the media root and nowhere else:
 * `GET|HEAD /files/{path}` (sized, with validators, conditional requests and
 * ranges), `GET|HEAD /stream/{path}?chunk=` (chunked) and
 * `GET /images/{stem}.{png,jpg,jpeg,webp,gif,avif,auto}` (a source image transformed and
 * re-encoded: see `images.ts`).
 *
 * @module
 */

import type { Config } from "../config.ts";
import { NotFound } from "../errors.ts";
import { mediaTypeOf } from "../http/mime.ts";
import { DISPOSITION_PARAMS, dispositionRequest, intParam } from "../http/params.ts";
import { DEFAULT_CHUNK_SIZE } from "../files/disk.ts";
import { fileResponse } from "../files/sized.ts";
import { MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, streamResponse } from "../files/chunked.ts";
import { type MediaFile, resolveMediaPath } from "../files/media_path.ts";
import { SOURCE_EXTENSIONS } from "../image/source.ts";
import type { Handler, QueryParam, Route } from "../router.ts";
import { IMAGE_RESPONSES } from "./image.ts";
import { IMAGES_PARAMS, imagesHandler } from "./images.ts";
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
      path: "/images/:stem(.+)\\.:ext(png|jpg|jpeg|webp|gif|avif|auto)",
      query: IMAGES_PARAMS,
      doc: {
        summary: "A source image under the media root (PNG, JPEG, GIF, TIFF) transformed and " +
          "re-encoded; .auto picks AVIF, WebP or the source format from Accept",
        tag: "files",
        requestHeaders: ["accept", "if-none-match"],
        responses: IMAGE_RESPONSES,
        errors: [400, 403, 404, 422, 503],
      },
      handler: imagesHandler(services, (stem) => findImageSource(services.config.mediaRoot, stem)),
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
