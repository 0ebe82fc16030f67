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
import { checkFilename } from "../http/disposition.ts";
import { mediaTypeOf } from "../http/mime.ts";
import { flagParam, intParam } from "../http/params.ts";
import {
  DEFAULT_CHUNK_SIZE,
  fileResponse,
  MAX_CHUNK_SIZE,
  type MediaFile,
  MIN_CHUNK_SIZE,
  openFile,
  readUpTo,
  resolveMediaPath,
  streamResponse,
} from "../files.ts";
import { checkQuality } from "../image/encode.ts";
import { formatFromExtension, type ImageFormat } from "../image/format.ts";
import { readSourceHeader, SOURCE_EXTENSIONS } from "../image/source.ts";
import { rgbaBytes } from "../inflight.ts";
import { type EncodedImage, encodedResponse } from "../responses.ts";
import type { Handler, Route } from "../router.ts";
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
    return await services.cache.getOrCreate(
      key,
      () =>
        services.inflight.run(info.size, async () => {
          const bytes = await readUpTo(file, info.size) ?? new Uint8Array();
          const header = readSourceHeader(bytes);
          const size = header === undefined ? [] : [header.height, header.width];
          const pixels = rgbaBytes(size, config.maxPixels);
          return await services.inflight.run(pixels, async () => {
            const { width, height, rgba } = await services.decoder.decode(bytes, config.maxPixels);
            return await services.encodeChannels(
              { width, height, channels: 4, data: rgba },
              format,
              {
                quality,
              },
            );
          });
        }),
    );
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
    const filename = checkFilename(
      url.searchParams.get("filename") ?? `${decodeURIComponent(stemName)}.${params.ext}`,
    );
    const encoded = await encodeSource(services, source.path, format, quality);
    return encodedResponse(encoded, {
      filename,
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
      path: "/images/:stem(.+)\\.:ext(png|jpg|jpeg|webp|gif)",
      handler: imagesHandler(services),
    },
  ];
}
