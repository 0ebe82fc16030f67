/**
 * The codecs that write JPEG and many-coloured GIF, chosen at start-up.
 *
 * @module
 */

/** `sharp`: libvips (libjpeg-turbo, libimagequant), native; `imagescript`: WebAssembly. */
export type EncoderBackend = "sharp" | "imagescript";

/** Every backend, the default first. */
export const ENCODER_BACKENDS: readonly EncoderBackend[] = ["sharp", "imagescript"];
