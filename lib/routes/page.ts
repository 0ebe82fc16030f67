/**
 * `GET /`, `GET /page.js`, `GET /page.css`: the browser page that shows every route's image.
 *
 * @module
 */

import { assetResponse, PAGE_FILES, type PageAsset, tagPageFile } from "../page/assets.ts";
import type { Route } from "../router.ts";

/**
 * The routes of the browser page; each file is encoded and tagged once, on first use.
 *
 * @returns One `GET` route per file of the page.
 * @example
 * ```ts
 * import { pageRoutes } from "./page.ts";
 *
 * const routes = pageRoutes();
 * routes.map((r) => r.path); // ["/", "/page.js", "/page.css"]
 * ```
 */
export function pageRoutes(): Route[] {
  return PAGE_FILES.map((file) => {
    let asset: Promise<PageAsset> | undefined;
    return {
      method: "GET",
      path: file.path,
      doc: {
        summary: file.path === "/"
          ? "The browser page showing every route's image"
          : "A file of the browser page",
        tag: "page",
        responses: [
          {
            status: 200,
            description: "The file.",
            mediaTypes: [file.contentType],
            headers: ["etag", "cache-control", "content-security-policy"],
          },
          { status: 304, description: "If-None-Match holds its ETag.", headers: ["etag"] },
        ],
      },
      handler: async (request: Request) =>
        assetResponse(await (asset ??= tagPageFile(file)), request),
    };
  });
}
