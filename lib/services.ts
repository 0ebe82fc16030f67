/**
 * What the routes share: the configuration, the encoded-image cache and the encoder.
 *
 * @module
 */

import type { Image } from "imagescript";
import type { Config } from "./config.ts";
import { ByteLruCache } from "./image/cache.ts";
import type { EncodeOptions } from "./image/encode.ts";
import type { ImageFormat } from "./image/format.ts";
import { type EncodedImage, encodeImage } from "./responses.ts";

/** Encodes an image and tags the bytes. */
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
}

/**
 * The services for a configuration.
 *
 * @param config The configuration.
 * @returns Config, an empty cache of `config.cacheBytes` and the default encoder.
 * @example
 * const services = createServices(config);
 */
export function createServices(config: Config): Services {
  return {
    config,
    cache: new ByteLruCache(config.cacheBytes),
    encode: encodeImage,
  };
}
