/**
 * What the routes share: the configuration, the encoded-image cache and the encoder,
 * which encodes on a bounded pool of worker isolates so that no encode stalls the
 * event loop that serves other requests.
 *
 * @module
 */

import type { Image } from "imagescript";
import type { Config } from "./config.ts";
import { ByteLruCache } from "./image/cache.ts";
import { type ChannelPixels, type EncodeOptions, pixelsOf } from "./image/encode.ts";
import type { ImageFormat } from "./image/format.ts";
import { EncodePool } from "./image/pool.ts";
import { DecodePool } from "./image/decode_pool.ts";
import { InflightBytes } from "./inflight.ts";
import { type EncodedImage, tagBytes } from "./responses.ts";

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
   * Encodes 8-bit gray, gray-alpha, RGB or RGBA bytes (a `uint8` array's data) and tags
   * the result; the expansion to RGBA happens in the encode worker, not on the event loop.
   * The bytes' buffer is moved to the worker when the view covers all of it, or with
   * `moveBuffer` (the caller gives up the whole buffer the view is part of).
   */
  readonly encodeChannels: (
    pixels: ChannelPixels,
    format: ImageFormat,
    options?: EncodeOptions & { moveBuffer?: boolean },
  ) => Promise<EncodedImage>;
  /** The encode workers behind {@linkcode Services.encode}. */
  readonly pool: EncodePool;
  /** The decode workers that read source images off the serving event loop. */
  readonly decoder: DecodePool;
  /** Bytes of bodies and pixels in flight, bounded by `config.maxInflightBytes`. */
  readonly inflight: InflightBytes;
  /** Stops the encode workers. */
  close(): void;
}

/** Options of {@linkcode createServices}. */
export interface ServicesOptions {
  /** The encode pool; default: one sized by `config.encodeWorkers` and `config.encodeQueue`. */
  pool?: EncodePool;
  /** Start the default pool's workers now and keep them (a server); else on demand. */
  warm?: boolean;
}

/**
 * The services for a configuration.
 *
 * @param config The configuration.
 * @param options The encode pool when not the default, or whether to start it warm.
 * @returns Config, an empty cache of `config.cacheBytes` and the pool-backed encoder.
 * @example
 * const services = createServices(config);
 */
export function createServices(config: Config, options: ServicesOptions = {}): Services {
  const pool = options.pool ?? new EncodePool({
    size: config.encodeWorkers,
    queue: config.encodeQueue,
    backend: config.encoder,
    warm: options.warm,
  });
  const decoder = new DecodePool({
    size: config.encodeWorkers,
    queue: config.encodeQueue,
    warm: options.warm,
  });
  return {
    config,
    cache: new ByteLruCache(config.cacheBytes),
    encode: async (image, format, encodeOptions = {}) =>
      await tagBytes(await pool.encode(pixelsOf(image), format, encodeOptions), format),
    encodeChannels: async (pixels, format, encodeOptions = {}) =>
      await tagBytes(await pool.encode(pixels, format, encodeOptions), format),
    pool,
    decoder,
    inflight: new InflightBytes(config.maxInflightBytes),
    close: () => {
      pool.close();
      decoder.close();
    },
  };
}
