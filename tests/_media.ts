/**
 * Test helper: a media root in a temporary folder, filled with the files a
 * test names, every one stamped with a fixed modification time so that
 * `ETag` and `Last-Modified` can be compared to exact strings.
 *
 * @module
 */

import type { Config } from "../lib/config.ts";
import { type TestServer, withServer } from "./_server.ts";

/** The modification time given to every file: Tue, 02 Jan 2024 03:04:05 GMT. */
export const MTIME = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

/** `Last-Modified` of every file. */
export const LAST_MODIFIED = "Tue, 02 Jan 2024 03:04:05 GMT";

/** 100 000 bytes, `i * 7 mod 251`: no two neighbouring slices alike. */
export const PIXELS_BIN: Uint8Array = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) % 251);

/** Contents by relative path: bytes, text, or `{ symlink: target }`. */
export type MediaFiles = Record<string, Uint8Array | string | { symlink: string }>;

/**
 * Writes files into a fresh temporary media root.
 *
 * @param files What to write.
 * @returns The root's real path; the caller removes it.
 */
export async function makeMediaRoot(files: MediaFiles): Promise<string> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "pixserve-media-" }));
  for (const [name, content] of Object.entries(files)) {
    const path = `${root}/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(path, content);
    else if (content instanceof Uint8Array) await Deno.writeFile(path, content);
    else {
      await Deno.symlink(content.symlink, path);
      continue;
    }
    await Deno.utime(path, MTIME, MTIME);
  }
  return root;
}

/**
 * Runs `fn` against the app serving a temporary media root of `files`.
 *
 * @param files What the root holds.
 * @param fn The test body; gets the server and the root.
 * @param overrides Config fields to replace.
 */
export async function withMedia(
  files: MediaFiles,
  fn: (server: TestServer & { root: string }) => Promise<void>,
  overrides: Partial<Config> = {},
): Promise<void> {
  const root = await makeMediaRoot(files);
  try {
    await withServer((server) => fn({ ...server, root }), { mediaRoot: root, ...overrides });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}
