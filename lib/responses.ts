/**
 * Image responses: encoded bytes sent whole as a `Uint8Array`, with exact
 * `Content-Type`, `Content-Length`, `Content-Disposition`, a strong `ETag`
 * and caching headers, answering `If-None-Match` with 304.
 *
 * @module
 */

import type { Image } from "imagescript";
import { UnsupportedMediaType } from "./errors.ts";
import { etagOf, ifNoneMatchHits } from "./http/conditional.ts";
import { contentDisposition, type DispositionType } from "./http/disposition.ts";
import { encode, type EncodeOptions } from "./image/encode.ts";
import { type ImageFormat, MEDIA_TYPES, sniffImageFormat } from "./image/format.ts";

/** Encoded bytes with what their headers need. */
export interface EncodedImage {
  /** The whole file. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Its format. */
  readonly format: ImageFormat;
  /** Strong ETag of the bytes, quoted. */
  readonly etag: string;
  /** `bytes.byteLength`, so that encoded images can be cached by size. */
  readonly byteLength: number;
}

/**
 * Encodes an image once and tags it.
 *
 * @param image The pixels.
 * @param format The target format.
 * @param options Quality for lossy formats.
 * @returns Bytes, format and ETag.
 * @throws {BadRequest} A quality the format does not take.
 * @example
 * const encoded = await encodeImage(sampleImage(), "png");
 */
export async function encodeImage(
  image: Image,
  format: ImageFormat,
  options: EncodeOptions = {},
): Promise<EncodedImage> {
  return await tagBytes(await encode(image, format, options), format);
}

/**
 * Tags bytes that are already encoded.
 *
 * @param bytes The whole file.
 * @param format Its format.
 * @returns Bytes, format and ETag.
 * @example
 * const tagged = await tagBytes(pngBytes, "png");
 */
export async function tagBytes(
  bytes: Uint8Array<ArrayBuffer>,
  format: ImageFormat,
): Promise<EncodedImage> {
  return {
    bytes,
    format,
    etag: await etagOf(bytes),
    byteLength: bytes.byteLength,
  };
}

/** Headers of an image response. */
export interface ImageHeaderOptions {
  /** Name offered to the client. @default {"image.<ext>"} */
  filename?: string;
  /** `inline` shows, `attachment` downloads. @default {"inline"} */
  disposition?: DispositionType;
  /** `Cache-Control` max-age in seconds. @default {3600} */
  maxAge?: number;
  /** Extra headers, set last (e.g. `Vary: Accept`). */
  headers?: HeadersInit;
  /** The request, read for `If-None-Match` (304). */
  request?: Request;
}

const EXTENSION: Readonly<Record<ImageFormat, string>> = {
  png: "png",
  jpeg: "jpg",
  webp: "webp",
  gif: "gif",
  avif: "avif",
};

/** Headers a 304 keeps from the 200 it stands for (RFC 9110 §15.4.5). */
export const RETAINED_304_HEADERS: readonly string[] = [
  "cache-control",
  "content-location",
  "date",
  "etag",
  "expires",
  "vary",
];

/**
 * The response for an encoded image: 200 with the bytes, or 304 when the
 * request's `If-None-Match` holds its ETag.
 *
 * @param encoded From {@linkcode encodeImage} or {@linkcode tagBytes}.
 * @param options Name, disposition, caching, extra headers, request.
 * @returns The response; its body is `encoded.bytes` itself.
 * @throws {BadRequest} An invalid file name.
 * @example
 * const res = encodedResponse(encoded, { filename: "plot.png", request });
 */
export function encodedResponse(
  encoded: EncodedImage,
  options: ImageHeaderOptions = {},
): Response {
  const headers = encodedHeaders(encoded, options);
  const inm = options.request?.headers.get("if-none-match") ?? null;
  if (ifNoneMatchHits(inm, encoded.etag)) return notModified(headers);
  return new Response(encoded.bytes, { status: 200, headers });
}

/**
 * The headers of the 200 {@linkcode encodedResponse} sends for an encoded image; without
 * extra `headers`, the same frozen object each time for the same image, name, disposition
 * and max-age.
 *
 * @param encoded From {@linkcode encodeImage} or {@linkcode tagBytes}.
 * @param options Name, disposition, caching, extra headers (`request` is not read).
 * @returns Header names (lower case) and values.
 * @throws {BadRequest} An invalid file name.
 * @example
 * encodedHeaders(encoded, { filename: "plot.png" })["content-disposition"];
 * // `inline; filename="plot.png"`
 */
export function encodedHeaders(
  encoded: EncodedImage,
  options: ImageHeaderOptions = {},
): Readonly<Record<string, string>> {
  const base = imageHeaders(
    encoded,
    options.filename ?? `image.${EXTENSION[encoded.format]}`,
    options.disposition ?? "inline",
    options.maxAge ?? 3600,
  );
  return options.headers === undefined
    ? base
    : { ...base, ...Object.fromEntries(new Headers(options.headers)) };
}

/**
 * The headers a 304 keeps from the 200 it stands for (RFC 9110 §15.4.5).
 *
 * @param headers The headers of the full response.
 * @returns Only {@linkcode RETAINED_304_HEADERS}.
 * @example
 * notModifiedHeaders({ etag: `"a"`, "content-type": "image/png" }).has("content-type"); // false
 */
export function notModifiedHeaders(headers: HeadersInit): Headers {
  const full = new Headers(headers);
  const kept = new Headers();
  for (const name of RETAINED_304_HEADERS) {
    const value = full.get(name);
    if (value !== null) kept.set(name, value);
  }
  return kept;
}

/**
 * A 304 for a full response's headers, without a body.
 *
 * @param headers The headers of the full response.
 * @returns The 304.
 * @example
 * notModified({ etag: `"a"`, "content-type": "image/png" }).status; // 304
 */
export function notModified(headers: HeadersInit): Response {
  return new Response(null, { status: 304, headers: notModifiedHeaders(headers) });
}

/** Header sets per encoded image, a few variants each (names, disposition, max-age). */
const HEADER_MEMO = new WeakMap<EncodedImage, Map<string, Readonly<Record<string, string>>>>();
const VARIANTS_KEPT = 8;

/**
 * The headers of a 200 for an encoded image, built once per variant: a cached image is
 * answered without rebuilding its `Content-Disposition` or its header list.
 */
function imageHeaders(
  encoded: EncodedImage,
  name: string,
  disposition: DispositionType,
  maxAge: number,
): Readonly<Record<string, string>> {
  const key = `${disposition};${maxAge};${name}`;
  let variants = HEADER_MEMO.get(encoded);
  const hit = variants?.get(key);
  if (hit !== undefined) return hit;
  const headers = Object.freeze({
    "content-type": MEDIA_TYPES[encoded.format],
    "content-length": String(encoded.byteLength),
    "content-disposition": contentDisposition(name, disposition),
    "etag": encoded.etag,
    "cache-control": `public, max-age=${maxAge}`,
    "x-content-type-options": "nosniff",
  });
  if (variants === undefined || variants.size >= VARIANTS_KEPT) {
    variants = new Map();
    HEADER_MEMO.set(encoded, variants);
  }
  variants.set(key, headers);
  return headers;
}

/** Options of {@linkcode imageResponse}. */
export interface ImageResponseOptions extends ImageHeaderOptions, EncodeOptions {
  /** Target format; required for an `Image`, sniffed from magic bytes for bytes. */
  format?: ImageFormat;
}

/**
 * An image as an HTTP response, in one call: what a FastAPI user writes as
 * `Response(im_bytes, headers={"Content-Disposition": ...}, media_type="image/png")`.
 *
 * @param source An ImageScript `Image` (encoded here) or encoded bytes.
 * @param options Format, quality, name, disposition, caching, headers, request.
 * @returns The response.
 * @throws {UnsupportedMediaType} Bytes that are not PNG, JPEG, WebP or GIF.
 * @throws {BadRequest} A bad quality or file name.
 * @example
 * Deno.serve(async (req) =>
 *   await imageResponse(sampleImage(), { format: "png", filename: "test.png", request: req })
 * );
 */
export async function imageResponse(
  source: Image | Uint8Array<ArrayBuffer>,
  options: ImageResponseOptions = {},
): Promise<Response> {
  let encoded: EncodedImage;
  if (source instanceof Uint8Array) {
    const sniffed = sniffImageFormat(source);
    const format = options.format ?? (sniffed === "tiff" ? undefined : sniffed);
    if (format === undefined) {
      throw new UnsupportedMediaType(
        "bytes are not a PNG, JPEG, WebP or GIF image; pass options.format",
      );
    }
    encoded = await tagBytes(source, format);
  } else {
    encoded = await encodeImage(source, options.format ?? "png", options);
  }
  return encodedResponse(encoded, options);
}
