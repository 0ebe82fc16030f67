/**
 * Image formats: their media types, file extensions and magic bytes.
 *
 * @module
 */

/** The formats pixserve writes. */
export type ImageFormat = "png" | "jpeg" | "webp" | "gif" | "avif";

/** Every {@linkcode ImageFormat}. */
export const IMAGE_FORMATS: readonly ImageFormat[] = ["png", "jpeg", "webp", "gif"];

/** Exact `Content-Type` of each format. */
export const MEDIA_TYPES: Readonly<Record<ImageFormat, string>> = {
  png: "image/png",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  avif: "image/avif",
};

/** The extension each format's files are named with (`jpg` for JPEG, as most tools write it). */
export const FORMAT_EXTENSIONS: Readonly<Record<ImageFormat, string>> = {
  png: "png",
  jpeg: "jpg",
  webp: "webp",
  gif: "gif",
  avif: "avif",
};

/** `Content-Type` of TIFF, which pixserve reads but does not write. */
export const TIFF_MEDIA_TYPE = "image/tiff";

const EXTENSIONS: Readonly<Record<string, ImageFormat>> = {
  png: "png",
  jpg: "jpeg",
  jpeg: "jpeg",
  webp: "webp",
  gif: "gif",
  avif: "avif",
};

/** Formats whose encoders take a quality. */
export const LOSSY_FORMATS: ReadonlySet<ImageFormat> = new Set([
  "jpeg",
  "webp",
  "avif",
]);

/**
 * The format a file extension names.
 *
 * @param extension Without the dot, any case: `png`, `jpg`, `jpeg`, `webp`, `gif`, `avif`.
 * @returns The format, or `undefined` for any other extension.
 * @example
 * ```ts
 * import { formatFromExtension } from "./format.ts";
 *
 * formatFromExtension("JPG"); // "jpeg"
 * ```
 */
export function formatFromExtension(
  extension: string,
): ImageFormat | undefined {
  return EXTENSIONS[extension.toLowerCase()];
}

/**
 * The extension a path's last segment ends with, without the dot, as written.
 *
 * @param path A file name or path.
 * @returns The extension, or `undefined` when the name has none.
 * @example
 * ```ts
 * import { fileExtension } from "./format.ts";
 *
 * console.log(fileExtension("out/picture.JPG")); // "JPG"
 * ```
 */
export function fileExtension(path: string): string | undefined {
  return /\.([^./\\]+)$/.exec(path)?.[1];
}

/** The eight bytes every PNG file starts with. */
export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const MAGIC: readonly [ImageFormat | "tiff", readonly number[]][] = [
  ["png", PNG_SIGNATURE],
  ["jpeg", [0xff, 0xd8, 0xff]],
  ["gif", [0x47, 0x49, 0x46, 0x38]],
  ["tiff", [0x49, 0x49, 0x2a, 0x00]],
  ["tiff", [0x4d, 0x4d, 0x00, 0x2a]],
];

/**
 * The image container that bytes start with.
 *
 * @param bytes The first bytes of a file (12 are enough).
 * @returns The format, `"tiff"`, or `undefined` when none matches.
 * @example
 * ```ts
 * import { sniffImageFormat } from "./format.ts";
 *
 * sniffImageFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])); // "jpeg"
 * ```
 */
export function sniffImageFormat(
  bytes: Uint8Array,
): ImageFormat | "tiff" | undefined {
  const webp = bytes.length >= 12 &&
    String.fromCharCode(...bytes.subarray(0, 4)) === "RIFF" &&
    String.fromCharCode(...bytes.subarray(8, 12)) === "WEBP";
  if (webp) return "webp";
  const avif = bytes.length >= 12 && String.fromCharCode(...bytes.subarray(4, 12)) === "ftypavif";
  if (avif) return "avif";
  for (const [format, magic] of MAGIC) {
    if (magic.every((b, i) => bytes[i] === b)) return format;
  }
  return undefined;
}
