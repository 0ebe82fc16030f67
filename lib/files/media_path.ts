/**
 * The lookup of a request path under a media root that no request can leave
 * ({@linkcode resolveMediaPath}).
 *
 * @module
 */

import { BadRequest, NotFound } from "../errors.ts";
import { isUnservable, statFile } from "./disk.ts";

/** Longest request path accepted under the media root, in characters. */
const MAX_PATH_LENGTH = 4096;

/** Longest single path segment, in UTF-8 bytes (the usual file-name limit). */
const MAX_SEGMENT_BYTES = 255;

/** Separators, backslashes, NUL and other control characters: never in a served name. */
// deno-lint-ignore no-control-regex
const UNSAFE_CHARACTER = /[\/\\\u0000-\u001f\u007f]/;

/** A file found under the media root. */
export interface MediaFile {
  /** Its real path: absolute, symlinks resolved, inside the root. */
  readonly path: string;
  /** The last segment of the request path, decoded: the name clients asked for. */
  readonly name: string;
}

/**
 * Splits a request path on `/` and percent-decodes each segment on its own,
 * so that an encoded `%2F` can never become a separator.
 *
 * @param raw The path below the route's prefix, as in the URL.
 * @returns The decoded segments.
 * @throws {BadRequest} `invalid_path` for malformed percent-encoding.
 * @throws {NotFound} A segment that is empty, `.`/`..` or any dotfile, or holds
 *   `/`, `\`, NUL or another control character; a path or segment too long.
 * @example
 * ```ts
 * import { decodeMediaPath } from "./media_path.ts";
 *
 * decodeMediaPath("nested/r%C3%A9sum%C3%A9.png"); // ["nested", "résumé.png"]
 * ```
 */
export function decodeMediaPath(raw: string): string[] {
  const refuse = () => new NotFound(`nothing is served at ${JSON.stringify(raw)}`);
  if (raw.length > MAX_PATH_LENGTH) throw refuse();
  const encoder = new TextEncoder();
  return raw.split("/").map((encoded) => {
    let segment: string;
    try {
      segment = decodeURIComponent(encoded);
    } catch {
      throw new BadRequest(
        "invalid_path",
        `malformed percent-encoding in ${JSON.stringify(raw)}`,
      );
    }
    const unsafe = segment === "" || segment.startsWith(".") || UNSAFE_CHARACTER.test(segment);
    if (unsafe || encoder.encode(segment).byteLength > MAX_SEGMENT_BYTES) throw refuse();
    return segment;
  });
}

/**
 * Finds a regular file under a media root from a request path, refusing every
 * way out: dot segments and dotfiles (any segment starting with `.`),
 * encoded separators, backslashes, NUL, absolute paths, and symlinks whose
 * real path is not inside the root or passes through a dotfile.
 *
 * @param root The media root: absolute and already symlink-free (`config.mediaRoot`).
 * @param raw The path below the route's prefix, percent-encoded as in the URL.
 * @returns The real path and the asked name.
 * @throws {NotFound} Anything but a regular file inside the root.
 * @throws {BadRequest} `invalid_path` for malformed percent-encoding.
 * @example
 * ```ts
 * import { resolveMediaPath } from "./media_path.ts";
 *
 * const root = await Deno.realPath("fixtures");
 * await resolveMediaPath(root, "nested/tile.png");
 * // { path: `${root}/nested/tile.png`, name: "tile.png" }
 * ```
 */
export async function resolveMediaPath(root: string, raw: string): Promise<MediaFile> {
  const segments = decodeMediaPath(raw);
  const prefix = root.endsWith("/") ? root : `${root}/`;
  let real: string;
  try {
    real = await Deno.realPath(prefix + segments.join("/"));
  } catch (err) {
    if (isUnservable(err)) throw new NotFound(`nothing is served at ${JSON.stringify(raw)}`);
    throw err;
  }
  const inside = real.startsWith(prefix) &&
    !real.slice(prefix.length).split("/").some((s) => s.startsWith("."));
  if (!inside) throw new NotFound(`nothing is served at ${JSON.stringify(raw)}`);
  await statFile(real);
  return { path: real, name: segments[segments.length - 1] };
}
