/**
 * Writing answers to disk: a body streamed to a file (rewritten or appended),
 * never through a symlink, and the validator a resume needs kept beside it
 * while the download is incomplete.
 *
 * @module
 */

/** How {@linkcode saveBody} opens the file. */
export interface SaveOptions {
  /** Add to the end of the file (a resumed download) instead of rewriting it. */
  append?: boolean;
}

/**
 * The body ended early: the bytes written so far stay on disk for `-C`.
 *
 * @example
 * ```ts
 * import { DownloadInterrupted } from "./save.ts";
 *
 * const err = new DownloadInterrupted(120000, new TypeError("connection reset"));
 * console.log(err.message);
 * ```
 */
export class DownloadInterrupted extends Error {
  /**
   * @param written bytes of this body written before the failure
   * @param cause what ended the body
   */
  constructor(readonly written: number, cause: unknown) {
    super(
      `the download stopped after ${written} bytes: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
    this.name = "DownloadInterrupted";
  }
}

/**
 * A file the client refuses to write: a symlink or not a regular file.
 *
 * @example
 * ```ts
 * import { UnsafeTarget } from "./save.ts";
 *
 * const err = new UnsafeTarget("/home/me/a.png", "a symbolic link");
 * console.log(err.message);
 * ```
 */
export class UnsafeTarget extends Error {
  /**
   * Creates a `UnsafeTarget`.
   *
   * @param path the file
   * @param why what it is
   */
  constructor(readonly path: string, why: string) {
    super(`refusing to write ${path}: it is ${why}`);
    this.name = "UnsafeTarget";
  }
}

/**
 * The size of a regular file, or 0 when it does not exist.
 *
 * @param path The file.
 * @returns Its size in bytes.
 * @throws {UnsafeTarget} It is a symlink, a directory or another special file.
 * @example
 * ```ts
 * import { existingSize } from "./save.ts";
 *
 * await existingSize("sample.png"); // 3204, or 0
 * ```
 */
export async function existingSize(path: string): Promise<number> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return 0;
    throw err;
  }
  if (info.isSymlink) throw new UnsafeTarget(path, "a symbolic link");
  if (!info.isFile) throw new UnsafeTarget(path, "not a regular file");
  return info.size;
}

/**
 * Streams a body into a file, then closes it.
 *
 * @param body The body (already piped through any progress stream).
 * @param path The file; an existing one must be a regular file.
 * @param options `append` to add to it, else it is rewritten.
 * @returns Bytes written.
 * @throws {UnsafeTarget} The path is a symlink or not a regular file.
 * @throws {DownloadInterrupted} The body failed midway; what came is kept.
 * @example
 * ```ts
 * import { saveBody } from "./save.ts";
 *
 * const path = await Deno.makeTempFile();
 * const written = await saveBody(new Response("pixels").body!, path);
 * console.log(written); // 6
 * await Deno.remove(path);
 * ```
 */
export async function saveBody(
  body: ReadableStream<Uint8Array>,
  path: string,
  options: SaveOptions = {},
): Promise<number> {
  await existingSize(path);
  const append = options.append ?? false;
  const file = await Deno.open(path, { write: true, create: true, append, truncate: !append });
  let written = 0;
  try {
    for await (const chunk of body) {
      let offset = 0;
      while (offset < chunk.byteLength) offset += await file.write(chunk.subarray(offset));
      written += chunk.byteLength;
    }
  } catch (err) {
    throw new DownloadInterrupted(written, err);
  } finally {
    file.close();
  }
  return written;
}

/**
 * The file that keeps the validator of an unfinished download: `<name>.resume`
 * beside it.
 *
 * @param path The download.
 * @returns The path of its companion file.
 * @example
 * ```ts
 * import { validatorPath } from "./save.ts";
 *
 * validatorPath("/home/me/big.tif"); // "/home/me/big.tif.resume"
 * ```
 */
export function validatorPath(path: string): string {
  return `${path}.resume`;
}

/**
 * Remembers the validator (`ETag` or `Last-Modified`) of a download in progress.
 *
 * @param path The download.
 * @param validator The strong ETag or the Last-Modified date.
 * @returns When written.
 * @throws {UnsafeTarget} The companion file is a symlink or not a regular file.
 * @example
 * ```ts
 * import { keepValidator } from "./save.ts";
 *
 * await keepValidator("big.tif", `"abc"`);
 * ```
 */
export async function keepValidator(path: string, validator: string): Promise<void> {
  const companion = validatorPath(path);
  await existingSize(companion);
  await Deno.writeTextFile(companion, `${validator}\n`);
}

/**
 * The validator kept for an unfinished download.
 *
 * @param path The download.
 * @returns The validator, or `undefined` when none is kept.
 * @throws {UnsafeTarget} The companion file is a symlink or not a regular file.
 * @example
 * ```ts
 * import { keptValidator } from "./save.ts";
 *
 * await keptValidator("big.tif"); // `"abc"` or undefined
 * ```
 */
export async function keptValidator(path: string): Promise<string | undefined> {
  const companion = validatorPath(path);
  if (await existingSize(companion) === 0) return undefined;
  const text = (await Deno.readTextFile(companion)).trim();
  return text === "" ? undefined : text;
}

/**
 * Forgets the validator once the download is complete.
 *
 * @param path The download.
 * @returns When removed (nothing happens when there was none).
 * @example
 * ```ts
 * import { forgetValidator } from "./save.ts";
 *
 * await forgetValidator("big.tif");
 * ```
 */
export async function forgetValidator(path: string): Promise<void> {
  try {
    await Deno.remove(validatorPath(path));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}
