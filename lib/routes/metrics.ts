/**
 * `GET /metrics`: the Prometheus text format, summed over every serving isolate; never
 * cached. Absent with `METRICS=off`.
 *
 * @module
 */

import { EXPOSITION_CONTENT_TYPE } from "../metrics/exposition.ts";
import type { Route } from "../router.ts";
import type { Services } from "../services.ts";

const encoder = new TextEncoder();

/**
 * The metrics route, when the configuration serves it.
 *
 * @param services Config (`metrics`) and the isolate's metrics.
 * @returns `[GET /metrics]`, or `[]` with `METRICS=off`.
 * @example
 * const routes = metricsRoutes(createServices(config));
 */
export function metricsRoutes(services: Services): Route[] {
  if (!services.config.metrics) return [];
  return [{
    method: "GET",
    path: "/metrics",
    doc: {
      summary: "Prometheus metrics, summed over every serving isolate",
      tag: "service",
      responses: [{
        status: 200,
        description: "The Prometheus text format (0.0.4); never cached.",
        mediaTypes: [EXPOSITION_CONTENT_TYPE],
        headers: ["cache-control"],
      }],
    },
    handler: () => {
      const bytes = encoder.encode(services.metrics.exposition());
      return new Response(bytes, {
        headers: {
          "content-type": EXPOSITION_CONTENT_TYPE,
          "content-length": String(bytes.byteLength),
          "cache-control": "no-store",
        },
      });
    },
  }];
}
