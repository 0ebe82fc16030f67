/**
 * The CRC-32 a zip archive's central directory records for each member, and the check
 * of a member's bytes against it (NumPy's `np.load` raises `BadZipFile` on a mismatch).
 * The sum itself is `node:zlib`'s native `crc32`, which runs at memory speed, so checking
 * a stored member costs next to nothing beside reading it.
 *
 * @module
 */

import { crc32 } from "node:zlib";
import { CodecError } from "../codec_error.ts";

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;

/** Where the central directory starts, from the end records, or `undefined`. */
function centralDirectoryAt(view: DataView): number | undefined {
  const last = view.byteLength - 22;
  for (let at = last; at >= 0 && at >= last - 0xffff; at--) {
    if (view.getUint32(at, true) !== EOCD) continue;
    const offset = view.getUint32(at + 16, true);
    if (offset !== 0xffffffff) return offset;
    const locator = at - 20;
    if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR) return undefined;
    const zip64 = Number(view.getBigUint64(locator + 8, true));
    if (zip64 + 56 > view.byteLength || view.getUint32(zip64, true) !== ZIP64_EOCD) {
      return undefined;
    }
    return Number(view.getBigUint64(zip64 + 48, true));
  }
  return undefined;
}

/**
 * The CRC-32 of every member, by name, as the central directory records it.
 *
 * @param bytes The whole archive.
 * @returns Name → CRC-32 (unsigned); empty when the directory cannot be found.
 * @example
 * zipCrcs(await Deno.readFile("fixtures/arrays/single.npz")).get("arr_0.npy");
 */
export function zipCrcs(bytes: Uint8Array): Map<string, number> {
  const crcs = new Map<string, number>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = bytes.length >= 22 ? centralDirectoryAt(view) : undefined;
  const names = new TextDecoder();
  while (at !== undefined && at + 46 <= bytes.length && view.getUint32(at, true) === CENTRAL) {
    const nameLength = view.getUint16(at + 28, true);
    const name = names.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    crcs.set(name, view.getUint32(at + 16, true));
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return crcs;
}

/**
 * A running CRC-32 over chunks.
 *
 * @param chunk The next bytes.
 * @param crc The CRC of the bytes before; 0 to start.
 * @returns The CRC so far, unsigned.
 * @example
 * zipCrc32(new TextEncoder().encode("123456789")); // 0xcbf43926
 */
export function zipCrc32(chunk: Uint8Array, crc = 0): number {
  return crc32(chunk, crc) >>> 0;
}

/**
 * Checks a member's CRC-32 against the one its directory entry records.
 *
 * @param name The member's name.
 * @param actual The CRC-32 of its inflated bytes.
 * @param recorded What the central directory says, or `undefined` when it says nothing.
 * @throws {CodecError} `malformed` / `bad_zip` on a mismatch.
 * @example
 * checkZipCrc("arr_0.npy", 0xcbf43926, 0xcbf43926); // passes
 */
export function checkZipCrc(name: string, actual: number, recorded: number | undefined): void {
  if (recorded === undefined || recorded === actual) return;
  const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;
  throw new CodecError(
    "malformed",
    "bad_zip",
    `invalid .npz archive: ${name} fails its CRC-32 check (recorded ${hex(recorded)}, ` +
      `computed ${hex(actual)})`,
  );
}
