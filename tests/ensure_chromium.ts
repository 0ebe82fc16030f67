/**
 * Makes sure Debian's Chromium is at {@linkcode CHROMIUM_PATH} before the tests run: when it is
 * missing, installs the `chromium` package with apt-get; when that is impossible, prints one
 * line saying what to install and exits 1. It never lets the browser test be skipped.
 *
 * Run by `deno task test` before `deno test`:
 * `deno run --allow-run --allow-read --allow-env tests/ensure_chromium.ts`
 *
 * @module
 */

import { aptInstall } from "../lib/apt.ts";

/** Where Debian's `chromium` package puts the browser; no other browser is used. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** The one line printed when the browser is missing and cannot be installed here. */
export const CHROMIUM_MISSING =
  `pixserve's browser test needs Chromium at ${CHROMIUM_PATH}: install Debian's package ` +
  `with "apt-get update && apt-get install -y chromium" (as root), then run the tests again`;

/**
 * Whether the browser is installed.
 *
 * @returns `true` when {@linkcode CHROMIUM_PATH} is a file.
 */
export async function chromiumInstalled(): Promise<boolean> {
  try {
    return (await Deno.stat(CHROMIUM_PATH)).isFile;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

if (import.meta.main && !(await chromiumInstalled())) {
  console.error(`pixserve tests: ${CHROMIUM_PATH} is missing; installing Debian's chromium`);
  const installed = await aptInstall(["chromium"]) && await chromiumInstalled();
  if (!installed) {
    console.error(CHROMIUM_MISSING);
    Deno.exit(1);
  }
}
