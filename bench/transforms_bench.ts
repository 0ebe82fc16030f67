/**
 * Shared source decoding: 20 widths (100 to 2000 px) of one 4000×3000 JPEG (`_photo.ts`)
 * asked together, made as `/images` makes them (upright decode, shrunk on load, then the
 * Lanczos-3 resize to raw pixels; encoding left out), with {@linkcode DecodeShare} (the
 * source decoded once, at the shrink the widest allows) against each width decoding on its
 * own (at the shrink it allows alone).
 *
 * Run: `deno bench --allow-all bench/transforms_bench.ts`
 *
 * @module
 */

import { IDENTITY_TRANSFORM, shrinkFactor, transformPixels } from "../lib/image/transform.ts";
import { DecodeShare, decodeUpright, probeSource } from "../lib/image/variant.ts";
import { makePhoto } from "./_photo.ts";

const dir = await Deno.makeTempDir({ prefix: "pixserve-photo-" });
await makePhoto(`${dir}/photo.jpg`);
const bytes = await Deno.readFile(`${dir}/photo.jpg`);
await Deno.remove(dir, { recursive: true });
const MAX_PIXELS = 40_000_000;
const info = await probeSource(bytes, MAX_PIXELS);
const specs = Array.from(
  { length: 20 },
  (_, i) => ({ ...IDENTITY_TRANSFORM, width: 100 * (i + 1) }),
);
const full = [info.width, info.height] as const;

Deno.bench({
  name: "20 widths, each decoding the source itself",
  group: "20 widths of a 4000×3000 JPEG",
  baseline: true,
  async fn() {
    await Promise.all(specs.map(async (spec) => {
      const shrink = shrinkFactor(info.width, info.height, spec);
      const pixels = await decodeUpright(bytes, info, shrink, MAX_PIXELS);
      await transformPixels(pixels, spec, full);
    }));
  },
});

let decodes = 0;
Deno.bench({
  name: "20 widths sharing one decode (DecodeShare)",
  group: "20 widths of a 4000×3000 JPEG",
  async fn() {
    const share = new DecodeShare(0);
    const tickets = specs.map(() => share.enter("photo"));
    await Promise.all(specs.map(async (spec, i) => {
      try {
        const shrink = shrinkFactor(info.width, info.height, spec);
        const { pixels } = await share.get(
          tickets[i],
          shrink,
          (s) => decodeUpright(bytes, info, s, MAX_PIXELS),
        );
        await transformPixels(pixels, spec, full);
      } finally {
        share.leave(tickets[i]);
      }
    }));
    if (share.decodes !== 1) throw new Error(`${share.decodes} decodes`);
    decodes += share.decodes;
  },
});

globalThis.addEventListener("unload", () => {
  console.log(`DecodeShare: one decode per iteration (${decodes} in all)`);
});
