/**
 * The browser page's files — HTML, script, style — embedded in the module graph (so the server
 * needs no read permission for them), each served with its exact type, a strong ETag over its
 * bytes and a Content-Security-Policy that allows nothing but pixserve's own origin.
 *
 * @module
 */

import { etagOf } from "../http/conditional.ts";
import { representationHeaders, representationResponse } from "../http/representation.ts";
import html from "./index.html" with { type: "text" };
import css from "./page.css" with { type: "text" };
import js from "./page.js" with { type: "text" };

/**
 * The page's policy: scripts, styles and connections from pixserve's origin only, images also
 * from `blob:` and `data:` URLs, no inline script, no plugins, no framing.
 *
 * @example
 * ```ts
 * import { PAGE_CSP } from "./assets.ts";
 *
 * const res = new Response("<p>hi</p>", { headers: { "content-security-policy": PAGE_CSP } });
 * console.log(res.headers.get("content-security-policy")?.startsWith("default-src 'self'")); // true
 * ```
 */
export const PAGE_CSP: string = [
  "default-src 'self'",
  "img-src 'self' blob: data:",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** One file of the page, as written. */
export interface PageFile {
  /** The path it is served at, e.g. `/page.js`. */
  readonly path: string;
  /** Exact `Content-Type`. */
  readonly contentType: string;
  /** Its text. */
  readonly text: string;
}

/** One file of the page, ready to serve. */
export interface PageAsset {
  /** Exact `Content-Type`. */
  readonly contentType: string;
  /** The UTF-8 bytes. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Strong ETag of the bytes, quoted. */
  readonly etag: string;
}

/**
 * The page's files: the HTML at `/`, the script at `/page.js`, the style at `/page.css`.
 *
 * @example
 * ```ts
 * import { PAGE_FILES } from "./assets.ts";
 *
 * PAGE_FILES.map((file) => file.path); // ["/", "/page.js", "/page.css"]
 * ```
 */
export const PAGE_FILES: readonly PageFile[] = [
  { path: "/", contentType: "text/html; charset=utf-8", text: html },
  { path: "/page.js", contentType: "text/javascript; charset=utf-8", text: js },
  { path: "/page.css", contentType: "text/css; charset=utf-8", text: css },
];

/**
 * A page file encoded to UTF-8 and tagged.
 *
 * @param file One of {@linkcode PAGE_FILES}.
 * @returns Its type, bytes and strong ETag.
 * @example
 * ```ts
 * import { PAGE_FILES, tagPageFile } from "./assets.ts";
 *
 * const page = await tagPageFile(PAGE_FILES[0]);
 * page.contentType; // "text/html; charset=utf-8"
 * ```
 */
export async function tagPageFile(file: PageFile): Promise<PageAsset> {
  const bytes = new TextEncoder().encode(file.text);
  return { contentType: file.contentType, bytes, etag: await etagOf(bytes) };
}

/**
 * The response for one of the page's files: 200 with its bytes, or 304 when the request's
 * `If-None-Match` holds its ETag.
 *
 * @param asset From {@linkcode tagPageFile}.
 * @param request The request, read for `If-None-Match`.
 * @returns The response; `Cache-Control: no-cache`, so browsers revalidate with the ETag.
 * @example
 * ```ts
 * import { assetResponse, PAGE_CSP, PAGE_FILES, tagPageFile } from "./assets.ts";
 *
 * const res = assetResponse(await tagPageFile(PAGE_FILES[0]), new Request("http://x/"));
 * res.headers.get("content-security-policy"); // PAGE_CSP
 * ```
 */
export function assetResponse(asset: PageAsset, request: Request): Response {
  const headers = {
    ...representationHeaders({
      contentType: asset.contentType,
      length: asset.bytes.byteLength,
      etag: asset.etag,
      cacheControl: "no-cache",
    }),
    "content-security-policy": PAGE_CSP,
    "referrer-policy": "no-referrer",
  };
  return representationResponse(asset.bytes, headers, request);
}
