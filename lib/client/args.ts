/**
 * The command line of `deno task fetch`, read into a checked {@linkcode FetchArgs}.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileExtension, formatFromExtension } from "../image/format.ts";
import type { DisplayFlags, StackFlags } from "./local_array.ts";

/** What `deno task fetch` was asked to do. */
export interface FetchArgs {
  /** The `http:` or `https:` URL to fetch. */
  readonly url: URL;
  /** `-o PATH`: the file to save as (any path), or a folder (`DIR/`) to save in. */
  readonly output?: string;
  /** `--range a-b`: the `Range` header value sent, e.g. `bytes=0-99`. */
  readonly range?: string;
  /** `-C`: resume the partial download already saved. */
  readonly resume: boolean;
  /** `--array`: the answer is an array (JSON or `.npy`) to rebuild as the `-o` image. */
  readonly array: boolean;
  /** `--data FILE`: a local array or image file to POST. */
  readonly data?: string;
  /** `--cmap`, `--vmin`, `--vmax`, `--background`: with `--array`, the display mapping. */
  readonly display: DisplayFlags;
  /** `--fps`, `--grid`, `--layout`, …: with `--array`, what a stack of frames becomes. */
  readonly stack: StackFlags;
}

/** `--array FILE` with a local file instead of a URL: render it here, no server. */
export interface LocalArrayArgs {
  /** The array file (`.npy`, `.npz` or JSON), relative to the working folder. */
  readonly file: string;
  /** `-o FILE`: the image to write; its extension picks the format. */
  readonly output: string;
  /** The display mapping. */
  readonly display: DisplayFlags;
  /** What a stack of frames becomes: an animation's timing, a grid, the layout. */
  readonly stack: StackFlags;
}

/**
 * A command line that cannot be run; the client prints it and the usage, and exits 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "./args.ts";
 *
 * const err = new UsageError("a URL is required");
 * console.log(err.message);
 * ```
 */
export class UsageError extends Error {
  /**
   * Creates a `UsageError`.
   *
   * @param message one line saying what is wrong
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The text printed for `--help` and after a usage error. */
export const USAGE = `Usage: deno task fetch <url> [options]

Fetches <url> and saves the body in the working folder under the name from
Content-Disposition, else the URL's last path segment.

Options:
  -o, --output PATH   save as PATH (any path); a folder (DIR/ or an existing one):
                      save in it under the name from Content-Disposition
  --range A-B         ask for bytes A-B only (also A-, and --range=-N for the last N);
                      prints the Content-Range received
  -C, --continue      resume a partial download of the same file (Range + If-Range)
  --array             the answer is an array (JSON, .npy or .npz): save it as the image -o names
  --data FILE         POST FILE (.npy, .npz, .json or an image) with its media type
  --cmap NAME         with --array: show a single-channel array through a matplotlib
                      colormap (as /render?cmap= does), or labels for integer masks
  --vmin V, --vmax V  with --array: the range, a number or pN (a percentile); without
                      --cmap, rescale every channel to 0-255
  --background COLOR  with --cmap labels: the colour of label 0 (#rrggbb[aa])
  --layout chw        with --array: the array is channel-first, (C, H, W) or (N, C, H, W)
  --frames            with --array: a 3-D array is a stack (N, H, W) of gray frames
  --fps N             with --array: a stack (N, H, W, C) saved as .gif, .png (APNG) or
                      .webp is an animation of N frames a second (0.1-1000, default 10)
  --duration MS       with --array: milliseconds per frame instead (1-65535)
  --loop N            with --array: times the animation plays, 0 forever (the default)
  --grid COLS         with --array: lay the stack out in one image, COLS frames a row
  --pad N             with --grid: pixels between and around frames (default 2)
  --pad-value V       with --grid: the padding's value in the array's units (default 0)
  --scale-each        with --array: stretch each frame from its own minimum to maximum
  --bits 8|16         with --array: bits per channel (16 in .png only; default 16 for
                      uint16 arrays as .png, else 8)
  --push NAME FILE    push the frames of FILE (.npy stack) to the live stream NAME
                      (--fps N, default 30)
  -h, --help          print this text
  -V, --version       print the client's version

With --array, <url> may be a local .npy, .npz or .json file: it is rendered here by
the same code as /render, e.g.
  deno task fetch --array depth.npy --cmap viridis --vmin p2 -o depth.png
  deno task fetch --array frames.npy --fps 5 -o frames.gif
`;

const OPTIONS = {
  output: { type: "string", short: "o" },
  range: { type: "string" },
  continue: { type: "boolean", short: "C" },
  array: { type: "boolean" },
  data: { type: "string" },
  cmap: { type: "string" },
  vmin: { type: "string" },
  vmax: { type: "string" },
  background: { type: "string" },
  layout: { type: "string" },
  frames: { type: "boolean" },
  fps: { type: "string" },
  duration: { type: "string" },
  loop: { type: "string" },
  grid: { type: "string" },
  pad: { type: "string" },
  "pad-value": { type: "string" },
  "scale-each": { type: "boolean" },
  bits: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

/**
 * Reads the command line.
 *
 * @param args The arguments after the script name.
 * @returns `"help"` or `"version"` when asked, the local render of `--array FILE`, else the
 *   checked arguments.
 * @throws {UsageError} An unknown option, a missing or bad URL, a malformed range,
 *   or options that do not go together.
 * @example
 * ```ts
 * import { readFetchArgs } from "./args.ts";
 *
 * readFetchArgs(["http://127.0.0.1:8000/image.png", "-o", "a.png"]);
 * // { url: URL("http://127.0.0.1:8000/image.png"), output: "a.png", resume: false, … }
 * ```
 */
export function readFetchArgs(
  args: readonly string[],
): FetchArgs | LocalArrayArgs | "help" | "version" {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  if (values.version) return "version";
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "a URL is required"
        : `one URL expected, got ${positionals.length}`,
    );
  }
  const display: DisplayFlags = {
    cmap: values.cmap,
    vmin: values.vmin,
    vmax: values.vmax,
    background: values.background,
  };
  const stack: StackFlags = {
    layout: values.layout,
    frames: values.frames,
    fps: values.fps,
    duration: values.duration,
    loop: values.loop,
    grid: values.grid,
    pad: values.pad,
    padValue: values["pad-value"],
    scaleEach: values["scale-each"],
    bits: values.bits,
  };
  const given = (flags: object) => Object.values(flags).some((v) => v !== undefined);
  if (given(display) && !values.array) {
    throw new UsageError(
      "--cmap, --vmin, --vmax and --background go with --array (for /render, put them in the URL)",
    );
  }
  if (given(stack) && !values.array) {
    throw new UsageError(
      "--layout, --frames, --fps, --duration, --loop, --grid, --pad, --pad-value, --scale-each " +
        "and --bits go with --array (for /render, put them in the URL)",
    );
  }
  if (values.array && !/^https?:/i.test(positionals[0])) {
    return localArrayArgs(positionals[0], values, display, stack);
  }
  const fetchArgs: FetchArgs = {
    display,
    stack,
    url: readUrl(positionals[0]),
    output: values.output,
    range: values.range === undefined ? undefined : rangeHeader(values.range),
    resume: values.continue ?? false,
    array: values.array ?? false,
    data: values.data,
  };
  checkCombination(fetchArgs);
  return fetchArgs;
}

/**
 * The `Range` header value for `--range`.
 *
 * @param spec `A-B`, `A-` (from A to the end) or `-N` (the last N bytes).
 * @returns `bytes=<spec>`.
 * @throws {UsageError} Anything else, or A greater than B.
 * @example
 * ```ts
 * import { rangeHeader } from "./args.ts";
 *
 * rangeHeader("0-99"); // "bytes=0-99"
 * ```
 */
export function rangeHeader(spec: string): string {
  const match = /^(?:(\d+)-(\d*)|-(\d+))$/.exec(spec);
  const first = match?.[1] === undefined ? undefined : Number(match[1]);
  const last = match?.[2] ? Number(match[2]) : undefined;
  const ok = match !== null && (first === undefined || last === undefined || first <= last) &&
    (match[3] === undefined || Number(match[3]) > 0);
  if (!ok) {
    throw new UsageError(
      `--range must be A-B (A <= B), A- or -N with N > 0, got ${JSON.stringify(spec)}`,
    );
  }
  return `bytes=${spec}`;
}

/** `--array FILE`: the checks of a local render. */
function localArrayArgs(
  file: string,
  values: { output?: string; range?: string; continue?: boolean; data?: string },
  display: DisplayFlags,
  stack: StackFlags,
): LocalArrayArgs {
  if (values.range !== undefined || values.continue || values.data !== undefined) {
    throw new UsageError("a local --array file goes with -o, display and stack flags only");
  }
  const extension = values.output?.match(/\.([^./\\]+)$/)?.[1];
  if (values.output === undefined || formatFromExtension(extension ?? "") === undefined) {
    throw new UsageError("--array needs -o with an image extension (.png, .jpg, .webp, .gif)");
  }
  return { file, output: values.output, display, stack };
}

function readUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`only http: and https: URLs are fetched, got ${url.protocol}`);
  }
  return url;
}

function checkCombination(args: FetchArgs): void {
  if (args.resume && args.range !== undefined) {
    throw new UsageError("-C and --range do not go together");
  }
  if (args.resume && (args.array || args.data !== undefined)) {
    throw new UsageError("-C resumes plain downloads; it does not go with --array or --data");
  }
  if (args.array && args.range !== undefined) {
    throw new UsageError("--array needs the whole answer; it does not go with --range");
  }
  if (args.array) {
    const extension = args.output === undefined ? undefined : fileExtension(args.output);
    if (extension === undefined || formatFromExtension(extension) === undefined) {
      throw new UsageError("--array needs -o with an image extension (.png, .jpg, .webp, .gif)");
    }
  }
}
