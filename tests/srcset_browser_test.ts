import assert from "node:assert/strict";
import { withPage } from "./_chromium.ts";
import { assertSamplePattern, type Pixels } from "./_pixels.ts";
import { withServer } from "./_server.ts";

/** The responsive image, as code run in the page sees it (Deno's type library has no DOM). */
interface PageImage {
  readonly currentSrc: string;
  readonly naturalWidth: number;
  readonly naturalHeight: number;
  decode(): Promise<void>;
}

/** A canvas in the page. */
interface PageCanvas {
  width: number;
  height: number;
  getContext(type: "2d"): {
    drawImage(image: PageImage, x: number, y: number, w: number, h: number): void;
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}

declare const document: { createElement(tag: "canvas"): PageCanvas };

/** The page's window, for its device pixel ratio. */
declare const window: { readonly devicePixelRatio: number };

for (const dpr of [1, 2]) {
  Deno.test(`GET / in Chromium at ${dpr}× picks /images/sample.auto?w=${256 * dpr} from srcset, as AVIF`, async () => {
    await withServer(async ({ base }) => {
      await withPage(base, async (page, record) => {
        const answers: string[] = [];
        page.on("response", (res) => {
          if (new URL(res.url()).pathname === "/images/sample.auto") {
            const h = res.headers();
            answers.push(`${res.url()} ${res.status()} ${h["content-type"]} vary=${h["vary"]}`);
          }
        });
        await page.goto(`${base}/`);
        const img = page.locator("#srcset-figure img");
        const shown = await img.evaluate(async (el: PageImage) => {
          await el.decode();
          // A `w` candidate's natural size is in CSS pixels (its pixels ÷ its density): drawn
          // at the device's ratio, each of its pixels lands on one canvas pixel.
          const canvas = document.createElement("canvas");
          canvas.width = el.naturalWidth * window.devicePixelRatio;
          canvas.height = el.naturalHeight * window.devicePixelRatio;
          canvas.getContext("2d").drawImage(el, 0, 0, canvas.width, canvas.height);
          const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
          let text = "";
          for (let i = 0; i < data.length; i += 0x8000) {
            text += String.fromCharCode(...data.subarray(i, i + 0x8000));
          }
          return {
            src: el.currentSrc,
            width: canvas.width,
            height: canvas.height,
            base64: btoa(text),
          };
        });
        const width = 256 * dpr;
        assert.equal(shown.src, `${base}/images/sample.auto?w=${width}`);
        assert.deepEqual(answers, [`${shown.src} 200 image/avif vary=Accept`]);
        const pixels: Pixels = {
          width: shown.width,
          height: shown.height,
          rgba: Uint8Array.from(atob(shown.base64), (c) => c.charCodeAt(0)),
        };
        assertSamplePattern(pixels, width, width, 40, 6);
        assert.deepEqual(await img.boundingBox().then((b) => [b?.width, b?.height]), [256, 256]);
        assert.equal(record.errors.join("\n"), "");
        assert.equal(record.foreign.join("\n"), "");
      }, { deviceScaleFactor: dpr });
    });
  });
}
