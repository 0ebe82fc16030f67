/**
 * The cost of checking `.npz` members' CRC-32: `parseNpz` of a stored (`np.savez`) archive
 * holding one 1920×1080×3 and one 4096×2048×3 `uint8` array, beside the work the check adds
 * (reading the central directory's CRCs and summing the member with `node:zlib`'s `crc32`).
 *
 * Run: `deno bench --allow-all bench/npz_crc_bench.ts`.
 *
 * @module
 */

import { zipSync } from "fflate";
import { encodeNpy } from "../lib/arrays/npy.ts";
import { parseNpz } from "../lib/arrays/npz.ts";
import { zipCrc32, zipCrcs } from "../lib/arrays/zip_crc.ts";

for (const [height, width] of [[1080, 1920], [2048, 4096]]) {
  const data = new Uint8Array(height * width * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
  const npy = encodeNpy({ shape: [height, width, 3], dtype: "uint8", data });
  const zip = zipSync({ "arr_0.npy": [npy, { level: 0 }] });
  const group = `stored ${height}x${width}x3`;
  Deno.bench({
    name: `parseNpz (stored, CRC checked) ${group}`,
    group,
    baseline: true,
    fn: () => {
      parseNpz(zip);
    },
  });
  Deno.bench({
    name: `the check alone: zipCrcs + crc32 of the member ${group}`,
    group,
    fn: () => {
      zipCrcs(zip);
      zipCrc32(npy);
    },
  });
}
