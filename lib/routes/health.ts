/**
 * `GET /health`: liveness and version.
 *
 * @module
 */

import meta from "../../deno.json" with { type: "json" };
import type { Route } from "../router.ts";

/** The version in `deno.json`. */
export const VERSION: string = meta.version;

/**
 * The health route.
 *
 * @returns `GET /health` → `{"status":"ok","version":"…"}`.
 * @example
 * ```ts
 * import { healthRoutes } from "./health.ts";
 *
 * const [route] = healthRoutes();
 * ```
 */
export function healthRoutes(): Route[] {
  return [{
    method: "GET",
    path: "/health",
    handler: () =>
      Response.json({ status: "ok", version: VERSION }, {
        headers: { "cache-control": "no-store" },
      }),
  }];
}
