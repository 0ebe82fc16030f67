/**
 * Any array body — a JSON nested list, a `.npy` file, an `.npz` archive or
 * raw bytes — read by its media type and, for `application/octet-stream`,
 * by its magic bytes.
 *
 * @module
 */

import { CodecError } from "../codec_error.ts";
import { ARRAY_MEDIA_TYPES, OCTET_STREAM } from "../media_types.ts";
import { parseArrayJson } from "./json.ts";
import { isNpy, parseNpy } from "./npy.ts";
import { isZip, parseNpz } from "./npz.ts";
import { parseRawArray } from "./raw.ts";
import { checkDtype, type PixelArray } from "./types.ts";

/** What an array body holds, as its media type says. */
export type ArrayBodyKind = "json" | "npy" | "npz" | "octet-stream";

/** The media types an array body may have, each with what it holds. */
export const ARRAY_BODY_TYPES: Readonly<Record<string, ArrayBodyKind>> = {
  [ARRAY_MEDIA_TYPES.json]: "json",
  [ARRAY_MEDIA_TYPES.npy]: "npy",
  [ARRAY_MEDIA_TYPES.npz]: "npz",
  [OCTET_STREAM]: "octet-stream",
};

const ARRAY_BODY_KINDS: readonly string[] = Object.values(ARRAY_BODY_TYPES);

/**
 * What a body of this media type holds.
 *
 * @param contentType A `Content-Type` value: `type/subtype`, any case, parameters allowed.
 * @returns The kind.
 * @throws {CodecError} unsupported_media: Any other media type, listing the accepted ones.
 * @example
 * ```ts
 * import { arrayBodyKind } from "./parse.ts";
 *
 * arrayBodyKind("application/x-npy"); // "npy"
 * arrayBodyKind("application/json; charset=utf-8"); // "json"
 * ```
 */
export function arrayBodyKind(contentType: string): ArrayBodyKind {
  const mediaType = contentType.split(";")[0].trim().toLowerCase();
  const kind = ARRAY_BODY_TYPES[mediaType];
  if (kind !== undefined) return kind;
  throw new CodecError(
    "unsupported_media",
    "unsupported_media_type",
    `Content-Type ${mediaType} is not read here; send one of ${
      Object.keys(ARRAY_BODY_TYPES).join(", ")
    }`,
  );
}

/** Options of {@linkcode parseArrayBody}. */
export interface ArrayBodyOptions {
  /** Raw bytes: their shape, `H,W` or `H,W,C`; given, the body is read as raw bytes. */
  shape?: readonly number[];
  /** Raw bytes: their dtype. @default {"uint8"} */
  dtype?: string;
  /** `.npz`: the array to read. @default {the only one, else "arr_0"} */
  key?: string;
  /** `.npz`: largest inflated member, in bytes. @default {Infinity} */
  maxInflatedBytes?: number;
}

/**
 * Reads an array body of any kind pixserve accepts.
 *
 * @param bytes The body.
 * @param kind What its media type says: a kind from {@linkcode arrayBodyKind}, or the
 *   request's whole `Content-Type` (`application/json; charset=utf-8`).
 * @param options Raw shape and dtype, `.npz` key and inflated-size limit.
 * @returns The array.
 * @throws {CodecError} malformed: Malformed JSON, `.npy`, `.npz` or raw bytes; a shape with a
 *   body that is not an octet stream, or a key with a body that is not `.npz`.
 * @throws {CodecError} unsupported_media: An octet stream that is neither `.npy` nor `.npz`
 *   and comes without a shape.
 * @throws {CodecError} unprocessable: A dtype, ragged list, value or missing `.npz` key.
 * @throws {CodecError} too_large: An `.npz` member inflating past the limit.
 * @example
 * ```ts
 * import { parseArrayBody } from "./parse.ts";
 *
 * parseArrayBody(new TextEncoder().encode("[[0, 255]]"), "json").shape; // [1, 2]
 * parseArrayBody(new Uint8Array(12), "octet-stream", { shape: [2, 2, 3] }).shape; // [2, 2, 3]
 * parseArrayBody(new TextEncoder().encode("[[1]]"), "application/json; charset=utf-8").shape; // [1, 1]
 * ```
 */
export function parseArrayBody(
  bytes: Uint8Array,
  kindOrType: ArrayBodyKind | string,
  options: ArrayBodyOptions = {},
): PixelArray {
  const kind = ARRAY_BODY_KINDS.includes(kindOrType)
    ? kindOrType as ArrayBodyKind
    : arrayBodyKind(kindOrType);
  if (options.shape !== undefined) {
    if (kind !== "octet-stream") {
      throw new CodecError(
        "malformed",
        "invalid_parameter",
        "shape and dtype describe raw bytes; send them as application/octet-stream",
      );
    }
    return parseRawArray(bytes, options.shape, checkDtype(options.dtype ?? "uint8"));
  }
  const sniffed = kind === "octet-stream" ? sniffArrayKind(bytes) : kind;
  if (options.key !== undefined && sniffed !== "npz") {
    throw new CodecError(
      "malformed",
      "invalid_parameter",
      "key picks an array out of an .npz archive",
    );
  }
  switch (sniffed) {
    case "json":
      return parseArrayJson(bytes);
    case "npy":
      return parseNpy(bytes);
    case "npz":
      return parseNpz(bytes, { key: options.key, maxInflatedBytes: options.maxInflatedBytes });
  }
}

function sniffArrayKind(bytes: Uint8Array): "npy" | "npz" {
  if (isNpy(bytes)) return "npy";
  if (isZip(bytes)) return "npz";
  throw new CodecError(
    "unsupported_media",
    "unsupported_media_type",
    "the application/octet-stream body is neither a .npy file (\\x93NUMPY) nor an .npz " +
      "archive (PK\\x03\\x04)",
  );
}
