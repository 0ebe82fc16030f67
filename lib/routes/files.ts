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
import { checkFilename } from "../http/disposition.ts";
import { mediaTypeOf } from "../http/mime.ts";
import { flagParam, intParam } from "../http/params.ts";
import {
  DEFAULT_CHUNK_SIZE,
  fileResponse,
  MAX_CHUNK_SIZE,
  type MediaFile,
  MIN_CHUNK_SIZE,
  resolveMediaPath,
  streamResponse,
} from "../files.ts";
import { SOURCE_EXTENSIONS } from "../image/source.ts";
import type { Handler, Route } from "../router.ts";
import type { Services } from "../services.ts";
import { IMAGES_PARAMS, imagesHandler } from "./images.ts";

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
 * await findImageSource(config.mediaRoot, "nested/tile"); // { path: ".../nested/tile.png", name: "tile.png" }
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

function disposition(url: URL): "inline" | "attachment" {
  return flagParam(url, "download") ? "attachment" : "inline";
}

function filesHandler(config: Config): Handler {
  return async (request, { url, params }) => {
    const found = await resolveMediaPath(config.mediaRoot, params.path);
    return await fileResponse(found.path, request, {
      filename: checkFilename(url.searchParams.get("filename") ?? found.name),
      contentType: mediaTypeOf(found.name),
      disposition: disposition(url),
      maxAge: config.cacheMaxAge,
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
      filename: checkFilename(url.searchParams.get("filename") ?? found.name),
      disposition: disposition(url),
      maxAge: config.cacheMaxAge,
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
 * const routes = filesRoutes(createServices(config));
 */
export function filesRoutes(services: Services): Route[] {
  return [
    { method: "GET", path: "/files/:path+", handler: filesHandler(services.config) },
    { method: "GET", path: "/stream/:path+", handler: streamHandler(services.config) },
    {
      method: "GET",
      path: "/images/:stem(.+)\\.:ext(png|jpg|jpeg|webp|gif|avif|auto)",
      query: IMAGES_PARAMS,
      handler: imagesHandler(services, (stem) => findImageSource(services.config.mediaRoot, stem)),
    },
  ];
}
