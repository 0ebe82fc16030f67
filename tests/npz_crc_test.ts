import assert from "node:assert/strict";
import { parseNpz } from "../lib/arrays/npz.ts";
import { zipCrc32, zipCrcs } from "../lib/arrays/zip_crc.ts";
import { CodecError } from "../lib/codec_error.ts";
import { assertError, post, readFixture } from "./_arrays.ts";
import { withServer } from "./_server.ts";

const PYTHON = Deno.env.get("PIXSERVE_PYTHON") ?? "python3";

/** Where a member's data starts, read from its local header. */
function memberData(zip: Uint8Array, name: string): number {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let at = 0; at + 30 <= zip.length; at++) {
    if (view.getUint32(at, true) !== 0x04034b50) continue;
    const nameLength = view.getUint16(at + 26, true);
    const found = new TextDecoder().decode(zip.subarray(at + 30, at + 30 + nameLength));
    if (found === name) return at + 30 + nameLength + view.getUint16(at + 28, true);
  }
  throw new Error(`no member ${name}`);
}

/** A copy of savez.npz with the last pixel byte of arr_0.npy (200 stored bytes) flipped. */
async function corruptStored(): Promise<Uint8Array<ArrayBuffer>> {
  const zip = await readFixture("savez.npz");
  zip[memberData(zip, "arr_0.npy") + 199] ^= 0xff;
  return zip;
}

/** What NumPy's np.load says about an archive's arr_0: "ok" or the exception's class. */
async function numpyVerdict(zip: Uint8Array): Promise<string> {
  const script = "import io, sys, numpy\n" +
    "try:\n numpy.load(io.BytesIO(sys.stdin.buffer.read()))['arr_0']; print('ok')\n" +
    "except Exception as e: print(type(e).__name__)";
  const child = new Deno.Command(PYTHON, {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(zip);
  await writer.close();
  const out = await child.output();
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("zipCrcs() reads the CRC-32 that Python's zipfile records", async () => {
  const crcs = zipCrcs(await readFixture("savez.npz"));
  assert.deepEqual([...crcs], [
    ["mask.npy", 4154752690],
    ["arr_0.npy", 1803567276],
    ["arr_1.npy", 1328489468],
  ]);
  assert.equal(zipCrc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

Deno.test("POST /render.png answers 400 bad_zip for a stored member with a bad CRC-32", async () => {
  const zip = await corruptStored();
  assert.equal(await numpyVerdict(zip), "BadZipFile");
  await withServer(async ({ base }) => {
    const res = await post(`${base}/render.png`, zip, "application/zip");
    const crc = zipCrc32(
      zip.subarray(memberData(zip, "arr_0.npy"), memberData(zip, "arr_0.npy") + 200),
    );
    await assertError(
      res,
      400,
      "bad_zip",
      "invalid .npz archive: arr_0.npy fails its CRC-32 check (recorded 0x6b8040ac, " +
        `computed 0x${crc.toString(16).padStart(8, "0")})`,
    );
  });
});

Deno.test("parseNpz() refuses a deflated member whose directory CRC-32 disagrees", async () => {
  const zip = await readFixture("savez_compressed.npz");
  const view = new DataView(zip.buffer);
  const central = new TextEncoder().encode("rgb.npy");
  let entry = -1;
  for (let at = 0; at + 46 <= zip.length; at++) {
    if (view.getUint32(at, true) === 0x02014b50 && zip[at + 46] === central[0]) {
      const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + central.length));
      if (name === "rgb.npy") entry = at;
    }
  }
  view.setUint32(entry + 16, view.getUint32(entry + 16, true) ^ 1, true);
  assert.throws(() => parseNpz(zip, { key: "rgb" }), (err: unknown) => {
    assert.ok(err instanceof CodecError);
    assert.equal(err.kind, "malformed");
    assert.equal(err.code, "bad_zip");
    return true;
  });
  assert.deepEqual(parseNpz(await readFixture("savez_compressed.npz"), { key: "rgb" }).shape, [
    4,
    6,
    3,
  ]);
});
