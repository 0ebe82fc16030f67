/**
 * The codecs that write JPEG and many-coloured GIF, chosen at start-up.
 *
 * @module
 */

/**
 * `native`: libjpeg-turbo for JPEG (the build inside `@julusian/jpeg-turbo`'s npm package)
 * and libimagequant through sharp (libvips) for many-coloured GIF; `imagescript`:
 * ImageScript's WebAssembly codecs, no native code.
 */
export type EncoderBackend = "native" | "imagescript";

/** Every backend, the default first. */
export const ENCODER_BACKENDS: readonly EncoderBackend[] = ["native", "imagescript"];
