import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { zipSync } from "fflate";
import { Image } from "imagescript";
import type { Locator, Page } from "./_test_deps.ts";
import { etagOf } from "../lib/http/conditional.ts";
import { PAGE_CSP, PAGE_FILES } from "../lib/page/assets.ts";
import { withPage } from "./_chromium.ts";
import { assertSamplePattern, decodePixels, type Pixels } from "./_pixels.ts";
import { pillowFrames } from "./_python.ts";
import { encodeNpy } from "../lib/arrays/npy.ts";
import { PROJECT_DIR, testConfig, withServer } from "./_server.ts";
import { createServices } from "../lib/services.ts";

const IDENTITY = { "accept-encoding": "identity" };

/** The six panels that each show the 512×512 sample a different way. */
const SAMPLE_PANELS = "figure[data-kind=sample]";

/** Width and height of the pattern uploaded by the tests, small enough to check every pixel. */
const PATTERN_WIDTH = 8;
const PATTERN_HEIGHT = 6;

/** An image in the page, as the code run there sees it (Deno's type library has no DOM). */
interface PageImage {
  readonly tagName: "IMG";
  readonly naturalWidth: number;
  readonly naturalHeight: number;
}

/** A canvas in the page. */
interface PageCanvas {
  readonly tagName: "CANVAS";
  width: number;
  height: number;
  getContext(type: "2d"): {
    drawImage(image: PageImage, x: number, y: number): void;
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}

/** The page's document, as far as the code run there uses it. */
declare const document: {
  createElement(tag: "canvas"): PageCanvas;
  readonly documentElement: { readonly scrollWidth: number };
  readonly activeElement: { readonly textContent: string | null } | null;
  getElementById(id: string): { readonly textContent: string | null } | null;
};

/** The page's window, for its scroll offsets. */
declare const window: { readonly scrollX: number; readonly scrollY: number };

/**
 * The pixels an `<img>` or `<canvas>` shows, read in the page through a canvas's `getImageData`.
 */
async function pagePixels(picture: Locator): Promise<Pixels> {
  const { width, height, base64 } = await picture.evaluate((el: PageImage | PageCanvas) => {
    let canvas: PageCanvas;
    if (el.tagName === "CANVAS") {
      canvas = el;
    } else {
      canvas = document.createElement("canvas");
      canvas.width = el.naturalWidth;
      canvas.height = el.naturalHeight;
      canvas.getContext("2d").drawImage(el, 0, 0);
    }
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let text = "";
    for (let i = 0; i < data.length; i += 0x8000) {
      text += String.fromCharCode(...data.subarray(i, i + 0x8000));
    }
    return { width: canvas.width, height: canvas.height, base64: btoa(text) };
  });
  return { width, height, rgba: Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)) };
}

/** The colour expected at a point of a shown picture, given as fractions of its width and height. */
type Expectation = (u: number, v: number) => readonly [number, number, number];

/** The sample: red in the upper-left quarter, black elsewhere. */
const SAMPLE: Expectation = (u, v) => u < 0.5 && v < 0.5 ? [255, 0, 0] : [0, 0, 0];

/** Fractions of a picture's sides away from the red square's edges. */
const SAMPLE_POINTS = [0.1, 0.25, 0.4, 0.6, 0.75, 0.9];

/**
 * Asserts what a picture looks like in a full-page screenshot, at points given as fractions.
 */
async function assertInScreenshot(
  shot: Pixels,
  picture: Locator,
  points: readonly (readonly [number, number])[],
  expected: Expectation,
  tolerance: number,
): Promise<void> {
  const box = await picture.boundingBox();
  assert.ok(box !== null, "the picture is not shown");
  const scroll = await picture.page().evaluate(() => [window.scrollX, window.scrollY]);
  for (const [u, v] of points) {
    const x = Math.floor(scroll[0] + box.x + u * box.width);
    const y = Math.floor(scroll[1] + box.y + v * box.height);
    const i = (y * shot.width + x) * 4;
    const got = [...shot.rgba.subarray(i, i + 3)];
    const want = expected(u, v);
    const off = got.some((value, c) => Math.abs(value - want[c]) > tolerance);
    if (off) assert.fail(`screenshot (${x},${y}): got ${got}, expected ${want} ±${tolerance}`);
  }
}

/** Every pair of {@linkcode SAMPLE_POINTS}. */
function samplePoints(): [number, number][] {
  return SAMPLE_POINTS.flatMap((u) => SAMPLE_POINTS.map((v): [number, number] => [u, v]));
}

/** The upload pattern's colour at column x, row y: every pixel different. */
function patternColor(x: number, y: number): [number, number, number] {
  return [x * 32 + 16, y * 40 + 20, (x * 7 + y * 29) % 256];
}

/** The upload pattern as RGBA pixels. */
function patternPixels(): Pixels {
  const rgba = new Uint8Array(PATTERN_WIDTH * PATTERN_HEIGHT * 4);
  for (let y = 0; y < PATTERN_HEIGHT; y++) {
    for (let x = 0; x < PATTERN_WIDTH; x++) {
      rgba.set([...patternColor(x, y), 255], (y * PATTERN_WIDTH + x) * 4);
    }
  }
  return { width: PATTERN_WIDTH, height: PATTERN_HEIGHT, rgba };
}

/** The upload pattern as a PNG file. */
async function patternPng(): Promise<Uint8Array> {
  const image = new Image(PATTERN_WIDTH, PATTERN_HEIGHT);
  image.bitmap.set(patternPixels().rgba);
  return await image.encode();
}

/** The upload pattern as a `.npy` file (format 1.0, uint8, shape H,W,3), as `np.save` writes. */
function patternNpy(): Uint8Array {
  const dict =
    `{'descr': '|u1', 'fortran_order': False, 'shape': (${PATTERN_HEIGHT}, ${PATTERN_WIDTH}, 3), }`;
  const unpadded = 10 + dict.length + 1;
  const header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
  const rgb = patternPixels().rgba.filter((_, i) => i % 4 !== 3);
  const bytes = new Uint8Array(10 + header.length + rgb.length);
  bytes.set([
    0x93,
    ...new TextEncoder().encode("NUMPY"),
    1,
    0,
    header.length & 0xff,
    header.length >> 8,
  ]);
  bytes.set(new TextEncoder().encode(header), 10);
  bytes.set(rgb, 10 + header.length);
  return bytes;
}

/** Every pixel of a picture equals the upload pattern's. */
function assertPattern(pixels: Pixels): void {
  assert.deepEqual(pixels, patternPixels());
}

/** The centre of each of the pattern's cells, as fractions of the shown picture. */
function patternPoints(): [number, number][] {
  const points: [number, number][] = [];
  for (let y = 0; y < PATTERN_HEIGHT; y++) {
    for (let x = 0; x < PATTERN_WIDTH; x++) {
      points.push([(x + 0.5) / PATTERN_WIDTH, (y + 0.5) / PATTERN_HEIGHT]);
    }
  }
  return points;
}

const PATTERN: Expectation = (u, v) =>
  patternColor(Math.floor(u * PATTERN_WIDTH), Math.floor(v * PATTERN_HEIGHT));

/** Chooses a file in the upload form and waits until the page has shown the answer. */
async function upload(
  page: Page,
  name: string,
  mimeType: string,
  bytes: Uint8Array,
  state: "ok" | "error",
): Promise<Locator> {
  await page.getByLabel(/^An image/).setInputFiles({ name, mimeType, buffer: Buffer.from(bytes) });
  const selector = `#upload-result[data-state=${state}][data-file="${name}"]`;
  await page.waitForSelector(selector);
  return page.locator(selector);
}

/** Opens the page and chooses an `.npy` file in the array panel. */
async function chooseArray(page: Page, base: string, name: string, npy: Uint8Array) {
  await page.goto(`${base}/`);
  await page.getByLabel(/^A \.npy or \.npz/).setInputFiles({
    name,
    mimeType: "application/octet-stream",
    buffer: Buffer.from(npy),
  });
}

/** The `detail` pixserve answers for a request, asked directly. */
async function serverDetail(url: string, init: RequestInit): Promise<string> {
  const res = await fetch(url, init);
  assert.ok(res.status >= 400 && res.status < 500, `expected a 4xx, got ${res.status}`);
  return (await res.json()).detail;
}

Deno.test("PAGE_CSP allows pixserve's own origin only, and no inline script", () => {
  assert.equal(
    PAGE_CSP,
    "default-src 'self'; img-src 'self' blob: data:; script-src 'self'; style-src 'self'; " +
      "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
      "frame-ancestors 'none'",
  );
});

Deno.test("the page's files hold no inline script or style and name no other origin", () => {
  const html = PAGE_FILES[0].text;
  assert.deepEqual(html.match(/<script\b[^>]*>/g), [`<script type="module" src="/page.js">`]);
  assert.deepEqual(html.match(/<link\b[^>]*>/g), [
    `<link rel="icon" href="data:,">`,
    `<link rel="stylesheet" href="/page.css">`,
  ]);
  assert.equal(/<style\b|\sstyle=|\son[a-z]+=/i.test(html), false);
  for (const file of PAGE_FILES) {
    assert.equal(/\b(https?:)?\/\/[a-z0-9]/i.test(file.text), false, `${file.path} names a host`);
  }
});

for (const file of PAGE_FILES) {
  Deno.test(`GET ${file.path} answers its exact type, a strong ETag, the CSP and 304`, async () => {
    await withServer(async ({ base }) => {
      const res = await fetch(`${base}${file.path}`, { headers: IDENTITY });
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(res.status, 200);
      assert.equal(new TextDecoder().decode(bytes), file.text);
      assert.equal(res.headers.get("content-type"), file.contentType);
      assert.equal(res.headers.get("content-length"), String(bytes.byteLength));
      const etag = await etagOf(bytes);
      assert.equal(res.headers.get("etag"), etag);
      assert.equal(res.headers.get("cache-control"), "no-cache");
      assert.equal(res.headers.get("content-security-policy"), PAGE_CSP);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      const again = await fetch(`${base}${file.path}`, {
        headers: { ...IDENTITY, "if-none-match": `W/"other", ${etag}` },
      });
      assert.equal(again.status, 304);
      assert.equal(again.headers.get("etag"), etag);
      assert.equal(await again.text(), "");
      const head = await fetch(`${base}${file.path}`, { method: "HEAD", headers: IDENTITY });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("etag"), etag);
      assert.equal(head.headers.get("content-length"), String(bytes.byteLength));
      assert.equal(await head.text(), "");
    });
  });
}

Deno.test("GET / in Chromium shows the sample in every panel, pixel for pixel", async () => {
  await withServer(async ({ base }) => {
    await withPage(base, async (page, record) => {
      await page.goto(`${base}/`);
      await page.waitForSelector(`${SAMPLE_PANELS}[data-state=loading]`, { state: "detached" });
      const panels = await page.locator(SAMPLE_PANELS).all();
      assert.equal(panels.length, 6);
      for (const panel of panels) {
        const caption = await panel.locator("figcaption").innerText();
        const state = await panel.getAttribute("data-state");
        assert.equal(state, "ok", `${caption}: ${await panel.innerText()}`);
        const picture = panel.locator("img, canvas");
        assertSamplePattern(await pagePixels(picture), 512, 512);
        assert.match(await panel.locator("dl").innerText(), /200 OK|206 Partial Content/);
      }

      const shot = await decodePixels(await page.screenshot({ fullPage: true }));
      for (const panel of panels) {
        await assertInScreenshot(shot, panel.locator("img, canvas"), samplePoints(), SAMPLE, 2);
      }
      assert.equal(record.errors.join("\n"), "");
      assert.equal(record.foreign.join("\n"), "");

      const fetched = page.locator("#blob-panel img");
      const objectUrl = await fetched.getAttribute("src");
      assert.ok(objectUrl !== null && objectUrl.startsWith(`blob:${base}/`), `src: ${objectUrl}`);
      assert.equal(await fetched.getAttribute("data-revoked"), "true");
      const probe = await page.evaluate(
        (url) => fetch(url).then(() => "still readable", () => "revoked"),
        objectUrl,
      );
      assert.equal(probe, "revoked");
    });
  });
});

Deno.test("GET / in Chromium without JavaScript still shows the plain <img> panels", async () => {
  await withServer(async ({ base }) => {
    await withPage(base, async (page, record) => {
      await page.goto(`${base}/`, { waitUntil: "load" });
      const shot = await decodePixels(await page.screenshot({ fullPage: true }));
      for (const src of ["/image.png", "/files/sample.png", "/stream/sample.png"]) {
        await assertInScreenshot(
          shot,
          page.locator(`img[src="${src}"]`),
          samplePoints(),
          SAMPLE,
          2,
        );
      }
      assert.equal(record.errors.join("\n"), "");
      assert.equal(record.foreign.join("\n"), "");
    }, { javaScriptEnabled: false });
  });
});

Deno.test("GET / in Chromium reads at phone width: one column, nothing wider than the screen", async () => {
  await withServer(async ({ base }) => {
    await withPage(base, async (page, record) => {
      await page.goto(`${base}/`);
      await page.waitForSelector(`${SAMPLE_PANELS}[data-state=loading]`, { state: "detached" });
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390);
      const boxes = await Promise.all(
        (await page.locator(".panel").all()).map((panel) => panel.boundingBox()),
      );
      assert.equal(boxes.length, 11);
      for (const box of boxes) {
        assert.ok(box !== null);
        assert.equal(box.x, boxes[0]?.x, "panels are not in one column");
        assert.ok(
          box.width >= 300 && box.x + box.width <= 390,
          `panel at ${box.x} is ${box.width}`,
        );
      }
      assert.equal(record.errors.join("\n"), "");
    }, { viewport: { width: 390, height: 844 } });
  });
});

Deno.test("GET / in Chromium: the forms show every format, upload round trips and errors", async () => {
  await withServer(async ({ base }) => {
    await withPage(base, async (page, record) => {
      await page.goto(`${base}/`);
      await page.waitForSelector(`${SAMPLE_PANELS}[data-state=loading]`, { state: "detached" });

      const format = page.getByLabel("Format", { exact: true });
      const quality = page.getByLabel(/^Quality/);
      for (
        const [name, q, tolerance, margin] of [
          ["png", undefined, 0, 0],
          ["gif", undefined, 0, 0],
          ["webp", 90, 8, 8],
          ["jpeg", 80, 8, 8],
        ] as const
      ) {
        await format.focus();
        await format.selectOption(name);
        assert.equal(await quality.isDisabled(), q === undefined);
        await page.keyboard.press("Tab");
        if (q !== undefined) {
          await page.keyboard.press("ControlOrMeta+A");
          await page.keyboard.type(String(q));
          await page.keyboard.press("Tab");
        }
        assert.equal(
          await page.evaluate(() => document.activeElement?.textContent),
          "Show this format",
        );
        await page.keyboard.press("Enter");
        const route = `/image.${name}${q === undefined ? "" : `?quality=${q}`}`;
        await page.waitForSelector(`#format-result[data-state=ok][data-route="${route}"]`);
        const img = page.locator("#format-result img");
        assertSamplePattern(await pagePixels(img), 512, 512, tolerance, margin);
        assert.equal(await img.getAttribute("data-revoked"), "true");
      }
      assert.equal(record.errors.join("\n"), "");

      const text = new TextEncoder().encode("this is not a picture\n");
      const failures = [
        ["x.png", "image/png", `${base}/decode.json`],
        ["x.npy", "application/x-npy", `${base}/render.png`],
      ] as const;
      for (const [name, type, url] of failures) {
        const shown = await upload(page, name, type, text, "error");
        const detail = await serverDetail(url, {
          method: "POST",
          headers: { "content-type": type },
          body: text,
        });
        assert.equal(await shown.locator(".error").innerText(), detail);
        assert.equal(await shown.locator("img").isVisible(), false);
        assert.equal(await shown.locator("canvas").isVisible(), false);
      }
      const failed = record.errors.splice(0).map((line) =>
        line.replace(/ status of 4\d\d \([A-Za-z ]+\) /, " status of 4xx ")
      );
      assert.deepEqual(
        failed,
        failures.map(([, , url]) =>
          `Failed to load resource: the server responded with a status of 4xx (${url})`
        ),
      );

      const npy = patternNpy();
      for (
        const [name, type, bytes] of [
          ["pattern.npy", "application/octet-stream", npy],
          ["pattern.npz", "application/zip", zipSync({ "arr_0.npy": npy })],
        ] as const
      ) {
        const shown = await upload(page, name, type, bytes, "ok");
        assertPattern(await pagePixels(shown.locator("img")));
      }
      const shown = await upload(page, "pattern.png", "image/png", await patternPng(), "ok");
      const canvas = shown.locator("canvas");
      assertPattern(await pagePixels(canvas));

      const png = await page.screenshot({ fullPage: true });
      const shot = await decodePixels(png);
      for (const panel of await page.locator(SAMPLE_PANELS).all()) {
        await assertInScreenshot(shot, panel.locator("img, canvas"), samplePoints(), SAMPLE, 2);
      }
      const jpeg = page.locator("#format-result img");
      await assertInScreenshot(shot, jpeg, samplePoints(), SAMPLE, 8);
      await assertInScreenshot(shot, canvas, patternPoints(), PATTERN, 0);
      assert.equal(record.errors.join("\n"), "");
      assert.equal(record.foreign.join("\n"), "");
      if (Deno.env.get("UPDATE_SCREENSHOT") === "1") {
        await Deno.writeFile(`${PROJECT_DIR}/tests/page.png`, png);
      }
    });
  });
});

Deno.test("GET / in Chromium: the array panel shows a float depth map as matplotlib does, with its colour bar", async () => {
  const fixtures = `${PROJECT_DIR}/fixtures/display`;
  const depth = await Deno.readFile(`${fixtures}/depth32.npy`);
  const expected = await decodePixels(await Deno.readFile(`${fixtures}/depth_p10_5_8.png`));
  const { colorbar } = await import("../lib/arrays/colormaps.ts");
  await withServer(async ({ base }) => {
    await withPage(base, async (page, record) => {
      await chooseArray(page, base, "depth.npy", depth);
      await page.getByLabel("Colormap").selectOption("magma");
      await page.getByLabel(/^vmin/).fill("p10.5");
      await page.getByLabel(/^vmax/).fill("8");
      await page.getByRole("button", { name: "Show the array" }).click();
      const route = "/render.png?cmap=magma&vmin=p10.5&vmax=8";
      const selector = `#array-result[data-state=ok][data-file="depth.npy"][data-route="${route}"]`;
      await page.waitForSelector(selector);
      const shown = page.locator(selector);
      assert.deepEqual(await pagePixels(shown.locator("img").first()), expected);
      const bar = await pagePixels(shown.locator("img.colorbar"));
      assert.deepEqual(bar, { width: 512, height: 16, rgba: colorbar("magma", 512, 16) });
      assert.equal(record.errors.join("\n"), "");
      assert.equal(record.foreign.join("\n"), "");
    });
  });
});

Deno.test("GET / in Chromium: the array panel plays an (N, H, W, 3) stack as a GIF and an APNG of its frames", async () => {
  const colours = [[255, 0, 0], [0, 160, 0], [0, 0, 255], [255, 255, 0], [128, 0, 255]];
  const [height, width] = [8, 10];
  const data = new Uint8Array(colours.length * height * width * 3);
  colours.forEach((rgb, k) => {
    for (let p = 0; p < height * width; p++) data.set(rgb, (k * height * width + p) * 3);
  });
  const npy = encodeNpy({ shape: [colours.length, height, width, 3], dtype: "uint8", data });
  const solid = colours.map((rgb) => Array.from({ length: height * width }, () => rgb).flat());
  await withServer(async ({ base }) => {
    await withPage(base, async (page, record) => {
      await chooseArray(page, base, "frames.npy", npy);
      await page.getByText("shape (5, 8, 10, 3): a stack of 5 frames, shown as an animation")
        .waitFor();
      assert.equal(await page.getByLabel("Colormap").inputValue(), "none");
      assert.equal(await page.getByLabel(/^vmin/).isDisabled(), true);
      await page.getByLabel(/^Frames per second/).fill("4");
      for (const format of ["gif", "png"]) {
        await page.getByLabel(/^Show a stack of frames as/).selectOption(format);
        await page.getByRole("button", { name: "Show the array" }).click();
        const selector = `#array-result[data-state=ok][data-route="/render.${format}?fps=4"]`;
        await page.waitForSelector(selector);
        const shown = page.locator(selector);
        const img = shown.locator("img").first();
        const size = await img.evaluate((el: PageImage) => [el.naturalWidth, el.naturalHeight]);
        assert.deepEqual(size, [width, height]);
        assert.equal(await shown.locator("img.colorbar").isHidden(), true);
        // The link saves the object URL the <img> shows: the bytes it plays, decoded here.
        const save = shown.getByRole("link", { name: "Save the image" });
        assert.equal(await save.getAttribute("href"), await img.getAttribute("src"));
        const [download] = await Promise.all([page.waitForEvent("download"), save.click()]);
        assert.equal(download.suggestedFilename(), `frames.${format}`);
        const bytes = await Deno.readFile(await download.path());
        const read = await pillowFrames(`frames.${format}`, bytes, "RGB");
        assert.equal(read.n, colours.length);
        assert.deepEqual(read.durations, colours.map(() => 250));
        assert.equal(read.loop, 0);
        assert.deepEqual(read.frames, solid);
      }
      assert.equal(record.errors.join("\n"), "");
      assert.equal(record.foreign.join("\n"), "");
    });
  });
});

/** The page's frame callback, for waiting on what an `<img>` shows. */
declare const requestAnimationFrame: (callback: () => void) => number;

/** Where the first red pixel of a row of RGBA values is, or -1. */
function firstRed(row: readonly number[]): number {
  for (let i = 0; i < row.length; i += 4) {
    if (row[i] > 200 && row[i + 1] < 60 && row[i + 2] < 60) return i / 4;
  }
  return -1;
}

/**
 * Row `y` of what an `<img>` in the page shows, read on each animation frame until it
 * differs from the first reading: both readings, as RGBA values.
 */
function rowsUntilChanged(view: Locator, y: number): Promise<number[][]> {
  return view.evaluate((el: PageImage, row: number) =>
    new Promise<number[][]>((resolve) => {
      const canvas = document.createElement("canvas");
      canvas.width = el.naturalWidth;
      canvas.height = el.naturalHeight;
      const context = canvas.getContext("2d");
      const read = () => {
        context.drawImage(el, 0, 0);
        return Array.from(context.getImageData(0, row, canvas.width, 1).data);
      };
      const first = read();
      const check = () => {
        const now = read();
        if (now.join() !== first.join()) resolve([first, now]);
        else requestAnimationFrame(check);
      };
      check();
    }), y);
}

/** A server on services of the test's own, so that it can count their stream viewers. */
async function withLiveServices(
  fn: (base: string, services: ReturnType<typeof createServices>) => Promise<void>,
): Promise<void> {
  const services = createServices(await testConfig());
  try {
    await withServer(({ base }) => fn(base, services), {}, { services });
  } finally {
    services.close();
  }
}

Deno.test("GET / in Chromium: the live panel pushes canvas frames and its <img> plays them", async () => {
  await withLiveServices(async (base, services) => {
    await withPage(base, async (page, record) => {
      await page.goto(`${base}/`);
      await page.click("#live-start");
      await page.waitForSelector("#live-panel[data-state=ok]");
      const route = (await page.locator("#live-panel .route").innerText()).replace("PUT ", "");
      assert.match(route, /^\/streams\/page-[0-9a-f]{8}$/);
      const view = page.locator("#live-view");
      assert.equal(await view.getAttribute("src"), `${route}.mjpg`);
      // The middle row of what the <img> shows, until the red square has moved.
      const [before, after] = await rowsUntilChanged(view, 120);
      assert.equal(before.length, 320 * 4);
      for (const shown of [before, after]) {
        assert.deepEqual(shown.slice(0, 3).map((v) => Math.round(v / 16)), [0, 0, 8]);
        assert.ok(firstRed(shown) >= 20, `no red square in ${shown.slice(0, 80)}`);
      }
      assert.notEqual(firstRed(after), firstRed(before));
      const status = await (await fetch(`${base}${route}`)).json();
      assert.ok(status.frames >= 2, JSON.stringify(status));
      assert.deepEqual([status.width, status.height, status.viewers], [320, 240, 1]);

      await page.click("#live-stop");
      await page.waitForSelector("#live-status:has-text('ended')");
      const gone = await fetch(`${base}${route}`);
      assert.equal(gone.status, 404);
      await gone.body?.cancel();
      assert.equal(services.streams.viewers, 0);
      assert.equal(record.errors.join("\n"), "");
      assert.equal(record.foreign.join("\n"), "");
    });
  });
});

/** Chromium with a fake camera that it may use without asking. */
const FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"];

Deno.test("GET / in Chromium: the live panel pushes webcam frames once the webcam is chosen", async () => {
  await withLiveServices(async (base) => {
    await withPage(base, async (page, record) => {
      await page.goto(`${base}/`);
      const button = page.locator("#live-webcam");
      assert.equal(await button.innerText(), "Use the webcam");
      await button.click();
      await page.waitForSelector("#live-source-note:has-text('Source: the webcam (')");
      assert.equal(await button.getAttribute("aria-pressed"), "true");
      assert.equal(await button.innerText(), "Use the animation");
      await page.click("#live-start");
      await page.waitForSelector("#live-panel[data-state=ok]");
      const route = (await page.locator("#live-panel .route").innerText()).replace("PUT ", "");
      const status = async () => await (await fetch(`${base}${route}`)).json();
      // Each push names its frame (from 0) in the status line once it is answered.
      const pushed = (n: number) =>
        page.waitForFunction((least: number) => {
          const text = document.getElementById("live-status")?.textContent ?? "";
          const match = /^pushed webcam frame (\d+) to /.exec(text);
          return match !== null && Number(match[1]) >= least;
        }, n);
      await pushed(0);
      const first = await status();
      // Frame k is the stream's (k + 1)th: two more than `first` counted.
      await pushed(first.frames + 1);
      const later = await status();
      assert.ok(later.frames >= first.frames + 2, `${first.frames} → ${later.frames}`);
      assert.deepEqual([later.width, later.height, later.viewers], [320, 240, 1]);
      // The <img> plays the camera: it moves, and it is not the animation.
      const [before, after] = await rowsUntilChanged(page.locator("#live-view"), 120);
      assert.equal(before.length, 320 * 4);
      for (const shown of [before, after]) {
        assert.equal(firstRed(shown), -1);
        assert.notDeepEqual(shown.slice(0, 3).map((v) => Math.round(v / 16)), [0, 0, 8]);
      }

      await button.click();
      await page.waitForSelector("#live-source-note:text-is('Source: the animation')");
      await page.waitForSelector("#live-status:has-text('pushed animation frame')");
      await page.click("#live-stop");
      await page.waitForSelector("#live-status:has-text('ended')");
      assert.equal(record.errors.join("\n"), "");
      assert.equal(record.foreign.join("\n"), "");
    }, { args: FAKE_CAMERA });
  });
});

Deno.test("GET / in Chromium: without a camera the live panel says so and keeps the animation", async () => {
  await withServer(async ({ base }) => {
    await withPage(base, async (page, record) => {
      await page.goto(`${base}/`);
      await page.click("#live-webcam");
      await page.waitForSelector("#live-source-note:has-text('no webcam')");
      const note = await page.locator("#live-source-note").innerText();
      assert.match(
        note,
        /^Source: the animation \(no webcam: the browser (has no camera|was not allowed to use a camera)\)$/,
      );
      assert.equal(await page.locator("#live-webcam").getAttribute("aria-pressed"), "false");
      await page.click("#live-start");
      await page.waitForSelector("#live-panel[data-state=ok]");
      await page.waitForSelector("#live-status:has-text('pushed animation frame')");
      for (const shown of await rowsUntilChanged(page.locator("#live-view"), 120)) {
        assert.deepEqual(shown.slice(0, 3).map((v) => Math.round(v / 16)), [0, 0, 8]);
        assert.ok(firstRed(shown) >= 20, `no red square in ${shown.slice(0, 80)}`);
      }
      await page.click("#live-stop");
      await page.waitForSelector("#live-status:has-text('ended')");
      assert.equal(record.errors.join("\n"), "");
      assert.equal(record.foreign.join("\n"), "");
    });
  });
});
