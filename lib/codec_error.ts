/**
 * The one error type of pixserve's codecs (arrays, images, colour maps): a stable code,
 * a sentence, and a kind that says what went wrong without naming HTTP. `lib/errors.ts`
 * maps each kind to a status code; routes may add a hint about their query syntax.
 *
 * @module
 */

/**
 * What kind of failure a codec met:
 * - `malformed`: the bytes or text are not what they claim (a corrupt `.npy`, bad JSON);
 * - `unsupported_media`: the container is not one pixserve reads;
 * - `unprocessable`: well formed, but not something pixserve can make an image of
 *   (a dtype, a shape, a value, a pixel limit);
 * - `too_large`: past a size limit the caller set (an inflated `.npz` member).
 */
export type CodecErrorKind = "malformed" | "unsupported_media" | "unprocessable" | "too_large";

/**
 * A codec's failure: a kind, a stable machine-readable code and a human sentence.
 *
 * @example
 * ```ts
 * import { CodecError } from "./codec_error.ts";
 *
 * const err = new CodecError("unprocessable", "unsupported_dtype", "dtype complex64 is not read");
 * console.log(err.kind, err.code, err.message);
 * ```
 */
export class CodecError extends Error {
  /**
   * Creates the error.
   *
   * @param kind What kind of failure it is.
   * @param code Stable machine-readable code, e.g. `"unsupported_dtype"`.
   * @param detail Human sentence.
   */
  constructor(readonly kind: CodecErrorKind, readonly code: string, detail: string) {
    super(detail);
    this.name = "CodecError";
  }
}
