/**
 * What the routes share: the configuration, the encoded-image cache and the encoder,
 * which encodes on a bounded pool of worker isolates so that no encode stalls the
 * event loop that serves other requests.
 *
 * @module
 */

import type { Image } from "imagescript";
import type { PixelArray } from "./arrays/types.ts";
import type { DisplayJob } from "./image/display_job.ts";
import type { Config } from "./config.ts";
import type { AnimationTiming } from "./image/animate.ts";
import { ByteLruCache } from "./image/cache.ts";
import {
  type ChannelPixels,
  type EncodeOptions,
  pixelsOf,
  type RgbaPixels,
} from "./image/encode.ts";
import type { ImageFormat } from "./image/format.ts";
import { EncodePool } from "./pool/pool.ts";
import { type MetricsShare, RequestMetrics } from "./metrics/metrics.ts";
import { OPEN_FILE_STREAMS } from "./metrics/open_files.ts";
import { DecodePool } from "./pool/decode_pool.ts";
import { InflightBytes, OpenResponses } from "./inflight.ts";
import { type EncodedImage, tagBytes } from "./responses.ts";
import { type HubLink, StreamHub } from "./streams/hub.ts";

/**
 * Encodes an image and tags the bytes. The image's pixels are handed to an encode
 * worker: its bitmap is detached afterwards, so build a new image for each call.
 */
export type Encoder = (
  image: Image,
  format: ImageFormat,
  options?: EncodeOptions,
) => Promise<EncodedImage>;

/** The shared state of one server. */
export interface Services {
  /** The configuration. */
  readonly config: Config;
  /** Encoded images by key, bounded by `config.cacheBytes`. */
  readonly cache: ByteLruCache<EncodedImage>;
  /** The encoder routes use. */
  readonly encode: Encoder;
  /**
   * Encodes 8-bit gray, gray-alpha, RGB or RGBA bytes (a `uint8` array's data), 16-bit
   * samples (`bits: 16`, PNG) or a stack of frames (`frames`, with `timing`) and tags the
   * result; the expansion to RGBA happens in the encode worker, not on the event loop.
   * The bytes' buffer is moved to the worker when the view covers all of it, or with
   * `moveBuffer` (the caller gives up the whole buffer the view is part of).
   */
  readonly encodeChannels: (
    pixels: ChannelPixels,
    format: ImageFormat,
    options?: EncodeOptions & { moveBuffer?: boolean; timing?: AnimationTiming },
  ) => Promise<EncodedImage>;
  /** The request metrics of this isolate, on the board all isolates of the server share. */
  readonly metrics: RequestMetrics;
  /**
   * Maps an array for display (colormap, rescale or labels) and encodes it, both on an
   * encode worker; the array's buffer is moved there. Range errors come back as
   * `CodecError`s.
   */
  readonly encodeDisplay: (
    array: PixelArray,
    job: Omit<DisplayJob, "shape" | "dtype">,
    format: ImageFormat,
    options?: EncodeOptions,
  ) => Promise<EncodedImage>;
  /** The live streams. */
  readonly streams: StreamHub;
  /** The decode workers that read source images off the serving event loop. */
  readonly decoder: DecodePool;
  /** Bytes of bodies and pixels in flight, bounded by `config.maxInflightBytes`. */
  readonly inflight: InflightBytes;
  /** Requests being answered and responses being sent, bounded by `config.maxConnections`. */
  readonly open: OpenResponses;
  /** Ends the live streams and stops the encode and decode workers. */
  close(): void;
}

/**
 * What encodes pixels for the services: the encode pool by default, or anything with
 * its `encode` and `close` (a pool of another size, a test double).
 */
export interface PixelEncoder {
  /** Encodes RGBA pixels, or bytes of 1 to 4 channels, to the format's bytes. */
  encode(
    pixels: RgbaPixels | ChannelPixels,
    format: ImageFormat,
    options?: { quality?: number; moveBuffer?: boolean; display?: DisplayJob },
  ): Promise<Uint8Array<ArrayBuffer>>;
  /** Stops encoding; later calls are refused. */
  close(): void;
  /** Jobs waiting for a worker, for the metrics; 0 when not told. */
  readonly waiting?: number;
  /** Jobs encoding now, for the metrics; 0 when not told. */
  readonly running?: number;
  /** Workers alive, for the metrics; 0 when not told. */
  readonly workers?: number;
  /** Times a worker gave memory back after an idle spell, for the metrics; 0 when not told. */
  readonly released?: number;
}

/** Options of {@linkcode createServices}. */
export interface ServicesOptions {
  /** The encoder; default: an encode pool sized by `config.encodeWorkers` and `config.encodeQueue`. */
  pool?: PixelEncoder;
  /** Start the default pool's workers now and keep them (a server); else on demand. */
  warm?: boolean;
  /** The metrics buffer of the server and this isolate's index; default: a board of its own. */
  metricsShare?: MetricsShare;
  /** The live streams' link to the other serving isolates; default: none. */
  streamsLink?: HubLink;
}

/**
 * The services for a configuration.
 *
 * @param config The configuration.
 * @param options The encoder when not the default pool, or whether to start that pool warm.
 * @returns Config, an empty cache of `config.cacheBytes` and the pool-backed encoder.
 * @example
 * ```ts
 * import { createServices } from "./services.ts";
 * import { validateSettings } from "./config.ts";
 *
 * const services = createServices(validateSettings({}, () => Deno.cwd()));
 * services.close();
 * ```
 */
export function createServices(config: Config, options: ServicesOptions = {}): Services {
  const pool = options.pool ?? new EncodePool({
    size: config.encodeWorkers,
    queue: config.encodeQueue,
    backend: config.encoder,
    warm: options.warm,
    releaseIdleMs: config.memoryIdleSeconds * 1000,
  });
  const cache = new ByteLruCache<EncodedImage>(config.cacheBytes);
  const open = new OpenResponses(config.maxConnections);
  const streams = new StreamHub({
    maxStreams: config.maxStreams,
    maxViewers: config.maxViewers,
    idleSeconds: config.streamIdleSeconds,
    link: options.streamsLink,
  });
  const decoder = new DecodePool({
    size: config.encodeWorkers,
    queue: config.encodeQueue,
    warm: options.warm,
    releaseIdleMs: config.memoryIdleSeconds * 1000,
  });
  const metrics = new RequestMetrics(options.metricsShare, (board) => {
    board.set("cacheHits", cache.hits);
    board.set("cacheMisses", cache.misses);
    board.set("cacheBytes", cache.bytes);
    board.set("cacheEntries", cache.size);
    board.set("poolWaiting", pool.waiting ?? 0);
    board.set("poolRunning", pool.running ?? 0);
    board.set("poolWorkers", pool.workers ?? 0);
    board.set("openFileStreams", OPEN_FILE_STREAMS.count);
    board.set("streamViewers", streams.localViewers);
    board.set("openResponses", open.count);
    board.set("workersReleased", (pool.released ?? 0) + decoder.released);
  });
  return {
    config,
    cache,
    encode: async (image, format, encodeOptions = {}) =>
      await tagBytes(await pool.encode(pixelsOf(image), format, encodeOptions), format),
    encodeChannels: async (pixels, format, encodeOptions = {}) =>
      await tagBytes(await pool.encode(pixels, format, encodeOptions), format),
    encodeDisplay: async (array, job, format, encodeOptions = {}) => {
      const [height, width] = array.shape;
      const data = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
      const display = { ...job, shape: array.shape, dtype: array.dtype };
      const bytes = await pool.encode({ width, height, channels: 4, data }, format, {
        ...encodeOptions,
        moveBuffer: true,
        display,
      });
      return await tagBytes(bytes, format);
    },
    metrics,
    streams,
    decoder,
    inflight: new InflightBytes(config.maxInflightBytes),
    open,
    close: () => {
      streams.close();
      pool.close();
      decoder.close();
    },
  };
}
