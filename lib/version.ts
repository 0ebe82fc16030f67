/**
 * pixserve's version, as `deno.json` states it.
 *
 * @module
 */

import meta from "../deno.json" with { type: "json" };

/**
 * The version in `deno.json`, printed by `--version` and sent by `GET /health`.
 *
 * @example
 * ```ts
 * import { VERSION } from "./version.ts";
 *
 * console.log(`pixserve ${VERSION}`);
 * ```
 */
export const VERSION: string = meta.version;
