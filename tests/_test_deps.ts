/**
 * The npm packages only the tests use, pinned here rather than in `deno.json`'s import map:
 * `deno task start` installs every package of the import map, and the server needs none of
 * these.
 *
 * @module
 */

export { type BrowserContext, chromium, type Locator, type Page } from "npm:playwright-core@1.65.1";
export { Validator } from "npm:@seriousme/openapi-schema-validator@2.11.0";
export { default as fc } from "npm:fast-check@4.10.2";
