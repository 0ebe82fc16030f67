/**
 * What an image request asks of the transform pipeline, read and checked before any
 * pixel is touched: format, quality, AVIF effort and the transform; and the transform of
 * `POST /render`, the same pipeline applied to rendered pixels.
 *
 * @module
 */

import { BadRequest, Unprocessable } from "../errors.ts";
import { intParam } from "../http/params.ts";
import { readTransform } from "../http/transform_params.ts";
import { type ChannelPixels, checkQuality, checkSize } from "../image/encode.ts";
import { type ImageFormat, LOSSY_FORMATS } from "../image/format.ts";
import {
  checkCrop,
  orientedSize,
  planResize,
  transformPixels,
  type TransformSpec,
} from "../image/transform.ts";

/** What one image request asks for, read and checked before the source is read. */
export interface VariantRequest {
  /** The output format. */
  readonly format: ImageFormat;
  /** Quality of a lossy format. */
  readonly quality?: number;
  /** AVIF effort. */
  readonly effort?: number;
  /** The transform. */
  readonly spec: TransformSpec;
}

/**
 * Reads quality, effort and transform for a format. With `format=auto`, a quality or
 * effort the chosen format does not take is dropped (the client did not choose it).
 *
 * @param url The request URL.
 * @param format The output format.
 * @param auto Whether the format was negotiated.
 * @param maxPixels The pixel limit.
 * @returns The request.
 * @throws {BadRequest} A bad quality, an effort for a format other than AVIF, a bad transform.
 * @throws {Unprocessable} A box past the limits.
 * @example
 * readVariant(new URL("http://x/a.avif?w=10&effort=2"), "avif", false, 4e7).effort; // 2
 */
export function readVariant(
  url: URL,
  format: ImageFormat,
  auto: boolean,
  maxPixels: number,
): VariantRequest {
  const asked = intParam(url, "quality", 1, 100);
  const quality = auto && !LOSSY_FORMATS.has(format) ? undefined : checkQuality(format, asked);
  const effort = intParam(url, "effort", 0, 9);
  if (effort !== undefined && format !== "avif" && !auto) {
    throw new BadRequest("invalid_parameter", `effort applies to avif, not ${format}`);
  }
  return {
    format,
    quality,
    effort: format === "avif" ? effort : undefined,
    spec: readTransform(url, format, maxPixels),
  };
}

/**
 * The transform of `POST /render.{fmt}`: the same parameters and pipeline as `/images`,
 * applied to the rendered pixels (already upright; `keep_meta` has no profile to keep).
 *
 * @param url The request URL.
 * @param format The output format.
 * @param pixels The rendered pixels; left unchanged (they may be a view of the body).
 * @param maxPixels The pixel limit.
 * @returns The pixels to encode (the input itself when nothing changes) and the AVIF effort.
 * @throws {BadRequest} Malformed parameters; `effort` for a format other than AVIF.
 * @throws {Unprocessable} A box or result past the limits.
 * @throws {CodecError} `crop_outside_image`.
 * @example
 * const { pixels, effort } = await transformRendered(url, "webp", rendered, config.maxPixels);
 */
export async function transformRendered(
  url: URL,
  format: ImageFormat,
  pixels: ChannelPixels,
  maxPixels: number,
): Promise<{ pixels: ChannelPixels; effort?: number }> {
  const { spec, effort } = readVariant(url, format, false, maxPixels);
  if (spec.crop !== undefined) checkCrop(pixels.width, pixels.height, spec.crop);
  checkResult(pixels.width, pixels.height, spec, format, maxPixels);
  return { pixels: await transformPixels(pixels, spec), effort };
}

/**
 * Checks the size a transform makes against the format and the pixel limit.
 *
 * @param width Columns of the upright input.
 * @param height Rows of the upright input.
 * @param spec The transform.
 * @param format The output format.
 * @param maxPixels The pixel limit.
 * @throws {Unprocessable} `too_large_for_format` or `too_many_pixels`.
 * @example
 * checkResult(4000, 3000, { ...IDENTITY_TRANSFORM, width: 800 }, "webp", 4e7);
 */
export function checkResult(
  width: number,
  height: number,
  spec: TransformSpec,
  format: ImageFormat,
  maxPixels: number,
): void {
  const [w, h] = orientedSize(width, height, spec);
  const plan = planResize(w, h, spec);
  checkSize(plan.width, plan.height, format);
  if (plan.width * plan.height > maxPixels) {
    throw new Unprocessable(
      "too_many_pixels",
      `the result would be ${plan.width}x${plan.height}, more than MAX_PIXELS (${maxPixels})`,
    );
  }
}
