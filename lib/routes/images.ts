/**
 * `GET /images/{stem}.{png,jpg,jpeg,webp,gif,avif,auto}`: a source image under the media
 * root, upright (EXIF orientation applied), its metadata stripped, transformed
 * (`?w=&h=&fit=`, crop, rotate, …) and encoded; `.auto` or `?format=auto` picks AVIF, WebP
 * or the source's format from `Accept`. Variants are cached by source version and
 * canonical transform, at most `MAX_VARIANTS` per source; with `SIGNING_KEYS` set, a URL
 * with any parameter beside `download` and `filename` needs a valid `?s=`.
 *
 * @module
 */

import type { Config } from "../config.ts";
import { Unprocessable } from "../errors.ts";
import { negotiateImageFormat } from "../http/accept.ts";
import { checkSignature, SIGNATURE_PARAM } from "../http/signature.ts";
import { choiceParam, DISPOSITION_PARAMS, dispositionRequest } from "../http/params.ts";
import { TRANSFORM_PARAMS, transformKey } from "../http/transform_params.ts";
import { openFile, readUpTo } from "../files/disk.ts";
import { sixteenBitPixels } from "../image/deep_source.ts";
import { formatFromExtension, type ImageFormat } from "../image/format.ts";
import {
  checkCrop,
  IDENTITY_TRANSFORM,
  shrinkFactor,
  transformPixels,
} from "../image/transform.ts";
import {
  DecodeShare,
  type DecodeTicket,
  decodeUpright,
  encodeKeepingProfile,
  probeSource,
  type SourceInfo,
  VariantIndex,
} from "../image/variant.ts";
import { type EncodedImage, encodedResponse, tagBytes } from "../responses.ts";
import { checkResult, readVariant, type VariantRequest } from "./variant_request.ts";
import type { QueryParam, RouteContext } from "../router.ts";
import type { Services } from "../services.ts";
import { rgbaBytes } from "../inflight.ts";

/** The query parameters of `GET /images/{stem}.{ext}`. */
export const IMAGES_PARAMS: readonly QueryParam[] = [
  ...DISPOSITION_PARAMS,
  {
    name: "quality",
    type: "integer",
    minimum: 1,
    maximum: 100,
    description: "JPEG, WebP and AVIF quality",
  },
  ...TRANSFORM_PARAMS,
  {
    name: "format",
    type: "string",
    enum: ["auto"],
    description: "auto: AVIF, WebP or the source's format, whichever Accept lists first",
  },
  {
    name: SIGNATURE_PARAM,
    type: "string",
    description: "base64url HMAC-SHA256 of the path and sorted query, when SIGNING_KEYS is set",
  },
];

/** Parameters that change no pixel: a URL with only these needs no signature. */
const UNSIGNED_PARAMS: ReadonlySet<string> = new Set(["download", "filename"]);

/** The format `.auto` falls back to for a source's extension (browsers show no TIFF). */
function fallbackFormat(sourceName: string): ImageFormat {
  const ext = sourceName.slice(sourceName.lastIndexOf(".") + 1).toLowerCase();
  return ext === "gif" ? "gif" : ext === "jpg" || ext === "jpeg" ? "jpeg" : "png";
}

const EXTENSION: Readonly<Record<ImageFormat, string>> = {
  png: "png",
  jpeg: "jpg",
  webp: "webp",
  gif: "gif",
  avif: "avif",
};

/** The per-route state of the variant pipeline. */
interface VariantState {
  readonly services: Services;
  readonly decodes: DecodeShare;
  readonly index: VariantIndex;
}

/**
 * Makes one variant of a source file: header checked, upright decode shared, transform,
 * encode (on the encode pool, or by libvips when the ICC profile is kept).
 */
async function makeVariant(
  state: VariantState,
  bytes: Uint8Array,
  ticket: DecodeTicket,
  asked: VariantRequest,
): Promise<EncodedImage> {
  const { config } = state.services;
  const info = await probeSource(bytes, config.maxPixels);
  return await state.services.inflight.run(
    rgbaBytes([info.height, info.width], config.maxPixels),
    () => makeProbedVariant(state, bytes, info, ticket, asked),
  );
}

/** {@linkcode makeVariant} once the header is read and the pixels' bytes are admitted. */
async function makeProbedVariant(
  state: VariantState,
  bytes: Uint8Array,
  info: SourceInfo,
  ticket: DecodeTicket,
  asked: VariantRequest,
): Promise<EncodedImage> {
  const { config } = state.services;
  const { spec, format, quality, effort } = asked;
  if (format === "png" && transformKey(spec) === transformKey(IDENTITY_TRANSFORM)) {
    // A 16-bit source asked as PNG, untransformed, keeps its 16 bits.
    const deep = await sixteenBitPixels(bytes, config.maxPixels);
    if (deep !== undefined) return await state.services.encodeChannels(deep, format);
  }
  if (spec.crop !== undefined) checkCrop(info.width, info.height, spec.crop);
  checkResult(info.width, info.height, spec, format, config.maxPixels);
  if (spec.keepMeta) {
    const options = { quality, effort, maxPixels: config.maxPixels };
    return await tagBytes(await encodeKeepingProfile(bytes, info, spec, format, options), format);
  }
  const shrink = info.format === "jpeg" ? shrinkFactor(info.width, info.height, spec) : 1;
  const { pixels } = await state.decodes.get(
    ticket,
    shrink,
    (s) => decodeUpright(bytes, info, s, config.maxPixels),
  );
  const out = await transformPixels(pixels, spec, [info.width, info.height]);
  // The shared decode stays shared: the pool would take its buffer.
  const own = out === pixels ? { ...out, data: out.data.slice() } : out;
  return await state.services.encodeChannels(own, format, { quality, effort });
}

/** A variant from the cache, or made and cached, counted against `MAX_VARIANTS`. */
async function cachedVariant(
  state: VariantState,
  path: string,
  asked: VariantRequest,
): Promise<EncodedImage> {
  const { config, cache } = state.services;
  const file = await openFile(path);
  try {
    const stat = await file.stat();
    if (stat.size > config.maxBodyBytes) {
      throw new Unprocessable(
        "source_too_large",
        `the source is ${stat.size} bytes, more than MAX_BODY_BYTES (${config.maxBodyBytes})`,
      );
    }
    const source = `${path}:${stat.size}:${stat.mtime?.getTime() ?? 0}`;
    const key = `variant:${source}:${asked.format}:q${asked.quality ?? "-"}:` +
      `e${asked.effort ?? "-"}:${transformKey(asked.spec)}`;
    for (const gone of state.index.use(path, key)) cache.delete(gone);
    return await cache.getOrCreate(key, () =>
      state.services.inflight.run(stat.size, async () => {
        const ticket = state.decodes.enter(source);
        try {
          const bytes = await readUpTo(file, stat.size) ?? new Uint8Array();
          return await makeVariant(state, bytes, ticket, asked);
        } finally {
          state.decodes.leave(ticket);
        }
      }));
  } finally {
    file.close();
  }
}

/**
 * The handler of `/images/{stem}.{ext}`, given how a stem finds its source.
 *
 * @param services Config (root, limits, keys, caching), cache and encoder.
 * @param findSource The source file of a stem (404 when none).
 * @returns The handler.
 * @example
 * const handler = imagesHandler(services, (stem) => findImageSource(root, stem));
 */
export function imagesHandler(
  services: Services,
  findSource: (stem: string) => Promise<{ path: string; name: string }>,
): (request: Request, context: RouteContext) => Promise<Response> {
  const { config } = services;
  const state: VariantState = {
    services,
    decodes: new DecodeShare(config.cacheBytes),
    index: new VariantIndex(config.maxVariants),
  };
  return async (request, { url, params }) => {
    await checkSigned(url, config);
    const auto = params.ext === "auto" || choiceParam(url, "format", ["auto"]) === "auto";
    const source = await findSource(params.stem);
    const format = auto
      ? negotiateImageFormat(request.headers.get("accept"), fallbackFormat(source.name))
      : formatFromExtension(params.ext) ?? "png";
    const asked = readVariant(url, format, auto, config.maxPixels);
    const stemName = decodeURIComponent(params.stem.slice(params.stem.lastIndexOf("/") + 1));
    const ext = auto ? EXTENSION[format] : params.ext;
    const { filename, disposition } = dispositionRequest(url, `${stemName}.${ext}`);
    const encoded = await cachedVariant(state, source.path, asked);
    return encodedResponse(encoded, {
      filename,
      disposition,
      maxAge: config.cacheMaxAge,
      sMaxAge: config.cacheSMaxAge,
      headers: auto ? { vary: "Accept" } : undefined,
      request,
    });
  };
}

/** With signing keys, a URL with a parameter that changes pixels needs a valid signature. */
async function checkSigned(url: URL, config: Config): Promise<void> {
  if (config.signingKeys.length === 0) return;
  for (const name of url.searchParams.keys()) {
    if (!UNSIGNED_PARAMS.has(name)) return await checkSignature(url, config.signingKeys);
  }
}
