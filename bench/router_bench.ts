/**
 * Matching a request path against the routes, run with `deno bench bench/router_bench.ts`:
 * the expressions `compilePath` builds against `URLPattern.exec` (the baseline), for
 * every route pattern of the app (`appRoutes`), tried in table order as the router tries them, on a
 * path that matches the first image route and one that matches only the last file route.
 *
 * @module
 */

import { appRoutes } from "../lib/app.ts";
import { validateSettings } from "../lib/config.ts";
import { compilePath } from "../lib/router.ts";
import { createServices } from "../lib/services.ts";

const services = createServices(validateSettings({}, () => Deno.cwd()));
const PATHS = appRoutes(services).map((route) => route.path);
services.close();
const EXPRESSIONS = PATHS.map(compilePath);
const PATTERNS = PATHS.map((pathname) => new URLPattern({ pathname }));

for (
  const [group, url] of [["/image.png", "http://x/image.png"], [
    "/images/a/b.webp",
    "http://x/images/a/b.webp",
  ]]
) {
  const pathname = new URL(url).pathname;
  Deno.bench({
    name: "URLPattern.exec",
    group,
    baseline: true,
    fn() {
      for (const pattern of PATTERNS) if (pattern.exec(url) !== null) return;
      throw new Error(`no route for ${url}`);
    },
  });
  Deno.bench({
    name: "compilePath expressions",
    group,
    fn() {
      for (const expression of EXPRESSIONS) if (expression.exec(pathname) !== null) return;
      throw new Error(`no route for ${url}`);
    },
  });
}
