/**
 * `deno task fetch <url> [-o FILE] [--range A-B] [-C] [--array] [--data FILE]`, and
 * `deno task fetch --array FILE [--cmap NAME --vmin V --vmax V] [--fps N | --grid COLS …]
 * -o IMAGE` (rendered here):
 * the pixserve client. It talks HTTP only, saves answers in the working folder
 * (`INIT_CWD`, set by `deno task`, else the current folder) or where `-o` says, and
 * exits 0 on success, 1 when the request or the answer fails, 2 on bad usage.
 *
 * @module
 */

import { join } from "node:path";
import meta from "../../deno.json" with { type: "json" };
import {
  contentLength,
  errorLine,
  networkErrorLine,
  parseContentRange,
  rangeValidator,
  unsatisfiedSize,
} from "./answer.ts";
import { type FetchArgs, type LocalArrayArgs, readFetchArgs, USAGE, UsageError } from "./args.ts";
import {
  type DisplayFlags,
  displayOptions,
  type LocalRender,
  renderArrayFile,
  type RenderSettings,
  type StackFlags,
  stackSettings,
} from "./local_array.ts";
import { describeArray, NotAnImageArray } from "./array.ts";
import { describeImage, startsLikeImage } from "./image_info.ts";
import { chooseFilename, shownPath, userPath } from "./names.ts";
import { formatBytes, type ProgressSink, progressStream } from "./progress.ts";
import {
  DownloadInterrupted,
  existingSize,
  forgetValidator,
  keepValidator,
  keptValidator,
  saveBody,
  UnsafeTarget,
} from "./save.ts";
import { readDataFile } from "./upload.ts";
import { isPush, runPush } from "./push.ts";

/** What the client needs from its surroundings. */
export interface ClientIo {
  /** The absolute folder answers are saved in and `-o`/`--data` paths are relative to. */
  readonly workdir: string;
  /** Prints a line on standard output. */
  out(line: string): void;
  /** Prints a line on standard error. */
  err(line: string): void;
  /** Where the progress bar is drawn; absent when standard error is not a terminal. */
  readonly progress?: ProgressSink;
}

/** Exit status of a run: 0 done, 1 the request or answer failed, 2 bad usage. */
export type ExitCode = 0 | 1 | 2;

/** Largest saved image decoded to print its width×height. */
export const DESCRIBE_MAX_BYTES = 64 * 1024 * 1024;

/** Sent with every request: byte counts and ranges then refer to the bytes saved. */
const IDENTITY = { "accept-encoding": "identity" };

/**
 * Runs the client.
 *
 * @param argv The command-line arguments.
 * @param io The working folder and output streams.
 * @returns The exit status.
 * @example
 * ```ts
 * import { runFetch, terminalIo } from "./main.ts";
 *
 * const code = await runFetch(["--help"], terminalIo()); // prints the usage
 * console.log(code); // 0
 * ```
 */
export async function runFetch(argv: readonly string[], io: ClientIo): Promise<ExitCode> {
  if (isPush(argv)) return await runPush(argv, io);
  let args: FetchArgs;
  let output: string | undefined;
  let data: string | undefined;
  try {
    const read = readFetchArgs(argv);
    if (read === "help" || read === "version") {
      io.out(read === "help" ? USAGE : `pixserve-fetch ${meta.version}`);
      return 0;
    }
    if ("file" in read) return await renderLocal(read, io);
    args = read;
    output = args.output === undefined ? undefined : userPath(io.workdir, args.output, "-o");
    data = args.data === undefined ? undefined : userPath(io.workdir, args.data, "--data");
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`fetch: ${err.message}`);
    io.err(USAGE);
    return 2;
  }
  let folder = io.workdir;
  if (output !== undefined && await namesFolder(args.output ?? "", output)) {
    folder = output;
    output = undefined;
  }
  try {
    if (args.resume) return await resume(args.url, output, folder, io);
    const response = await send(args, data, io);
    if (response === undefined) return 1;
    return await receive(response, args, output, folder, io);
  } catch (err) {
    return reportFailure(err, args, io);
  }
}

/** Whether `-o` names a folder to save in: it ends with `/` or is an existing folder. */
async function namesFolder(given: string, path: string): Promise<boolean> {
  if (given.endsWith("/")) return true;
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

/** The request: GET, or POST of the `--data` file; `undefined` when that file cannot be read. */
async function send(
  args: FetchArgs,
  data: string | undefined,
  io: ClientIo,
): Promise<Response | undefined> {
  const headers = new Headers(IDENTITY);
  if (args.range !== undefined) headers.set("range", args.range);
  if (data === undefined) return await request(args.url, { headers });
  let body;
  try {
    body = await readDataFile(data);
  } catch (err) {
    io.err(`fetch: cannot read --data ${args.data}: ${fileErrorReason(err)}`);
    return undefined;
  }
  headers.set("content-type", body.contentType);
  io.out(
    `sent: ${shownPath(io.workdir, data)} (${body.contentType}, ${body.bytes.byteLength} bytes)`,
  );
  return await request(args.url, { method: "POST", headers, body: body.bytes });
}

/** Saves a fresh answer (no resume). */
async function receive(
  response: Response,
  args: FetchArgs,
  output: string | undefined,
  folder: string,
  io: ClientIo,
): Promise<ExitCode> {
  printStatus(response, io);
  if (!response.ok) return await failAnswer(response, io);
  if (args.range !== undefined) printRangeOutcome(response, io);
  if (args.array && output !== undefined) return await saveArray(response, args, output, io);
  const path = output ?? targetFor(response, folder);
  await refuseUnsafe(path, response);
  return await overwrite(response, path, io, response.status === 200 && args.data === undefined);
}

/**
 * Writes an answer over the file and checks its size against `Content-Length`.
 * When `resumable`, the answer's validator is kept beside the file until it is
 * complete, so that `-C` can finish it after an interruption.
 */
async function overwrite(
  response: Response,
  path: string,
  io: ClientIo,
  resumable: boolean,
): Promise<ExitCode> {
  const validator = resumable ? rangeValidator(response.headers) : undefined;
  if (validator !== undefined) await keepValidator(path, validator);
  else await forgetValidator(path);
  const expected = contentLength(response.headers);
  const written = await saveBody(body(response, io, expected), path);
  if (expected !== undefined && written !== expected) {
    return sizeMismatch(path, written, expected, io);
  }
  await forgetValidator(path);
  return await printSaved(path, response, response.status === 200, io);
}

/** `--array`: renders the array answer as `-o` names it and saves the image. */
async function saveArray(
  response: Response,
  args: FetchArgs,
  path: string,
  io: ClientIo,
): Promise<ExitCode> {
  await refuseUnsafe(path, response);
  const settings = renderSettings(args.display, args.stack);
  const received = body(response, io, contentLength(response.headers));
  const bytes = new Uint8Array(await new Response(received).arrayBuffer());
  const type = response.headers.get("content-type");
  const source = `the answer (${type?.split(";")[0].trim() || "no Content-Type"})`;
  const rendered = await renderArrayFile(bytes, type, path, settings, source);
  await Deno.writeFile(path, rendered.encoded);
  printRender(rendered, path, io);
  return 0;
}

/** `--array FILE`: renders a local array file here and saves the image `-o` names. */
async function renderLocal(args: LocalArrayArgs, io: ClientIo): Promise<ExitCode> {
  const file = userPath(io.workdir, args.file, "--array");
  const path = userPath(io.workdir, args.output, "-o");
  try {
    const settings = renderSettings(args.display, args.stack);
    const bytes = await Deno.readFile(file);
    const source = shownPath(io.workdir, file);
    const rendered = await renderArrayFile(bytes, null, path, settings, source);
    await Deno.writeFile(path, rendered.encoded);
    printRender(rendered, path, io);
    return 0;
  } catch (err) {
    if (err instanceof NotAnImageArray) {
      io.err(`fetch: ${err.message}`);
      return 1;
    }
    if (isSystemError(err)) {
      io.err(`fetch: ${fileErrorReason(err)}`);
      return 1;
    }
    throw err;
  }
}

/** The display and stack flags, read by the server's readers. */
function renderSettings(display: DisplayFlags, stack: StackFlags): RenderSettings {
  return { display: displayOptions(display), stack: stackSettings(stack) };
}

/** What was rendered: the array, the range, the size, the image and its frames, the path. */
function printRender(rendered: LocalRender, path: string, io: ClientIo): void {
  const { array, range, encoded, width, height, format, frames, timing } = rendered;
  io.out(`array: ${describeArray(array)}`);
  if (range !== undefined) io.out(`range: vmin ${range.vmin}, vmax ${range.vmax}`);
  io.out(`size: ${encoded.byteLength} bytes (${formatBytes(encoded.byteLength)})`);
  io.out(`image: ${width}×${height} ${format}`);
  if (frames !== undefined && timing !== undefined) {
    const ms = Number((1000 * timing.delayNumerator / timing.delayDenominator).toFixed(3));
    const plays = timing.loop === 0
      ? "looping forever"
      : `played ${timing.loop} time${timing.loop === 1 ? "" : "s"}`;
    io.out(`frames: ${frames}, ${ms} ms each, ${plays}`);
  }
  io.out(`saved: ${shownPath(io.workdir, path)}`);
}

/** `-C`: completes the file a previous download left, or downloads it whole. */
async function resume(
  url: URL,
  output: string | undefined,
  folder: string,
  io: ClientIo,
): Promise<ExitCode> {
  const head = await request(url, { method: "HEAD", headers: IDENTITY });
  const path = output ?? targetFor(head, folder);
  const have = await existingSize(path);
  const validator = await keptValidator(path) ??
    (head.ok ? rangeValidator(head.headers) : undefined);
  if (have > 0 && validator === undefined) {
    io.err("fetch: no ETag or Last-Modified to check the partial file against; fetching it whole");
  }
  if (have === 0 || validator === undefined) {
    return await receive(
      await request(url, { headers: IDENTITY }),
      plainGet(url),
      path,
      folder,
      io,
    );
  }
  const response = await request(url, {
    headers: { ...IDENTITY, range: `bytes=${have}-`, "if-range": validator },
  });
  printStatus(response, io);
  if (response.status === 416) return await alreadyComplete(response, path, have, io);
  if (!response.ok) return await failAnswer(response, io);
  if (response.status === 200) {
    io.out("note: the file changed on the server since the partial download; fetching it whole");
    return await overwrite(response, path, io, true);
  }
  return await append(response, path, have, io);
}

/** Appends a 206 answer to the partial file and checks the total size. */
async function append(
  response: Response,
  path: string,
  have: number,
  io: ClientIo,
): Promise<ExitCode> {
  const range = parseContentRange(response.headers.get("content-range"));
  io.out(`content-range: ${response.headers.get("content-range") ?? "(none)"}`);
  if (response.status !== 206 || range === undefined || range.start !== have) {
    await response.body?.cancel();
    io.err(`fetch: the server did not resume at byte ${have}; ${shownPath(io.workdir, path)} kept`);
    return 1;
  }
  const written = await saveBody(body(response, io, range.total, have), path, { append: true });
  const size = have + written;
  if (range.total !== undefined && size !== range.total) {
    return sizeMismatch(path, size, range.total, io);
  }
  await forgetValidator(path);
  return await printSaved(path, response, true, io, size);
}

/** A 416 to `bytes=<have>-`: complete when the server's size is the size on disk. */
async function alreadyComplete(
  response: Response,
  path: string,
  have: number,
  io: ClientIo,
): Promise<ExitCode> {
  const total = unsatisfiedSize(response.headers.get("content-range"));
  if (total !== have) return await failAnswer(response, io);
  await response.body?.cancel();
  await forgetValidator(path);
  io.out(`note: ${shownPath(io.workdir, path)} is already complete`);
  return await printSaved(path, response, true, io, have);
}

async function request(url: URL, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    throw new RequestFailed(url, err);
  }
}

/** `fetch` threw: no answer came. */
class RequestFailed extends Error {
  constructor(url: URL, cause: unknown) {
    super(networkErrorLine(url, cause), { cause });
  }
}

function plainGet(url: URL): FetchArgs {
  return { url, resume: false, array: false, display: {}, stack: {} };
}

function targetFor(response: Response, workdir: string): string {
  const name = chooseFilename(
    response.headers.get("content-disposition"),
    new URL(response.url),
    response.headers.get("content-type"),
  );
  return join(workdir, name);
}

/** Checks the target before anything is written, dropping the body when it is refused. */
async function refuseUnsafe(path: string, response: Response): Promise<void> {
  try {
    await existingSize(path);
  } catch (err) {
    await response.body?.cancel();
    throw err;
  }
}

function body(
  response: Response,
  io: ClientIo,
  total: number | undefined,
  offset = 0,
): ReadableStream<Uint8Array> {
  const stream = response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  return io.progress === undefined
    ? stream
    : stream.pipeThrough(progressStream(total, io.progress, offset));
}

function printStatus(response: Response, io: ClientIo): void {
  io.out(`status: ${response.status} ${response.statusText}`.trimEnd());
  io.out(`content-type: ${response.headers.get("content-type") ?? "(none)"}`);
}

function printRangeOutcome(response: Response, io: ClientIo): void {
  if (response.status === 206) {
    io.out(`content-range: ${response.headers.get("content-range") ?? "(none)"}`);
  } else {
    io.out("note: the server ignored the range and sent the whole body");
  }
}

async function failAnswer(response: Response, io: ClientIo): Promise<ExitCode> {
  io.err(errorLine(response.status, response.statusText, await response.text()));
  return 1;
}

function sizeMismatch(path: string, size: number, expected: number, io: ClientIo): ExitCode {
  io.err(
    `fetch: size mismatch: ${shownPath(io.workdir, path)} has ${size} bytes, ` +
      `the server announced ${expected}`,
  );
  return 1;
}

async function printSaved(
  path: string,
  response: Response,
  whole: boolean,
  io: ClientIo,
  size?: number,
): Promise<ExitCode> {
  const bytes = size ?? await existingSize(path);
  io.out(`size: ${bytes} bytes (${formatBytes(bytes)})`);
  const labelled = response.headers.get("content-type")?.startsWith("image/") ?? false;
  if (whole && bytes <= DESCRIBE_MAX_BYTES && (labelled || await startsLikeImage(path))) {
    const info = await describeImage(await Deno.readFile(path));
    io.out(
      info === undefined
        ? "image: does not decode"
        : `image: ${info.width}×${info.height} ${info.format}` +
          (info.decoded ? "" : " (size from the header)"),
    );
  }
  io.out(`saved: ${shownPath(io.workdir, path)}`);
  return 0;
}

function reportFailure(err: unknown, args: FetchArgs, io: ClientIo): ExitCode {
  if (err instanceof RequestFailed) {
    io.err(err.message);
    return 1;
  }
  if (err instanceof UnsafeTarget || err instanceof NotAnImageArray) {
    io.err(`fetch: ${err.message}`);
    return 1;
  }
  if (err instanceof DownloadInterrupted) {
    if (io.progress !== undefined) io.progress.write("\n");
    const hint = args.range === undefined && args.data === undefined && !args.array
      ? "; run again with -C to resume"
      : "";
    io.err(`fetch: ${err.message}${hint}`);
    return 1;
  }
  if (isSystemError(err)) {
    io.err(`fetch: ${fileErrorReason(err)}`);
    return 1;
  }
  throw err;
}

/** A failure of the file system or of a permission, as opposed to a fault of the client. */
function isSystemError(err: unknown): err is Error {
  return err instanceof Error &&
    (Object.values(Deno.errors).some((kind) => err instanceof kind) ||
      /\(os error \d+\)/.test(err.message));
}

function fileErrorReason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The process's surroundings: the working folder from `INIT_CWD` (what
 * `deno task` sets to the folder it was run from) else the current folder, and
 * a progress bar when standard error is a terminal.
 *
 * @returns The I/O of a command-line run.
 * @example
 * ```ts
 * import { terminalIo } from "./main.ts";
 *
 * const io = terminalIo();
 * io.out("saved sample.png"); // a line on standard output
 * ```
 */
export function terminalIo(): ClientIo {
  const encoder = new TextEncoder();
  return {
    workdir: Deno.env.get("INIT_CWD") ?? Deno.cwd(),
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    progress: Deno.stderr.isTerminal()
      ? { write: (text) => Deno.stderr.writeSync(encoder.encode(text)) }
      : undefined,
  };
}

if (import.meta.main) Deno.exit(await runFetch(Deno.args, terminalIo()));
