/**
 * `GET /health`: liveness, version, and which instance answered (process id and port).
 *
 * @module
 */

import type { Route } from "../router.ts";
import { VERSION } from "../version.ts";

/**
 * The health route.
 *
 * @param port The port this instance listens on, asked per request (it is known once the
 *   server listens).
 * @returns `GET /health` → `{"status":"ok","version":"…","pid":…,"port":…}`.
 * @example
 * ```ts
 * import { healthRoutes } from "./health.ts";
 *
 * const [route] = healthRoutes(() => 8000);
 * ```
 */
export function healthRoutes(port: () => number): Route[] {
  return [{
    method: "GET",
    path: "/health",
    doc: {
      summary: "Liveness and version",
      tag: "service",
      responses: [{
        status: 200,
        description: '`{"status":"ok","version":"…"}`',
        mediaTypes: ["application/json"],
        headers: ["cache-control"],
      }],
    },
    handler: () =>
      Response.json({ status: "ok", version: VERSION, pid: Deno.pid, port: port() }, {
        headers: { "cache-control": "no-store" },
      }),
  }];
}
