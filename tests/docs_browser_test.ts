import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { withPage } from "./_chromium.ts";
import { assertSamplePattern } from "./_pixels.ts";
import { withServer } from "./_server.ts";

/** An image in the page, as the code run there sees it (Deno's type library has no DOM). */
interface PageImage {
  readonly naturalWidth: number;
  readonly naturalHeight: number;
}

/** The page's document, as far as the code run there uses it. */
declare const document: {
  createElement(tag: "canvas"): {
    width: number;
    height: number;
    getContext(type: "2d"): {
      drawImage(image: PageImage, x: number, y: number): void;
      getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
    };
  };
};

Deno.test("GET /docs in Chromium: trying GET /image.png shows the image", async () => {
  await withServer(async ({ base }) => {
    await withPage(base, async (page, record) => {
      await page.goto(`${base}/docs`);
      const operation = page.locator("#operations-images-get_image_png");
      await operation.locator(".opblock-summary").click();
      await operation.locator('tr[data-param-name="width"] input').fill("24");
      await operation.locator('tr[data-param-name="height"] input').fill("10");
      await operation.locator("button.execute").click();
      const image = operation.locator(".live-responses-table img");
      await image.waitFor();
      await page.waitForFunction(
        (el) => (el as unknown as PageImage | null)?.naturalWidth === 24,
        await image.elementHandle(),
      );
      // The pixels the page shows, read back through a canvas.
      const shown = await image.evaluate((el: PageImage) => {
        const canvas = document.createElement("canvas");
        canvas.width = el.naturalWidth;
        canvas.height = el.naturalHeight;
        const context = canvas.getContext("2d");
        context.drawImage(el, 0, 0);
        const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
        let binary = "";
        for (const byte of data) binary += String.fromCharCode(byte);
        return { width: canvas.width, height: canvas.height, base64: btoa(binary) };
      });
      const rgba = new Uint8Array(Buffer.from(shown.base64, "base64"));
      assertSamplePattern({ width: shown.width, height: shown.height, rgba }, 24, 10);
      const url = await operation.locator(".request-url pre").textContent();
      assert.equal(url, `${base}/image.png?width=24&height=10`);
      assert.deepEqual(record.foreign, []);
      assert.deepEqual(record.errors, []);
    });
  });
});
