/**
 * `deno task fetch --array depth.npy --cmap viridis --vmin p2 -o depth.png` and
 * `deno task fetch --array frames.npy --fps 5 -o frames.gif`: an array (a file, or an array
 * answer) rendered here, without a server, by the same code `/render` runs: the same parsing
 * (`.npy`, `.npz`, JSON), the same settings readers (`lib/arrays/display_text.ts`,
 * `lib/image/array_plan.ts`), the same plan for layouts, stacks, grids and animations, the
 * same display mapping (`lib/arrays/display.ts`) and the same encoders.
 *
 * @module
 */

import {
  checkDisplay,
  type DisplayOptions,
  type DisplayRange,
  displayRange,
  LABELS,
  wantsDisplay,
} from "../arrays/display.ts";
import { type DisplayText, parseDisplayText } from "../arrays/display_text.ts";
import type { PixelArray } from "../arrays/types.ts";
import { CodecError } from "../codec_error.ts";
import { type AnimationTiming, encodeChannelPixels } from "../image/animate.ts";
import {
  parseStackText,
  planDisplayStack,
  planRender,
  type RenderPlan,
  type RenderPlanOptions,
  type StackSettings,
  type StackText,
} from "../image/array_plan.ts";
import { encodeDisplay } from "../image/display_job.ts";
import type { EncodeOptions } from "../image/encode.ts";
import type { ImageFormat } from "../image/format.ts";
import { NotAnImageArray, outputFormat, readArray } from "./array.ts";

/** `--cmap`, `--vmin`, `--vmax` and `--background`, as given. */
export type DisplayFlags = DisplayText;

/**
 * `--layout`, `--frames`, `--fps`, `--duration`, `--loop`, `--grid`, `--pad`, `--pad-value`,
 * `--scale-each` and `--bits`, as given.
 */
export type StackFlags = StackText;

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
  return withSentence(() => parseDisplayText(flags));
}

/**
 * Reads the stack flags with the server's own settings reader.
 *
 * @param flags The flags as given.
 * @returns The settings.
 * @throws {NotAnImageArray} With the server's sentence for a value out of range, e.g.
 *   `grid must be an integer from 1 to 9007199254740991, got "0"`.
 * @example
 * stackSettings({ fps: "5", loop: "2" }).timing; // { delayNumerator: 1, delayDenominator: 5, loop: 2 }
 */
export function stackSettings(flags: StackFlags): StackSettings {
  return withSentence(() => parseStackText(flags));
}

/** How an array is shown: the display mapping and the stack settings, read. */
export interface RenderSettings {
  /** The display mapping; empty for the default mapping. */
  readonly display: DisplayOptions;
  /** Layout, frames, grid and animation timing. */
  readonly stack: StackSettings;
}

/** An array made into an image here. */
export interface LocalRender {
  /** The array as the file held it. */
  readonly array: PixelArray;
  /** The format written. */
  readonly format: ImageFormat;
  /** The image file's bytes. */
  readonly encoded: Uint8Array<ArrayBuffer>;
  /** Columns of the image (of each frame). */
  readonly width: number;
  /** Rows of the image (of each frame). */
  readonly height: number;
  /** Frames of an animation; absent for one image. */
  readonly frames?: number;
  /** The animation's frame delay and loop count. */
  readonly timing?: AnimationTiming;
  /** The range the colormap or rescale spanned, when one range applied. */
  readonly range?: DisplayRange;
}

/** No limits here but the machine's: the server's are for many users at once. */
const LOCAL_PLAN: RenderPlanOptions = {
  order: "rgb",
  clip: false,
  maxPixels: Number.MAX_SAFE_INTEGER,
  maxFrames: Number.MAX_SAFE_INTEGER,
};

/** ImageScript writes JPEG and many-coloured still GIFs; sharp only what nothing else can. */
const LOCAL_ENCODING: EncodeOptions = { backend: "imagescript" };

/**
 * Renders array bytes (`.npy`, `.npz` or a JSON nested list) as the image `path` names,
 * as `POST /render` would: one image, a grid, or an animation of a stack's frames, with the
 * display mapping when one is asked, else with the default mapping.
 *
 * @param bytes The array file or answer.
 * @param contentType Its media type, when known (a server's answer); `null` to sniff.
 * @param path The output path; its extension picks the format.
 * @param settings The display mapping and stack settings.
 * @param source What the bytes are, for the message when they are no array.
 * @returns The array, what was drawn and the encoded image.
 * @throws {NotAnImageArray} For bytes that are not an array, or an array these settings
 *   cannot show, with the sentence the server would answer.
 * @example
 * const { encoded } = await renderArrayFile(await Deno.readFile("frames.npy"), null,
 *   "frames.gif", { display: {}, stack: stackSettings({ fps: "5" }) }, "frames.npy");
 */
export async function renderArrayFile(
  bytes: Uint8Array,
  contentType: string | null,
  path: string,
  settings: RenderSettings,
  source: string,
): Promise<LocalRender> {
  const format = outputFormat(path);
  return await withSentenceAsync(async () => {
    const array = readArray(bytes, contentType, source);
    return { array, format, ...await renderArray(array, format, settings) };
  });
}

type Drawn = Omit<LocalRender, "array" | "format">;

async function renderArray(
  array: PixelArray,
  format: ImageFormat,
  settings: RenderSettings,
): Promise<Drawn> {
  const { display, stack } = settings;
  if (!wantsDisplay(display)) {
    return await encodePlan(planRender(array, format, stack, LOCAL_PLAN), format);
  }
  const shown = planDisplayStack(array, display, stack, LOCAL_PLAN);
  if (shown.mapped !== undefined) {
    const plan = planRender(shown.mapped, format, shown.settings, LOCAL_PLAN);
    return { ...await encodePlan(plan, format), range: shown.range };
  }
  const { shape, dtype, data } = shown.single;
  const { width, height } = checkDisplay(shape, dtype, display);
  const range = display.cmap === LABELS ? undefined : displayRange([shown.single], display);
  const elements = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const job = { shape, dtype, options: display, order: "rgb" as const };
  const encoded = await encodeDisplay(elements, job, format, LOCAL_ENCODING);
  return { encoded, width, height, range };
}

/** Encodes what {@linkcode planRender} planned. */
async function encodePlan(plan: RenderPlan, format: ImageFormat): Promise<Drawn> {
  const { width, height, frames } = plan.pixels;
  const encoded = await encodeChannelPixels(plan.pixels, format, {
    ...LOCAL_ENCODING,
    timing: plan.timing,
  });
  return { encoded, width, height, frames, timing: plan.timing };
}

/** Runs a step, its codec error as the sentence the client prints. */
function withSentence<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof CodecError) throw new NotAnImageArray(err.message);
    throw err;
  }
}

/** {@linkcode withSentence} of an asynchronous step. */
async function withSentenceAsync<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof CodecError) throw new NotAnImageArray(err.message);
    throw err;
  }
}
