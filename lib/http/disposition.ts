/**
 * `Content-Disposition` per RFC 6266, with an RFC 5987/8187 `filename*` for
 * names that are not plain ASCII and an ASCII fallback for old clients.
 *
 * @module
 */

import { encodeExtended } from "content-disposition";
import { BadRequest } from "../errors.ts";

/** `inline` shows the image in the browser; `attachment` downloads it. */
export type DispositionType = "inline" | "attachment";

/** Longest file name accepted, in UTF-16 code units. */
export const MAX_FILENAME_LENGTH = 255;

/**
 * Checks a file name offered to clients: not empty, no path separators, no
 * control characters, at most {@linkcode MAX_FILENAME_LENGTH} characters.
 *
 * @param name The candidate.
 * @returns The name, unchanged.
 * @throws {BadRequest} `invalid_filename` naming what is wrong.
 * @example
 * ```ts
 * import { BadRequest } from "../errors.ts";
 * import { checkFilename } from "./disposition.ts";
 *
 * checkFilename("plot.png"); // "plot.png"
 * try {
 *   checkFilename("../etc/passwd");
 * } catch (err) {
 *   console.log(err instanceof BadRequest); // true: a path separator
 * }
 * ```
 */
export function checkFilename(name: string): string {
  let why: string | undefined;
  if (name.trim() === "") why = "is empty";
  else if (name.length > MAX_FILENAME_LENGTH) {
    why = `is longer than ${MAX_FILENAME_LENGTH} characters`;
  } else if (/[\/\\]/.test(name)) why = "contains a path separator";
  // deno-lint-ignore no-control-regex
  else if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) {
    why = "contains a control character";
  } else if (name === "." || name === "..") why = "is a relative path";
  if (why !== undefined) {
    throw new BadRequest(
      "invalid_filename",
      `file name ${JSON.stringify(name)} ${why}`,
    );
  }
  return name;
}

/**
 * An ASCII stand-in for a name: accents dropped, other non-ASCII characters as `_`.
 *
 * @param name Any file name.
 * @returns A printable ASCII name.
 * @example
 * ```ts
 * import { asciiFallback } from "./disposition.ts";
 *
 * asciiFallback("résumé.png"); // "resume.png"
 * ```
 */
export function asciiFallback(name: string): string {
  return name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(
    /[^\x20-\x7e]/g,
    "_",
  );
}

/**
 * The `Content-Disposition` header value for a name, checked first.
 *
 * @param name The file name clients should use.
 * @param type `inline` (show) or `attachment` (download).
 * @returns The header value.
 * @throws {BadRequest} The name fails {@linkcode checkFilename}.
 * @example
 * ```ts
 * import { contentDisposition } from "./disposition.ts";
 *
 * contentDisposition("résumé.png", "attachment");
 * // `attachment; filename="resume.png"; filename*=UTF-8''r%C3%A9sum%C3%A9.png`
 * ```
 */
export function contentDisposition(
  name: string,
  type: DispositionType = "inline",
): string {
  checkFilename(name);
  const fallback = asciiFallback(name);
  const quoted = `"${fallback.replace(/["\\]/g, "\\$&")}"`;
  if (fallback === name && !name.includes("%")) {
    return `${type}; filename=${quoted}`;
  }
  return `${type}; filename=${quoted}; filename*=${encodeExtended(name)}`;
}
