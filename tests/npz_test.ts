import assert from "node:assert/strict";
import { zipSync } from "fflate";
import { encodeNpy } from "../lib/arrays/npy.ts";
import { isZip, listNpz, NPZ_PIECE_BYTES, parseNpz } from "../lib/arrays/npz.ts";
import type { CodecError } from "../lib/codec_error.ts";
import { CODEC_ERROR_STATUS } from "../lib/errors.ts";
import { assertThrowsHttp, readFixture } from "./_arrays.ts";

const MIB = 1024 * 1024;

for (
  const [file, key, shape, dtype] of [
    ["savez.npz", undefined, [4, 6, 3], "uint8"],
    ["savez.npz", "arr_0", [4, 6, 3], "uint8"],
    ["savez.npz", "arr_1", [4, 6], "uint8"],
    ["savez.npz", "mask", [4, 6], "bool"],
    ["savez_compressed.npz", "rgb", [4, 6, 3], "uint8"],
    ["savez_compressed.npz", "gray", [4, 6], "uint8"],
    ["savez_compressed.npz", "u16", [4, 6, 3], "uint16"],
    ["single.npz", undefined, [4, 6, 4], "uint8"],
  ] as const
) {
  Deno.test(`parseNpz() reads ${key ?? "the default array"} of NumPy's ${file}`, async () => {
    const array = parseNpz(await readFixture(file), { key });
    assert.deepEqual(array.shape, shape);
    assert.equal(array.dtype, dtype);
  });
}

Deno.test("parseNpz() gives the same rgb from np.savez and np.savez_compressed", async () => {
  const stored = parseNpz(await readFixture("savez.npz"));
  const deflated = parseNpz(await readFixture("savez_compressed.npz"), { key: "rgb" });
  assert.deepEqual([...deflated.data], [...stored.data]);
  assert.deepEqual([...stored.data.subarray(0, 4)], [0, 7, 14, 21]);
});

Deno.test("listNpz() lists keys as np.load(f).files does", async () => {
  const members = listNpz(await readFixture("savez_compressed.npz"));
  assert.deepEqual(members.map((m) => [m.name, m.key, m.compression, m.originalSize]), [
    ["rgb.npy", "rgb", 8, 200],
    ["gray.npy", "gray", 8, 152],
    ["u16.npy", "u16", 8, 272],
  ]);
});

Deno.test("isZip() recognises archives", async () => {
  assert.equal(isZip(await readFixture("savez.npz")), true);
  assert.equal(isZip(await readFixture("rgb_u8.npy")), false);
});

Deno.test("parseNpz() answers 422 missing_key listing the keys", async () => {
  const compressed = await readFixture("savez_compressed.npz");
  await assertThrowsHttp(
    () => parseNpz(compressed),
    422,
    "missing_key",
    "the archive holds rgb, gray, u16 and no arr_0",
  );
  await assertThrowsHttp(
    async () => parseNpz(await readFixture("savez.npz"), { key: "rgb" }),
    422,
    "missing_key",
    'the archive has no array "rgb"; it holds mask, arr_0, arr_1',
  );
});

/** 2 MiB of zeros as a .npy inside a deflated zip: about 2 KiB. */
function bomb(): Uint8Array {
  const npy = encodeNpy({ shape: [2 * MIB], dtype: "uint8", data: new Uint8Array(2 * MIB) });
  return zipSync({ "arr_0.npy": [npy, { level: 9 }] });
}

/** Offsets of every central directory header. */
function centralHeaders(zip: Uint8Array): number[] {
  const found: number[] = [];
  for (let i = 0; i + 4 <= zip.length; i++) {
    if (zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === 0x01 && zip[i + 3] === 0x02) {
      found.push(i);
    }
  }
  return found;
}

/** The archive with the uncompressed size of its first member rewritten in both headers. */
function declaring(zip: Uint8Array, size: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  view.setUint32(22, size, true);
  view.setUint32(centralHeaders(out)[0] + 24, size, true);
  return out;
}

Deno.test("parseNpz() refuses a member that declares more than the limit (413)", async () => {
  await assertThrowsHttp(
    () => parseNpz(bomb(), { maxInflatedBytes: MIB }),
    413,
    "inflated_too_large",
    "arr_0.npy declares 2097280 inflated bytes, more than the limit of 1048576",
  );
});

Deno.test("parseNpz() stops inflating a member that lies about its size (413)", async () => {
  const zip = declaring(bomb(), 1000);
  assert.ok(zip.length < NPZ_PIECE_BYTES);
  await assertThrowsHttp(
    () => parseNpz(zip, { maxInflatedBytes: MIB }),
    413,
    "inflated_too_large",
    "arr_0.npy declares 1000 inflated bytes but inflates past the limit of 1048576 " +
      "(stopped at 2097280)",
  );
});

Deno.test("parseNpz() stops a 32 MiB bomb within one piece past a 1 MiB limit", () => {
  const npy = encodeNpy({ shape: [32 * MIB], dtype: "uint8", data: new Uint8Array(32 * MIB) });
  const zip = declaring(zipSync({ "arr_0.npy": [npy, { level: 1 }] }), 128);
  assert.throws(
    () => parseNpz(zip, { maxInflatedBytes: MIB }),
    (err: CodecError) => {
      assert.equal(CODEC_ERROR_STATUS[err.kind], 413);
      assert.equal(err.code, "inflated_too_large");
      const reached = Number(/stopped at (\d+)/.exec(err.message)?.[1]);
      // deflate expands at most 1032:1, so one piece of input yields under 1100 pieces
      assert.ok(reached > MIB && reached < MIB + 1100 * NPZ_PIECE_BYTES, err.message);
      assert.ok(MIB + 1100 * NPZ_PIECE_BYTES < 32 * MIB);
      return true;
    },
  );
});

Deno.test("parseNpz() refuses a member whose inflated size disagrees with its entry", async () => {
  const zip = zipSync({ "arr_0.npy": [await readFixture("rgb_u8.npy"), { level: 6 }] });
  await assertThrowsHttp(
    () => parseNpz(declaring(zip, 300)),
    400,
    "invalid_npz",
    "invalid .npz archive: arr_0.npy inflates to 200 bytes but its directory entry says 300",
  );
});

Deno.test("parseNpz() answers 400 for archives that are not readable", async () => {
  const good = await readFixture("savez_compressed.npz");
  await assertThrowsHttp(
    () => parseNpz(good.subarray(0, 300)),
    400,
    "invalid_npz",
    "invalid .npz archive: it is not a readable zip archive (invalid zip data)",
  );
  await assertThrowsHttp(
    () => parseNpz(new TextEncoder().encode("PK\x03\x04")),
    400,
    "invalid_npz",
    "invalid .npz archive: it is shorter than the smallest zip archive",
  );
  await assertThrowsHttp(
    () => parseNpz(zipSync({})),
    400,
    "invalid_npz",
    "invalid .npz archive: it holds no arrays",
  );
  const corrupt = good.slice();
  corrupt.fill(0xff, 60, 120);
  await assertThrowsHttp(
    () => parseNpz(corrupt, { key: "rgb" }),
    400,
    "invalid_npz",
    "invalid .npz archive: rgb.npy cannot be read (invalid distance)",
  );
});

Deno.test("parseNpz() answers 400 invalid_npy for a member that is not .npy", async () => {
  const zip = zipSync({ "notes.txt": new TextEncoder().encode("hello") });
  await assertThrowsHttp(
    () => parseNpz(zip),
    400,
    "invalid_npy",
    "invalid .npy file: the body does not start with the .npy magic string \\x93NUMPY",
  );
});

Deno.test("parseNpz() refuses zip methods NumPy does not write", async () => {
  const zip = zipSync({ "arr_0.npy": [await readFixture("rgb_u8.npy"), { level: 0 }] });
  const view = new DataView(zip.buffer, zip.byteOffset);
  view.setUint16(8, 12, true);
  view.setUint16(centralHeaders(zip)[0] + 10, 12, true);
  await assertThrowsHttp(
    () => parseNpz(zip),
    400,
    "invalid_npz",
    "invalid .npz archive: arr_0.npy uses zip method 12; NumPy writes stored (0) or deflate (8)",
  );
});
