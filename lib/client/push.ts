/**
 * `deno task fetch --push NAME frames.npy [--fps 30]`: pushes a stack of frames saved by
 * NumPy, one `PUT /streams/NAME` per frame at the given rate, for browsers to watch at
 * `/streams/NAME.mjpg`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { encodeNpy, parseNpy } from "../arrays/npy.ts";
import { formatShape, type PixelArray } from "../arrays/types.ts";
import { UsageError } from "./args.ts";
import { userPath } from "./names.ts";

/** What `--push` was asked to do. */
export interface PushArgs {
  /** `PUT` target: `NAME` on `http://127.0.0.1:8000`, or a whole `…/streams/NAME` URL. */
  readonly target: URL;
  /** The `.npy` file, relative to the working folder. */
  readonly file: string;
  /** Frames per second. */
  readonly fps: number;
}

/** The text printed after a usage error of `--push`. */
const PUSH_USAGE = `Usage: deno task fetch --push NAME FRAMES.npy [--fps 30]

Pushes each frame of FRAMES.npy to the live stream NAME (PUT /streams/NAME), at --fps
frames per second; watch it at /streams/NAME.mjpg. NAME is a stream name on
http://127.0.0.1:8000, or a whole URL such as http://host:8000/streams/cam.
A stack is N×H×W (gray), N×H×W×3 (RGB) or N×H×W×4 (RGBA); H×W and H×W×3|4 are one frame.
`;

/** The server `--push NAME` talks to when NAME is not a URL. */
const DEFAULT_SERVER = "http://127.0.0.1:8000";

/**
 * Whether a command line asks for `--push`.
 *
 * @param args The client's arguments.
 * @returns `true` when `--push` is among them.
 * @example
 * isPush(["--push", "cam", "frames.npy"]); // true
 */
export function isPush(args: readonly string[]): boolean {
  return args.some((arg) => arg === "--push" || arg.startsWith("--push="));
}

/**
 * Reads a `--push` command line.
 *
 * @param args The client's arguments.
 * @returns The checked arguments.
 * @throws {UsageError} A missing file, a bad name or URL, a bad `--fps`.
 * @example
 * readPushArgs(["--push", "cam", "frames.npy", "--fps", "10"]).target.href;
 * // "http://127.0.0.1:8000/streams/cam"
 */
export function readPushArgs(args: readonly string[]): PushArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { push: { type: "string" }, fps: { type: "string" } },
      allowPositionals: true,
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    throw new UsageError(`--push takes one frames file, got ${positionals.length}`);
  }
  const fps = Number(values.fps ?? "30");
  if (!(fps > 0 && fps <= 1000)) {
    throw new UsageError(`--fps must be a number above 0 and at most 1000, got ${values.fps}`);
  }
  return { target: pushTarget(values.push ?? ""), file: positionals[0], fps };
}

function pushTarget(raw: string): URL {
  if (/^[A-Za-z0-9_-]{1,64}$/.test(raw)) return new URL(`/streams/${raw}`, DEFAULT_SERVER);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `--push takes a stream name (1 to 64 of A-Z, a-z, 0-9, _, -) or a URL, got ${
        JSON.stringify(raw)
      }`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`only http: and https: URLs are pushed to, got ${url.protocol}`);
  }
  return url;
}

/**
 * The frames of an array: the first axis of a stack, or the array itself when it is one
 * frame (H×W, or H×W×3|4).
 *
 * @param array The array read from the file.
 * @returns Each frame, a view of the array's data.
 * @throws {UsageError} A shape that is neither.
 * @example
 * stackFrames({ shape: [2, 1, 1], dtype: "uint8", data: new Uint8Array([1, 2]) }).length; // 2
 */
export function stackFrames(array: PixelArray): PixelArray[] {
  const { shape, dtype, data } = array;
  const single = shape.length === 2 || (shape.length === 3 && (shape[2] === 3 || shape[2] === 4));
  if (single) return [array];
  if (shape.length !== 3 && shape.length !== 4) {
    throw new UsageError(
      `frames must be N×H×W, N×H×W×3 or N×H×W×4 (or one H×W(×C) frame), got ${formatShape(shape)}`,
    );
  }
  const [count, ...frameShape] = shape;
  const size = data.length / count;
  return Array.from({ length: count }, (_, k) => ({
    shape: frameShape,
    dtype,
    data: data.subarray(k * size, (k + 1) * size),
  } as PixelArray));
}

/** Where `--push` reads and prints. */
export interface PushIo {
  /** The absolute folder the frames' file is relative to. */
  readonly workdir: string;
  /** Prints a line on standard output. */
  out(line: string): void;
  /** Prints a line on standard error. */
  err(line: string): void;
}

/**
 * Pushes every frame, one `PUT` each, on a fixed schedule; stops at the first refusal.
 *
 * @param args Target, rate and the frames' file (already resolved inside the working folder).
 * @param bytes The file's bytes.
 * @param io Where to print.
 * @returns 0 when every frame was taken, 1 otherwise.
 * @example
 * const code = await pushFrames(args, await Deno.readFile(args.file), io);
 */
async function pushFrames(
  args: PushArgs,
  bytes: Uint8Array,
  io: PushIo,
): Promise<0 | 1> {
  let frames: PixelArray[];
  try {
    frames = stackFrames(parseNpy(bytes));
  } catch (err) {
    io.err(`fetch: ${args.file}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  const start = performance.now();
  for (const [k, frame] of frames.entries()) {
    const wait = start + (k * 1000) / args.fps - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const response = await fetch(args.target, {
      method: "PUT",
      body: encodeNpy(frame),
      headers: { "content-type": "application/x-npy" },
    });
    const text = await response.text();
    if (response.status !== 204) {
      io.err(`fetch: frame ${k + 1} of ${frames.length}: ${response.status} ${text}`);
      return 1;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  io.out(
    `pushed ${frames.length} frames to ${args.target.href} in ${seconds.toFixed(1)} s; ` +
      `watch ${args.target.href}.mjpg`,
  );
  return 0;
}

/**
 * Runs `deno task fetch --push …`.
 *
 * @param argv The client's arguments.
 * @param io The working folder and where to print.
 * @returns 0 done, 1 a frame refused or the file unreadable, 2 bad usage.
 * @example
 * const code = await runPush(["--push", "cam", "frames.npy"], io);
 */
export async function runPush(argv: readonly string[], io: PushIo): Promise<0 | 1 | 2> {
  let args: PushArgs;
  let path: string;
  try {
    args = readPushArgs(argv);
    path = userPath(io.workdir, args.file, "--push");
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`fetch: ${err.message}`);
    io.err(PUSH_USAGE);
    return 2;
  }
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    io.err(`fetch: cannot read ${args.file}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  try {
    return await pushFrames(args, bytes, io);
  } catch (err) {
    io.err(`fetch: ${args.target.href}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
