/**
 * The benchmark photo: a 4000×3000 JPEG made here, the same bytes on every run (a seeded
 * generator): smooth gradients, discs and a fine texture, so that it compresses and decodes
 * like a camera picture rather than like flat colour or pure noise.
 *
 * @module
 */

import sharp from "sharp";

/** Its size. */
export const PHOTO_WIDTH = 4000;
/** Its size. */
export const PHOTO_HEIGHT = 3000;

/**
 * Writes the photo as a quality-85 JPEG (4:2:0), if the file is not there yet.
 *
 * @param path Where.
 * @returns The file's size in bytes.
 */
export async function makePhoto(path: string): Promise<number> {
  const w = PHOTO_WIDTH;
  const h = PHOTO_HEIGHT;
  const rgb = new Uint8Array(w * h * 3);
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const discs = Array.from({ length: 40 }, () => ({
    x: random() * w,
    y: random() * h,
    r2: (50 + random() * 400) ** 2,
    c: [random() * 255, random() * 255, random() * 255],
  }));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 255 * x / w;
      let g = 255 * y / h;
      let b = 128 + 100 * Math.sin(x / 150) * Math.cos(y / 190);
      for (const d of discs) {
        if ((x - d.x) ** 2 + (y - d.y) ** 2 < d.r2) [r, g, b] = d.c;
      }
      const grain = (random() - 0.5) * 24;
      const i = (y * w + x) * 3;
      rgb[i] = r + grain;
      rgb[i + 1] = g + grain;
      rgb[i + 2] = b + grain;
    }
  }
  const jpeg = await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 85, chromaSubsampling: "4:2:0" }).toBuffer();
  await Deno.writeFile(path, jpeg);
  return jpeg.byteLength;
}
