/**
 * The query parameters of `POST /render.{fmt}` beyond one 8-bit channel-last image —
 * `?bits=`, `?layout=chw`, stacks (`?frames`, 4-D arrays) as animations (`?fps=`,
 * `?duration=`, `?loop=`) or grids (`?grid=`, `?pad=`, `?pad_value=`), and `?scale_each` —
 * declared, and read into the settings `lib/image/array_plan.ts` plans with.
 *
 * @module
 */

import { ARRAY_LAYOUTS } from "../arrays/stack.ts";
import { flagParam } from "../http/params.ts";
import { parseStackText, type StackSettings } from "../image/array_plan.ts";
import type { QueryParam } from "../router.ts";

/** The query parameters {@linkcode stackParams} reads. */
export const DIMENSION_PARAMS: readonly QueryParam[] = [
  {
    name: "bits",
    type: "string",
    enum: ["8", "16"],
    description:
      "bits per channel; default 16 for a uint16 array as PNG, else 8 (PNG alone holds 16)",
  },
  {
    name: "layout",
    type: "string",
    enum: ARRAY_LAYOUTS,
    description: "hwc (channel-last, default) or chw: (C, H, W) and (N, C, H, W) as PyTorch writes",
  },
  {
    name: "frames",
    type: "boolean",
    description: "a 3-D array is a stack (N, H, W) of gray frames",
  },
  {
    name: "fps",
    type: "number",
    minimum: 0.1,
    maximum: 1000,
    description: "animations: frames per second (default 10)",
  },
  {
    name: "duration",
    type: "integer",
    minimum: 1,
    maximum: 65535,
    description: "animations: milliseconds per frame, instead of fps",
  },
  {
    name: "loop",
    type: "integer",
    minimum: 0,
    maximum: 65535,
    description: "animations: times played, 0 forever (default)",
  },
  {
    name: "grid",
    type: "integer",
    minimum: 1,
    description: "stacks: one image, this many frames per row (make_grid's nrow)",
  },
  {
    name: "pad",
    type: "integer",
    minimum: 0,
    maximum: 1000,
    description: "grids: pixels between and around frames (default 2)",
  },
  {
    name: "pad_value",
    type: "number",
    description: "grids: the padding's value in the array's units (default 0)",
  },
  {
    name: "scale_each",
    type: "boolean",
    description: "stacks: stretch each frame from its own minimum to maximum, not one range",
  },
];

/**
 * Reads the stack settings of a request's query.
 *
 * @param url The request URL.
 * @returns The settings `planRender` and `planDisplayStack` take.
 * @throws {BadRequest} `invalid_parameter` for a malformed `?frames` or `?scale_each` flag.
 * @throws {CodecError} malformed `invalid_parameter` (a 400) for the other parameters, as
 *   `parseStackText` says.
 * @example
 * ```ts
 * import { stackParams } from "./render_plan.ts";
 *
 * stackParams(new URL("http://x/render.gif?fps=5&loop=2")).timing;
 * // { delayNumerator: 1, delayDenominator: 5, loop: 2 }
 * ```
 */
export function stackParams(url: URL): StackSettings {
  const text = (name: string) => url.searchParams.get(name) ?? undefined;
  return parseStackText({
    layout: text("layout"),
    bits: text("bits"),
    frames: flagParam(url, "frames"),
    fps: text("fps"),
    duration: text("duration"),
    loop: text("loop"),
    grid: text("grid"),
    pad: text("pad"),
    padValue: text("pad_value"),
    scaleEach: flagParam(url, "scale_each"),
  });
}
