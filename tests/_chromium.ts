/**
 * Test helpers: Debian's headless Chromium driven by playwright-core, with a new empty profile,
 * no background traffic, and a record of console errors and of requests to other origins.
 *
 * @module
 */

import { type BrowserContext, chromium, type Page } from "./_test_deps.ts";
import { CHROMIUM_MISSING, CHROMIUM_PATH, chromiumInstalled } from "./ensure_chromium.ts";

/**
 * Flags that keep Chromium headless and off the network except for the page's own requests:
 * without them it stalls on its own background connections on a machine with no network.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--force-color-profile=srgb",
];

/** What a page did that a test checks afterwards. */
export interface PageRecord {
  /** Console messages of type `error` and uncaught exceptions, in order. */
  readonly errors: string[];
  /** Requests to anything but the server's origin, `blob:` and `data:` URLs. */
  readonly foreign: string[];
}

/** Options of {@linkcode withPage}. */
export interface PageOptions {
  /** CSS pixels. @default {{ width: 900, height: 800 }} */
  viewport?: { width: number; height: number };
  /** Whether the page's scripts run. @default {true} */
  javaScriptEnabled?: boolean;
  /** Device pixels per CSS pixel. @default {1} */
  deviceScaleFactor?: number;
  /** Flags added to {@linkcode CHROMIUM_ARGS} (a fake camera, …). @default {[]} */
  args?: readonly string[];
}

/**
 * Starts Chromium with a new empty profile, opens a page that records errors and foreign
 * requests, runs `fn`, and closes the browser and removes the profile in any case.
 *
 * @param origin The server's origin, e.g. `http://127.0.0.1:1234`.
 * @param fn The test body.
 * @param options Viewport, scripts on or off.
 * @throws {Error} {@linkcode CHROMIUM_MISSING} when the browser is not installed.
 */
export async function withPage(
  origin: string,
  fn: (page: Page, record: PageRecord) => Promise<void>,
  options: PageOptions = {},
): Promise<void> {
  if (!(await chromiumInstalled())) throw new Error(CHROMIUM_MISSING);
  const profile = await Deno.makeTempDir({ prefix: "pixserve-chromium-" });
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
      viewport: options.viewport ?? { width: 900, height: 800 },
      deviceScaleFactor: options.deviceScaleFactor ?? 1,
      javaScriptEnabled: options.javaScriptEnabled ?? true,
    });
    const record: PageRecord = { errors: [], foreign: [] };
    context.on("request", (request) => {
      const url = request.url();
      const own = url.startsWith(`${origin}/`) || url.startsWith("blob:") ||
        url.startsWith("data:");
      if (!own) record.foreign.push(url);
    });
    const page = context.pages()[0] ?? await context.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") {
        const where = message.location().url;
        record.errors.push(where === "" ? message.text() : `${message.text()} (${where})`);
      }
    });
    page.on("pageerror", (err) => record.errors.push(`uncaught: ${err.message}`));
    await fn(page, record);
  } finally {
    await context?.close();
    await Deno.remove(profile, { recursive: true });
  }
}
