/**
 * The API description and its reader: `GET /openapi.json` (OpenAPI 3.1, generated from the
 * routing table), `GET /docs` (Swagger UI from `npm:swagger-ui-dist`, served by pixserve
 * itself) and `GET /redoc` (a redirect to `/docs`). Each file is built once, on first use,
 * and answered with a strong ETag, 304 and HEAD like the browser page.
 *
 * @module
 */

import { openApiDocument } from "../openapi.ts";
import { assetResponse, type PageAsset, type PageFile, tagPageFile } from "../page/assets.ts";
import type { Route, RouteDoc } from "../router.ts";
import html from "../docs/index.html" with { type: "text" };
import init from "../docs/init.js" with { type: "text" };
import { VERSION } from "../version.ts";

/** What `info.description` of the document says. */
const API_DESCRIPTION = "pixserve turns pixel arrays into correctly served images, and images " +
  "back into arrays. Every GET also answers HEAD. Errors are JSON: " +
  '`{"error": code, "detail": sentence}`.';

function docOf(summary: string, contentType: string): RouteDoc {
  return {
    summary,
    tag: "docs",
    responses: [
      {
        status: 200,
        description: "The file.",
        mediaTypes: [contentType.split(";")[0]],
        headers: ["etag", "cache-control", "content-length"],
      },
      { status: 304, description: "If-None-Match holds its ETag.", headers: ["etag"] },
    ],
  };
}

/** A `GET` route answering one file, made once by `load` on first use. */
function assetRoute(
  path: string,
  summary: string,
  load: () => Promise<PageFile>,
  type: string,
): Route {
  let asset: Promise<PageAsset> | undefined;
  return {
    method: "GET",
    path,
    doc: docOf(summary, type),
    handler: async (request) => assetResponse(await (asset ??= load().then(tagPageFile)), request),
  };
}

async function npmText(file: "swagger-ui.css" | "swagger-ui-bundle.js"): Promise<string> {
  const module = file === "swagger-ui.css"
    ? await import("swagger-ui-dist/swagger-ui.css", { with: { type: "text" } })
    : await import("swagger-ui-dist/swagger-ui-bundle.js", { with: { type: "text" } });
  return module.default;
}

const JSON_TYPE = "application/json";
const HTML_TYPE = "text/html; charset=utf-8";
const JS_TYPE = "text/javascript; charset=utf-8";
const CSS_TYPE = "text/css; charset=utf-8";

/**
 * The routes of the API description.
 *
 * @param routes The whole routing table, these routes included once it is complete: the
 *   document is generated from it on the first request.
 * @returns `/openapi.json`, `/docs` and its files, `/redoc`.
 * @example
 * const routes: Route[] = [...healthRoutes()];
 * routes.push(...docsRoutes(routes));
 */
export function docsRoutes(routes: readonly Route[]): Route[] {
  const file = (path: string, contentType: string, text: string): PageFile => ({
    path,
    contentType,
    text,
  });
  return [
    assetRoute(
      "/openapi.json",
      "This API's OpenAPI 3.1 description",
      () => {
        const doc = openApiDocument(routes, {
          title: "pixserve",
          version: VERSION,
          description: API_DESCRIPTION,
        });
        return Promise.resolve(file("/openapi.json", JSON_TYPE, JSON.stringify(doc)));
      },
      JSON_TYPE,
    ),
    assetRoute(
      "/docs",
      "The interactive API reference (Swagger UI)",
      () => Promise.resolve(file("/docs", HTML_TYPE, html)),
      HTML_TYPE,
    ),
    assetRoute(
      "/docs/init.js",
      "The script that starts Swagger UI on /openapi.json",
      () => Promise.resolve(file("/docs/init.js", JS_TYPE, init)),
      JS_TYPE,
    ),
    assetRoute(
      "/docs/swagger-ui-bundle.js",
      "Swagger UI's script",
      async () =>
        file("/docs/swagger-ui-bundle.js", JS_TYPE, await npmText("swagger-ui-bundle.js")),
      JS_TYPE,
    ),
    assetRoute(
      "/docs/swagger-ui.css",
      "Swagger UI's style",
      async () => file("/docs/swagger-ui.css", CSS_TYPE, await npmText("swagger-ui.css")),
      CSS_TYPE,
    ),
    {
      method: "GET",
      path: "/redoc",
      doc: {
        summary: "The API reference: a redirect to /docs",
        tag: "docs",
        responses: [{ status: 302, description: "Go to /docs.", headers: ["location"] }],
      },
      handler: () =>
        new Response(null, {
          status: 302,
          headers: { location: "docs", "cache-control": "no-cache" },
        }),
    },
  ];
}
