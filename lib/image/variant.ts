/**
 * Source images made into variants: the header checked before any decoding (a
 * "lottapixel" file that claims 64250×64250 pixels in a few KB is refused there), one
 * upright decode shared by every variant of a source asked at the same time (a JPEG shrunk
 * on load as far as the largest of them allows), and {@linkcode VariantIndex}, which bounds
 * how many variants of one source are kept.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { CodecError } from "../codec_error.ts";
import { ByteLruCache } from "./cache.ts";
import { type ChannelPixels, DEFAULT_AVIF_EFFORT } from "./encode.ts";
import { readSourceHeader, type SourceFormat } from "./source.ts";
import { applyTransform, loadSharp, rawPixels, type TransformSpec } from "./transform.ts";

/** What the header of a source says, with its upright size. */
export interface SourceInfo {
  /** The container. */
  readonly format: SourceFormat;
  /** Columns after EXIF orientation. */
  readonly width: number;
  /** Rows after EXIF orientation. */
  readonly height: number;
  /** Whether the file carries an ICC profile. */
  readonly icc: boolean;
}

/**
 * Reads a source's header and checks it against the pixel limit, decoding no pixel: the
 * container and stored size come from pixserve's own header reader, the orientation from
 * libvips' header read.
 *
 * @param bytes The whole file.
 * @param maxPixels The largest width × height decoded.
 * @returns Container, upright size, ICC presence.
 * @throws {CodecError} `unsupported_media` `unsupported_media_type`: not a PNG, JPEG, GIF or
 *   TIFF; `unprocessable` `too_many_pixels` past `maxPixels`.
 * @example
 * await probeSource(await Deno.readFile("fixtures/photo.jpg"), 40_000_000);
 * // { format: "jpeg", width: 64, height: 64, icc: false }
 */
export async function probeSource(bytes: Uint8Array, maxPixels: number): Promise<SourceInfo> {
  const header = readSourceHeader(bytes);
  if (header === undefined) {
    throw new CodecError(
      "unsupported_media",
      "unsupported_media_type",
      "the source is not a PNG, JPEG, GIF or TIFF image",
    );
  }
  const pixels = header.width * header.height;
  if (pixels > maxPixels) {
    throw new CodecError(
      "unprocessable",
      "too_many_pixels",
      `the source is ${header.width}x${header.height}, ${pixels} pixels, ` +
        `more than MAX_PIXELS (${maxPixels})`,
    );
  }
  const sharp = await loadSharp();
  const meta = await undecodable(header.format, sharp(view(bytes)).metadata());
  const turned = (meta.orientation ?? 1) >= 5;
  return {
    format: header.format,
    width: turned ? header.height : header.width,
    height: turned ? header.width : header.height,
    icc: meta.icc !== undefined,
  };
}

/** A libvips failure on a source as a 415 naming the container. */
async function undecodable<T>(format: SourceFormat, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof CodecError) throw err;
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new CodecError(
      "unsupported_media",
      "unsupported_media_type",
      `the ${format} source cannot be decoded: ${why}`,
    );
  }
}

function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Decodes a source upright (EXIF orientation applied), in sRGB, 8 bits a sample, every
 * metadata dropped; a JPEG shrunk on load by `shrink` (1, 2, 4 or 8).
 *
 * @param bytes The whole file, already checked by {@linkcode probeSource}.
 * @param info What {@linkcode probeSource} said.
 * @param shrink The shrink-on-load factor; other containers decode at full size.
 * @param maxPixels The pixel limit, given to libvips too.
 * @returns The pixels.
 * @throws {CodecError} `unsupported_media_type` for a corrupt file.
 * @example
 * const pixels = await decodeUpright(bytes, await probeSource(bytes, 4e7), 4, 4e7);
 */
export async function decodeUpright(
  bytes: Uint8Array,
  info: SourceInfo,
  shrink: number,
  maxPixels: number,
): Promise<ChannelPixels> {
  const sharp = await loadSharp();
  const input = sharp(view(bytes), { autoOrient: true, limitInputPixels: maxPixels });
  if (shrink > 1 && info.format === "jpeg") {
    input.resize(Math.ceil(info.width / shrink), Math.ceil(info.height / shrink), {
      fit: "fill",
      fastShrinkOnLoad: true,
    });
  }
  const out = await undecodable(
    info.format,
    input.toColourspace("srgb").raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true }),
  );
  return rawPixels(out.data, out.info);
}

/**
 * A variant encoded by libvips straight from the source file, keeping its ICC profile
 * (`?keep_meta`): pixserve's own encoders write no profile.
 *
 * @param bytes The whole file, already checked by {@linkcode probeSource}.
 * @param info What {@linkcode probeSource} said.
 * @param spec The transform.
 * @param format The output container.
 * @param options Quality, AVIF effort, pixel limit.
 * @returns The encoded bytes.
 * @throws {CodecError} `crop_outside_image`, `unsupported_media_type`.
 * @example
 * const png = await encodeKeepingProfile(bytes, info, spec, "png", { maxPixels: 4e7 });
 */
export async function encodeKeepingProfile(
  bytes: Uint8Array,
  info: SourceInfo,
  spec: TransformSpec,
  format: "png" | "jpeg" | "webp" | "gif" | "avif",
  options: { quality?: number; effort?: number; maxPixels: number },
): Promise<Uint8Array<ArrayBuffer>> {
  const sharp = await loadSharp();
  const input = sharp(view(bytes), { autoOrient: true, limitInputPixels: options.maxPixels });
  const size = [info.width, info.height] as const;
  const out = applyTransform(input, size, size, spec).keepIccProfile();
  const { quality, effort } = options;
  const encoded = format === "avif"
    ? out.avif({ quality, effort: effort ?? DEFAULT_AVIF_EFFORT })
    : format === "webp"
    ? out.webp(quality === undefined ? { lossless: true } : { quality })
    : format === "jpeg"
    ? out.jpeg({ quality: quality ?? 90 })
    : format === "gif"
    ? out.gif()
    : out.png();
  return new Uint8Array(await undecodable(info.format, encoded.toBuffer()));
}

/** Decoded pixels that know their size in bytes. */
interface Decoded {
  readonly pixels: ChannelPixels;
  readonly byteLength: number;
}

/** One request's claim on a source's decode: the shrink it allows, once it knows it. */
export interface DecodeTicket {
  /** The source and its version. */
  readonly source: string;
  /** The largest shrink-on-load factor this request can use; unknown until its header is read. */
  need?: number;
  /** Holds a decode already. */
  served?: boolean;
}

/**
 * Upright decodes of sources, shared. A request {@linkcode DecodeShare.enter}s as soon as
 * it knows its source, then asks with {@linkcode DecodeShare.get} once it knows the shrink
 * it allows. A decode starts only when every request of that source that has entered has
 * said what it needs (or left), at the smallest shrink among them; a request takes any
 * decode, in flight or kept, shrunk no more than it allows. So variants of one source asked
 * together decode it once, at the resolution the largest of them needs. Kept decodes are
 * bounded by bytes.
 *
 * @example
 * const decodes = new DecodeShare(64 * 1024 * 1024);
 * const ticket = decodes.enter("a.jpg:1234:0");
 * try {
 *   const { pixels } = await decodes.get(ticket, 4, (s) => decodeUpright(bytes, info, s, max));
 * } finally {
 *   decodes.leave(ticket);
 * }
 */
export class DecodeShare {
  #kept: ByteLruCache<Decoded>;
  #inflight = new Map<string, Promise<Decoded>>();
  #tickets = new Map<string, Set<DecodeTicket>>();
  #declared = new Map<string, PromiseWithResolvers<void>>();
  #decodes = 0;

  /**
   * Creates a `DecodeShare`.
   *
   * @param maxBytes Bytes of decoded pixels kept after their requests end.
   */
  constructor(maxBytes: number) {
    this.#kept = new ByteLruCache(maxBytes);
  }

  /** Decodes started so far. */
  get decodes(): number {
    return this.#decodes;
  }

  /**
   * Announces a request for a source; pair with {@linkcode DecodeShare.leave} in `finally`.
   *
   * @param source The source and its version, e.g. `path:size:mtime`.
   * @returns The request's ticket.
   */
  enter(source: string): DecodeTicket {
    const ticket: DecodeTicket = { source };
    let tickets = this.#tickets.get(source);
    if (tickets === undefined) {
      tickets = new Set();
      this.#tickets.set(source, tickets);
    }
    tickets.add(ticket);
    return ticket;
  }

  /**
   * Ends a request's claim (served, failed, or needing no decode).
   *
   * @param ticket From {@linkcode DecodeShare.enter}.
   */
  leave(ticket: DecodeTicket): void {
    const tickets = this.#tickets.get(ticket.source);
    tickets?.delete(ticket);
    if (tickets?.size === 0) this.#tickets.delete(ticket.source);
    this.#wake(ticket.source);
  }

  /**
   * An upright decode of the ticket's source that is shrunk no more than `need`.
   *
   * @param ticket From {@linkcode DecodeShare.enter}.
   * @param need The largest shrink-on-load factor the caller can use (1, 2, 4 or 8).
   * @param decode Decodes at a factor.
   * @returns The pixels and the factor they were decoded at.
   */
  async get(
    ticket: DecodeTicket,
    need: number,
    decode: (shrink: number) => Promise<ChannelPixels>,
  ): Promise<{ pixels: ChannelPixels; shrink: number }> {
    const { source } = ticket;
    ticket.need = need;
    this.#wake(source);
    for (;;) {
      const found = this.#find(source, need);
      if (found !== undefined) {
        ticket.served = true;
        return { pixels: (await found.decoded).pixels, shrink: found.shrink };
      }
      const tickets = [...(this.#tickets.get(source) ?? [])].filter((t) => !t.served);
      if (tickets.some((t) => t.need === undefined)) {
        await this.#allDeclared(source);
        continue;
      }
      this.#start(source, Math.min(need, ...tickets.map((t) => t.need!)), decode);
    }
  }

  #find(source: string, need: number) {
    for (const shrink of [8, 4, 2, 1]) {
      if (shrink > need) continue;
      const key = `${source}#${shrink}`;
      const kept = this.#kept.get(key);
      const decoded = kept === undefined ? this.#inflight.get(key) : Promise.resolve(kept);
      if (decoded !== undefined) return { decoded, shrink };
    }
    return undefined;
  }

  #start(source: string, shrink: number, decode: (shrink: number) => Promise<ChannelPixels>) {
    const key = `${source}#${shrink}`;
    this.#decodes++;
    const decoded = this.#kept.getOrCreate(key, async () => {
      const pixels = await decode(shrink);
      return { pixels, byteLength: pixels.data.byteLength };
    });
    this.#inflight.set(key, decoded);
    const done = () => {
      if (this.#inflight.get(key) === decoded) this.#inflight.delete(key);
    };
    decoded.then(done, done);
  }

  #allDeclared(source: string): Promise<void> {
    let waiting = this.#declared.get(source);
    if (waiting === undefined) {
      waiting = Promise.withResolvers();
      this.#declared.set(source, waiting);
    }
    return waiting.promise;
  }

  #wake(source: string): void {
    const tickets = this.#tickets.get(source);
    if (tickets !== undefined && [...tickets].some((t) => t.need === undefined)) return;
    this.#declared.get(source)?.resolve();
    this.#declared.delete(source);
  }
}

/**
 * How many variants of each source are kept: past `maxVariants`, the variant used least
 * (the oldest of equals) leaves, and its cache key is handed back to be dropped.
 *
 * @example
 * const index = new VariantIndex(2);
 * index.use("a.jpg", "k1"); index.use("a.jpg", "k1"); index.use("a.jpg", "k2");
 * index.use("a.jpg", "k3"); // ["k2"]
 */
export class VariantIndex {
  #sources = new Map<string, Map<string, number>>();

  /**
   * Creates a `VariantIndex`.
   *
   * @param maxVariants Variants kept per source; at least 1.
   */
  constructor(readonly maxVariants: number) {}

  /**
   * Counts one use of a variant.
   *
   * @param source The source (its path: every version shares the bound).
   * @param variant The variant's cache key.
   * @returns The cache keys of the variants that leave.
   */
  use(source: string, variant: string): string[] {
    let uses = this.#sources.get(source);
    if (uses === undefined) {
      uses = new Map();
      this.#sources.set(source, uses);
    }
    uses.set(variant, (uses.get(variant) ?? 0) + 1);
    const evicted: string[] = [];
    while (uses.size > this.maxVariants) {
      let least: string | undefined;
      let fewest = Infinity;
      for (const [key, count] of uses) {
        if (key !== variant && count < fewest) [least, fewest] = [key, count];
      }
      if (least === undefined) break;
      uses.delete(least);
      evicted.push(least);
    }
    return evicted;
  }

  /**
   * The variants of a source kept now.
   *
   * @param source The source.
   * @returns Their cache keys, oldest first.
   */
  variants(source: string): string[] {
    return [...(this.#sources.get(source)?.keys() ?? [])];
  }
}
