/**
 * The colormaps: `GET /colormaps` lists their names (JSON), `GET /colormaps/{name}.png`
 * draws one as a colour bar (low end left, high end right), encoded once per size and
 * served from the byte-bounded cache like `/image.png`, so a page can show a legend.
 *
 * @module
 */

import { colorbar, COLORMAP_NAMES, isColormap } from "../arrays/colormaps.ts";
import { MATPLOTLIB_VERSION } from "../arrays/colormap_data.ts";
import { LABELS } from "../arrays/display.ts";
import { NotFound } from "../errors.ts";
import { encodedHeaders, type EncodedImage, encodedResponse } from "../responses.ts";
import { publicCache } from "../http/representation.ts";
import type { QueryParam, Route } from "../router.ts";
import type { Services } from "../services.ts";
import { DISPOSITION_PARAMS, dispositionRequest, intParam } from "../http/params.ts";

/** Size of a colour bar when none is asked. */
export const COLORBAR_SIZE = { width: 256, height: 16 } as const;

/** The largest side of a colour bar. */
export const MAX_COLORBAR_SIDE = 4096;

/** The query parameters of `GET /colormaps/{name}.png`. */
export const COLORBAR_PARAMS: readonly QueryParam[] = [
  {
    name: "width",
    type: "integer",
    minimum: 1,
    maximum: MAX_COLORBAR_SIDE,
    description: `columns of the bar, low end left (default ${COLORBAR_SIZE.width})`,
  },
  {
    name: "height",
    type: "integer",
    minimum: 1,
    maximum: MAX_COLORBAR_SIDE,
    description: `rows of the bar (default ${COLORBAR_SIZE.height})`,
  },
  ...DISPOSITION_PARAMS,
];

/**
 * The colormap routes.
 *
 * @param services Config (cache max-age), cache and encoder.
 * @returns `GET /colormaps` and `GET /colormaps/{name}.png`.
 * @example
 * const routes = colormapsRoutes(createServices(config));
 */
export function colormapsRoutes(services: Services): Route[] {
  const maxAge = services.config.cacheMaxAge;
  return [
    {
      method: "GET",
      path: "/colormaps",
      handler: () =>
        Response.json({
          colormaps: COLORMAP_NAMES,
          special: [LABELS],
          matplotlib: MATPLOTLIB_VERSION,
        }, { headers: { "cache-control": publicCache(maxAge, services.config.cacheSMaxAge) } }),
    },
    {
      method: "GET",
      path: "/colormaps/:name.png",
      query: COLORBAR_PARAMS,
      handler: (request, { url, params, memo }) => {
        const name = params.name;
        if (!isColormap(name)) {
          throw new NotFound(
            `no colormap named ${JSON.stringify(name)}; GET /colormaps lists them`,
          );
        }
        const width = intParam(url, "width", 1, MAX_COLORBAR_SIDE) ?? COLORBAR_SIZE.width;
        const height = intParam(url, "height", 1, MAX_COLORBAR_SIDE) ?? COLORBAR_SIZE.height;
        const { filename, disposition } = dispositionRequest(url, `${name}.png`);
        const options = { filename, disposition, maxAge, request };
        const key = `colormap:${name}:${width}x${height}`;
        const cached = services.cache.get(key);
        if (cached !== undefined) {
          memo?.remember(request.url, {
            bytes: cached.bytes,
            headers: encodedHeaders(cached, options),
            owner: cached,
          });
          return encodedResponse(cached, options);
        }
        return services.cache.getOrCreate(
          key,
          () =>
            services.encodeChannels(
              { width, height, channels: 4, data: colorbar(name, width, height) },
              "png",
            ),
        ).then((encoded: EncodedImage) => encodedResponse(encoded, options));
      },
    },
  ];
}
