/**
 * Where the client saves an answer: a name from `Content-Disposition` (with
 * `filename*`), else from the URL, made safe so that no server can make it
 * write outside the working folder.
 *
 * @module
 */

import { isAbsolute, relative, resolve } from "node:path";
import { parse } from "content-disposition";
import { FORMAT_EXTENSIONS, IMAGE_FORMATS, MEDIA_TYPES, TIFF_MEDIA_TYPE } from "../image/format.ts";
import { ARRAY_MEDIA_TYPES } from "../media_types.ts";
import { UsageError } from "./args.ts";

/** The name used when neither the answer nor the URL offers one. */
export const DEFAULT_FILENAME = "download";

/**
 * Longest name chosen, in UTF-8 bytes: common file systems allow 255, and the
 * `.resume` file kept beside an unfinished download needs 7 more.
 */
export const MAX_NAME_BYTES = 240;

const EXTENSION_OF_TYPE: Readonly<Record<string, string>> = Object.fromEntries([
  ...IMAGE_FORMATS.map((format) => [MEDIA_TYPES[format], `.${FORMAT_EXTENSIONS[format]}`]),
  [TIFF_MEDIA_TYPE, ".tiff"],
  ...Object.entries(ARRAY_MEDIA_TYPES).map(([extension, type]) => [type, `.${extension}`]),
]);

/**
 * Makes a name offered by a server safe to create in the working folder: only
 * its last path segment is kept, control and reserved characters become `_`,
 * leading dots and spaces go (no dotfiles, no `..`), and it is cut to
 * {@linkcode MAX_NAME_BYTES}.
 *
 * @param raw The name as offered.
 * @returns The safe name, or `undefined` when nothing usable is left.
 * @example
 * ```ts
 * import { safeFilename } from "./names.ts";
 *
 * safeFilename("../../evil.png"); // "evil.png"
 * safeFilename(".bashrc"); // "bashrc"
 * safeFilename(".."); // undefined
 * ```
 */
export function safeFilename(raw: string): string | undefined {
  const base = raw.split(/[\/\\]/).pop() ?? "";
  // deno-lint-ignore no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f-\u009f<>:"|?*]/g, "_")
    .replace(/^[.\s]+/, "")
    .replace(/[.\s]+$/, "");
  const name = truncateUtf8(cleaned, MAX_NAME_BYTES);
  return name === "" ? undefined : name;
}

/**
 * The file name a `Content-Disposition` header offers, `filename*` first.
 *
 * @param header The header value, or `null`.
 * @returns The raw name (not yet made safe), or `undefined` without one.
 * @example
 * ```ts
 * import { dispositionFilename } from "./names.ts";
 *
 * dispositionFilename(`inline; filename="a.png"; filename*=UTF-8''%C3%A9.png`); // "é.png"
 * ```
 */
export function dispositionFilename(header: string | null): string | undefined {
  if (header === null) return undefined;
  try {
    return parse(header).parameters.filename;
  } catch {
    return undefined;
  }
}

/**
 * The last path segment of a URL, percent-decoded.
 *
 * @param url The URL fetched (after redirects).
 * @returns The raw segment, or `undefined` when the path ends with `/`.
 * @example
 * ```ts
 * import { urlFilename } from "./names.ts";
 *
 * urlFilename(new URL("http://x/files/r%C3%A9.png")); // "ré.png"
 * ```
 */
export function urlFilename(url: URL): string | undefined {
  const segment = url.pathname.split("/").pop() ?? "";
  if (segment === "") return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Chooses the name to save an answer under: the `Content-Disposition` name,
 * else the URL's last segment, else {@linkcode DEFAULT_FILENAME} with the
 * extension of the media type; each made safe by {@linkcode safeFilename}.
 *
 * @param disposition The `Content-Disposition` header, or `null`.
 * @param url The URL answered.
 * @param contentType The `Content-Type` header, or `null`.
 * @returns A plain file name, no directories, never a dotfile.
 * @example
 * ```ts
 * import { chooseFilename } from "./names.ts";
 *
 * chooseFilename(`attachment; filename="../../evil.png"`, new URL("http://x/a"), null);
 * // "evil.png"
 * ```
 */
export function chooseFilename(
  disposition: string | null,
  url: URL,
  contentType: string | null,
): string {
  for (const raw of [dispositionFilename(disposition), urlFilename(url)]) {
    const safe = raw === undefined ? undefined : safeFilename(raw);
    if (safe !== undefined) return safe;
  }
  const type = contentType?.split(";")[0].trim().toLowerCase() ?? "";
  return DEFAULT_FILENAME + (EXTENSION_OF_TYPE[type] ?? "");
}

/**
 * Resolves a path the user named (`-o`, `--data`) against the working folder: the user
 * may name any path, as with curl; only names chosen by the server are confined.
 *
 * @param workdir The absolute working folder.
 * @param path The path as given, relative or absolute.
 * @param what The option that named it, for the error message.
 * @returns The absolute path.
 * @throws {UsageError} An empty path.
 * @example
 * ```ts
 * import { userPath } from "./names.ts";
 *
 * userPath("/home/me", "out/a.png", "-o"); // "/home/me/out/a.png"
 * userPath("/home/me", "/tmp/a.png", "-o"); // "/tmp/a.png"
 * ```
 */
export function userPath(workdir: string, path: string, what: string): string {
  if (path === "") throw new UsageError(`${what} needs a path`);
  return resolve(workdir, path);
}

/**
 * A path as the client prints it: relative to the working folder when inside it, else absolute.
 *
 * @param workdir The absolute working folder.
 * @param path An absolute path.
 * @returns The path to print.
 * @example
 * shownPath("/home/me", "/home/me/out/a.png"); // "out/a.png"
 * shownPath("/home/me", "/tmp/a.png"); // "/tmp/a.png"
 */
export function shownPath(workdir: string, path: string): string {
  const rel = relative(workdir, path);
  return rel === ".." || rel.startsWith("../") || isAbsolute(rel) ? path : rel;
}

function truncateUtf8(text: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  const dot = text.lastIndexOf(".");
  const extension = dot > 0 && text.length - dot <= 16 ? text.slice(dot) : "";
  let budget = maxBytes - encoder.encode(extension).length;
  let stem = "";
  for (const char of text.slice(0, text.length - extension.length)) {
    budget -= encoder.encode(char).length;
    if (budget < 0) break;
    stem += char;
  }
  return stem + extension;
}
