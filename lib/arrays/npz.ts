/**
 * NumPy's `.npz` archives: the zip of `.npy` files that `np.savez` (stored)
 * and `np.savez_compressed` (deflate) write, read with fflate.
 *
 * Zip bombs are refused twice over: a member whose directory entry declares
 * more than the limit is refused before any inflating, and the chosen member
 * is inflated by fflate's streaming decoder fed {@linkcode NPZ_PIECE_BYTES}
 * of compressed data at a time with a running count of the bytes it produced,
 * stopped as soon as the count passes the limit.
 *
 * @module
 */

import { Unzip, UnzipInflate, unzipSync } from "fflate";
import { CodecError } from "../codec_error.ts";
import { joinChunks } from "../chunks.ts";
import { parseNpy } from "./npy.ts";
import type { PixelArray } from "./types.ts";
import { checkZipCrc, zipCrc32, zipCrcs } from "./zip_crc.ts";

/** Compressed bytes pushed to the inflater at a time: at most ~1032× that comes out per push. */
export const NPZ_PIECE_BYTES = 16 * 1024;

/** Most members an archive may list. */
export const MAX_NPZ_MEMBERS = 4096;

/** One member of an archive, from its central directory. */
export interface NpzMember {
  /** File name in the archive, e.g. `arr_0.npy`. */
  readonly name: string;
  /** The name without `.npy`, as `np.load(f).files` lists it. */
  readonly key: string;
  /** Compressed bytes, as declared. */
  readonly size: number;
  /** Inflated bytes, as declared. */
  readonly originalSize: number;
  /** Zip method: 0 stored, 8 deflate. */
  readonly compression: number;
}

/** Options of {@linkcode parseNpz}. */
export interface NpzOptions {
  /** The array to read: a key of `np.load(f).files`. @default {the only one, else "arr_0"} */
  key?: string;
  /** Largest inflated member, in bytes. @default {Infinity} */
  maxInflatedBytes?: number;
}

/**
 * Whether bytes start like a zip archive (a local file header or an empty archive).
 *
 * @param bytes The start of a body.
 * @returns `true` for `PK\x03\x04` or `PK\x05\x06`.
 * @example
 * ```ts
 * import { isZip } from "./npz.ts";
 *
 * isZip(new Uint8Array([0x50, 0x4b, 0x03, 0x04])); // true
 * ```
 */
export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b &&
    ((bytes[2] === 0x03 && bytes[3] === 0x04) || (bytes[2] === 0x05 && bytes[3] === 0x06));
}

/**
 * Lists the members of an archive from its central directory, inflating nothing.
 *
 * @param bytes The whole archive.
 * @returns The members in directory order, folders left out.
 * @throws {CodecError} malformed: `invalid_npz` when it is not a readable zip or lists more
 *   than {@linkcode MAX_NPZ_MEMBERS} members.
 * @example
 * ```ts
 * import { listNpz } from "./npz.ts";
 *
 * listNpz(await Deno.readFile("fixtures/arrays/savez.npz")).map((m) => m.key);
 * // ["mask", "arr_0", "arr_1"] (np.savez(f, rgb, gray, mask=mask))
 * ```
 */
export function listNpz(bytes: Uint8Array): NpzMember[] {
  const members: NpzMember[] = [];
  if (bytes.length < 22) throw invalidNpz("it is shorter than the smallest zip archive");
  try {
    unzipSync(bytes, {
      filter(file) {
        if (members.length >= MAX_NPZ_MEMBERS) {
          throw invalidNpz(`it lists more than ${MAX_NPZ_MEMBERS} members`);
        }
        if (!file.name.endsWith("/")) {
          members.push({
            name: file.name,
            key: file.name.endsWith(".npy") ? file.name.slice(0, -4) : file.name,
            size: file.size,
            originalSize: file.originalSize,
            compression: file.compression,
          });
        }
        return false;
      },
    });
  } catch (err) {
    if (err instanceof CodecError) throw err;
    throw invalidNpz(`it is not a readable zip archive (${(err as Error).message})`);
  }
  return members;
}

/**
 * Reads one array from an `.npz` archive.
 *
 * @param bytes The whole archive.
 * @param options Which array, and the inflated-size limit.
 * @returns The array.
 * @throws {CodecError} malformed: `invalid_npz` (not a zip, no members, a truncated or corrupt
 *   member, an unknown compression) or `invalid_npy` (a member that is not `.npy`).
 * @throws {CodecError} unprocessable: `missing_key` listing the keys, when the key asked is
 *   absent or none was asked and there is neither one array nor `arr_0`.
 * @throws {CodecError} too_large: `inflated_too_large` when the member declares, or
 *   actually inflates to, more than `maxInflatedBytes`.
 * @example
 * ```ts
 * import { parseNpz } from "./npz.ts";
 *
 * const rgb = parseNpz(await Deno.readFile("fixtures/arrays/savez_compressed.npz"), { key: "rgb" });
 * ```
 */
export function parseNpz(bytes: Uint8Array, options: NpzOptions = {}): PixelArray {
  const members = listNpz(bytes);
  if (members.length === 0) throw invalidNpz("it holds no arrays");
  const member = chooseMember(members, options.key);
  const limit = options.maxInflatedBytes ?? Infinity;
  if (member.originalSize > limit) throw inflatedTooLarge(member, member.originalSize, limit);
  if (member.compression !== 0 && member.compression !== 8) {
    throw invalidNpz(
      `${member.name} uses zip method ${member.compression}; NumPy writes stored (0) or deflate (8)`,
    );
  }
  return parseNpy(inflateMember(bytes, member, limit));
}

function chooseMember(members: readonly NpzMember[], key: string | undefined): NpzMember {
  const wanted = key ?? (members.length === 1 ? members[0].key : "arr_0");
  const member = members.find((m) => m.key === wanted);
  if (member !== undefined) return member;
  const keys = members.map((m) => m.key).join(", ");
  throw new CodecError(
    "unprocessable",
    "missing_key",
    key === undefined
      ? `the archive holds ${keys} and no arr_0`
      : `the archive has no array ${JSON.stringify(key)}; it holds ${keys}`,
  );
}

/** Streams one member through fflate, counting what comes out. */
function inflateMember(bytes: Uint8Array, member: NpzMember, limit: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let crc = 0;
  let found = false;
  let done = false;
  let failure: unknown;
  const unzip = new Unzip((file) => {
    if (found || file.name !== member.name) return;
    found = true;
    file.ondata = (err, chunk, final) => {
      if (err !== null) {
        failure ??= err;
        return;
      }
      total += chunk.length;
      if (total > limit) {
        failure ??= inflatedTooLarge(member, total, limit);
        file.terminate();
        return;
      }
      chunks.push(chunk);
      crc = zipCrc32(chunk, crc);
      done ||= final;
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for (let at = 0; at < bytes.length && !done && failure === undefined; at += NPZ_PIECE_BYTES) {
      unzip.push(bytes.subarray(at, at + NPZ_PIECE_BYTES), at + NPZ_PIECE_BYTES >= bytes.length);
    }
  } catch (err) {
    failure ??= err;
  }
  if (failure instanceof CodecError) throw failure;
  if (failure !== undefined) {
    throw invalidNpz(`${member.name} cannot be read (${(failure as Error).message})`);
  }
  if (!found || !done) throw invalidNpz(`${member.name} is missing or truncated`);
  if (total !== member.originalSize) {
    throw invalidNpz(
      `${member.name} inflates to ${total} bytes but its directory entry says ${member.originalSize}`,
    );
  }
  checkZipCrc(member.name, crc, zipCrcs(bytes).get(member.name));
  return joinChunks(chunks, total);
}

function inflatedTooLarge(member: NpzMember, inflated: number, limit: number): CodecError {
  return new CodecError(
    "too_large",
    "inflated_too_large",
    inflated === member.originalSize
      ? `${member.name} declares ${inflated} inflated bytes, more than the limit of ${limit}`
      : `${member.name} declares ${member.originalSize} inflated bytes but inflates past ` +
        `the limit of ${limit} (stopped at ${inflated})`,
  );
}

function invalidNpz(detail: string): CodecError {
  return new CodecError("malformed", "invalid_npz", `invalid .npz archive: ${detail}`);
}
