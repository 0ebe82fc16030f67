/**
 * `deno task fetch --array depth.npy --cmap viridis --vmin p2 -o depth.png`: an array
 * file rendered here, without a server, by the same code `/render` runs: the same parsing
 * (`.npy`, `.npz`, JSON), the same display mapping (`lib/arrays/display.ts`, checked by
 * the same parameter reader) and the same encoders.
 *
 * @module
 */

import { parseArrayBody } from "../arrays/parse.ts";
import {
  checkDisplay,
  type DisplayOptions,
  displayRange,
  LABELS,
  wantsDisplay,
} from "../arrays/display.ts";
import type { PixelArray } from "../arrays/types.ts";
import { CodecError } from "../codec_error.ts";
import { type DisplayText, parseDisplayText } from "../arrays/display_text.ts";
import { encodeDisplay } from "../image/display_job.ts";
import type { ImageFormat } from "../image/format.ts";
import { encodeArrayAnswer, NotAnImageArray, outputFormat } from "./array.ts";

/** `--cmap`, `--vmin`, `--vmax` and `--background`, as given. */
export type DisplayFlags = DisplayText;

/**
 * Reads the display flags with the server's own parameter reader.
 *
 * @param flags The flags as given.
 * @returns The options (empty when no flag is given).
 * @throws {NotAnImageArray} With the server's sentence for an unknown colormap or a
 *   malformed limit or colour.
 * @example
 * displayOptions({ cmap: "viridis", vmin: "p2" }); // { cmap: "viridis", vmin: { percentile: 2 } }
 */
export function displayOptions(flags: DisplayFlags): DisplayOptions {
  try {
    return parseDisplayText(flags);
  } catch (err) {
    if (err instanceof CodecError) throw new NotAnImageArray(err.message);
    throw err;
  }
}

/** An array file made into an image here. */
export interface LocalRender {
  /** The array as the file held it. */
  readonly array: PixelArray;
  /** The format written. */
  readonly format: ImageFormat;
  /** The image file's bytes. */
  readonly encoded: Uint8Array<ArrayBuffer>;
  /** The range the colormap or rescale spanned, when one applied. */
  readonly range?: { readonly vmin: number; readonly vmax: number };
}

/**
 * Renders array bytes (`.npy`, `.npz` or a JSON nested list) as the image `path` names:
 * with the display mapping when one is asked, else with the default mapping.
 *
 * @param bytes The array file.
 * @param contentType Its media type, when known (a server's answer); `null` to sniff.
 * @param path The output path; its extension picks the format.
 * @param options The display mapping.
 * @returns The array, the range used and the encoded image.
 * @throws {NotAnImageArray} For bytes that are not an array, or an array these options
 *   cannot show, with the sentence the server would answer.
 * @example
 * const { encoded } = await renderArrayFile(await Deno.readFile("depth.npy"), null, "depth.png",
 *   { cmap: "viridis", vmin: { percentile: 2 } });
 */
export async function renderArrayFile(
  bytes: Uint8Array<ArrayBuffer>,
  contentType: string | null,
  path: string,
  options: DisplayOptions,
): Promise<LocalRender> {
  if (!wantsDisplay(options)) {
    const { array, format, encoded } = await encodeArrayAnswer(bytes, contentType, path);
    return { array, format, encoded };
  }
  const format = outputFormat(path);
  try {
    const type = contentType?.split(";")[0].trim().toLowerCase();
    const array = parseArrayBody(bytes, type === "application/json" ? "json" : sniffKind(bytes));
    checkDisplay(array.shape, array.dtype, options);
    const range = options.cmap === LABELS ? undefined : displayRange([array], options);
    const data = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
    const job = { shape: array.shape, dtype: array.dtype, options, order: "rgb" as const };
    const encoded = await encodeDisplay(data, job, format, { backend: "imagescript" });
    return { array, format, encoded, range };
  } catch (err) {
    if (err instanceof CodecError) {
      throw new NotAnImageArray(err.message);
    }
    throw err;
  }
}

/** JSON when the bytes start like a list, else an octet stream (`.npy` or `.npz`, sniffed). */
function sniffKind(bytes: Uint8Array): "json" | "octet-stream" {
  const start = new TextDecoder().decode(bytes.subarray(0, 16)).replace(/^\uFEFF/, "").trimStart();
  return start.startsWith("[") ? "json" : "octet-stream";
}
