/**
 * A TIFF's compressed strips and tiles checked against what its declared size needs,
 * before `npm:tiff` inflates them: each strip may inflate to at most one strip of rows
 * (`RowsPerStrip × stride`), each tile to one tile, and no more strips or tiles than the
 * image has may be listed. Deflate is inflated in small steps and stopped as soon as a
 * strip passes its share; LZW output is counted from code lengths without being built.
 * A 1×1 TIFF with a strip that inflates to a gigabyte is refused after a few kilobytes.
 *
 * @module
 */

import { Decompress } from "fflate";
import { decode as decodeTiff, type TiffIfd } from "tiff";
import { CodecError } from "../codec_error.ts";

/** Input fed to the inflater per step: a step inflates to at most ~1 MiB. */
const INFLATE_STEP = 1024;

/** The largest number of samples per pixel a source image may have (gray, alpha, RGB, A). */
const MAX_SAMPLES = 4;

/** A strip or tile: where its compressed bytes are and how much it may inflate to. */
interface Segment {
  readonly offset: number;
  readonly length: number;
  readonly limit: number;
}

function tooLarge(detail: string): CodecError {
  return new CodecError("too_large", "inflation_limit", detail);
}

/** Bytes per row of `width` pixels. */
function strideOf(ifd: TiffIfd, width: number): number {
  return Math.ceil((width * ifd.samplesPerPixel * ifd.bitsPerSample) / 8);
}

/** The strips or tiles of the first image, each with the most bytes it may inflate to. */
function segmentsOf(ifd: TiffIfd): Segment[] {
  if (ifd.tiled) {
    const tw = ifd.tileWidth ?? 0, th = ifd.tileHeight ?? 0;
    if (tw === 0 || th === 0) return [];
    const count = Math.ceil(ifd.width / tw) * Math.ceil(ifd.height / th);
    return listed(ifd.tileOffsets, ifd.tileByteCounts, count, strideOf(ifd, tw) * th, "tile");
  }
  const rows = Math.min(ifd.rowsPerStrip, ifd.height);
  const count = Math.ceil(ifd.height / rows);
  return listed(
    ifd.stripOffsets,
    ifd.stripByteCounts,
    count,
    strideOf(ifd, ifd.width) * rows,
    "strip",
  );
}

function listed(
  offsets: readonly number[],
  lengths: readonly number[] | undefined,
  count: number,
  limit: number,
  what: string,
): Segment[] {
  if (offsets.length > count) {
    throw tooLarge(`the TIFF lists ${offsets.length} ${what}s where its size needs ${count}`);
  }
  return offsets.map((offset, i) => ({ offset, length: lengths?.[i] ?? 0, limit }));
}

/** Inflates zlib or raw deflate data, stopping with an error past `limit` bytes. */
function inflateWithin(data: Uint8Array, limit: number): void {
  let total = 0;
  const inflater = new Decompress((chunk) => {
    total += chunk.length;
    if (total > limit) {
      throw tooLarge(`a TIFF strip inflates past the ${limit} bytes its declared size needs`);
    }
  });
  for (let i = 0; i < data.length; i += INFLATE_STEP) {
    const end = Math.min(data.length, i + INFLATE_STEP);
    inflater.push(data.subarray(i, end), end === data.length);
  }
}

/** Bit widths at which TIFF's LZW (with its early change) grows its code size. */
const LZW_GROWTH: Readonly<Record<number, number>> = { 511: 10, 1023: 11, 2047: 12 };

/** Counts what TIFF LZW data decodes to, stopping with an error past `limit` bytes. */
function lzwWithin(data: Uint8Array, limit: number): void {
  const lengths = new Uint32Array(4097);
  lengths.fill(1, 0, 256);
  let table = 258, bits = 9, buffer = 0, held = 0, at = 0, old = 0, total = 0;
  let cleared = false;
  while (true) {
    while (held < bits) {
      if (at >= data.length) return;
      buffer = ((buffer << 8) | data[at++]) & 0xffffff;
      held += 8;
    }
    const code = (buffer >> (held - bits)) & ((1 << bits) - 1);
    held -= bits;
    if (code === 257) return;
    if (code === 256) {
      table = 258;
      bits = 9;
      cleared = true;
      continue;
    }
    const length = code < table ? lengths[code] : lengths[old] + 1;
    total += length;
    if (total > limit) {
      throw tooLarge(`a TIFF strip decodes past the ${limit} bytes its declared size needs`);
    }
    if (!cleared && table < 4096) {
      lengths[table] = code < table ? lengths[old] + 1 : length;
      table++;
      bits = LZW_GROWTH[table] ?? bits;
    }
    old = code;
    cleared = false;
  }
}

/**
 * Checks that the first image of a TIFF inflates to no more than its declared size needs.
 *
 * @param bytes The whole file (its header already read as a TIFF).
 * @throws {CodecError} `too_large` / `inflation_limit` when a strip or tile would inflate
 *   past one strip or tile of rows, or more strips or tiles are listed than the image has;
 *   `unprocessable` / `unsupported_samples` past four samples per pixel.
 * @example
 * checkTiffInflation(await Deno.readFile("fixtures/scan.tiff")); // passes
 */
export function checkTiffInflation(bytes: Uint8Array): void {
  let ifd: TiffIfd | undefined;
  try {
    [ifd] = decodeTiff(bytes, { ignoreImageData: true, pages: [0] });
  } catch {
    return;
  }
  if (ifd === undefined) return;
  if (ifd.samplesPerPixel > MAX_SAMPLES) {
    throw new CodecError(
      "unprocessable",
      "unsupported_samples",
      `the TIFF has ${ifd.samplesPerPixel} samples per pixel; at most ${MAX_SAMPLES} are read`,
    );
  }
  const compression = ifd.compression;
  if (compression !== 5 && compression !== 8 && compression !== 32946) return;
  for (const { offset, length, limit } of segmentsOf(ifd)) {
    const data = bytes.subarray(offset, offset + length);
    if (compression === 5) lzwWithin(data, limit);
    else inflateWithin(data, limit);
  }
}
