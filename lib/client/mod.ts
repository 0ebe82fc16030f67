/**
 * The pixserve client as a library: what `deno task fetch` runs, callable
 * with your own arguments and output. It talks HTTP only and imports no
 * server code.
 *
 * @example
 * ```ts
 * import { runFetch } from "./mod.ts";
 *
 * const lines: string[] = [];
 * const io = { workdir: Deno.cwd(), out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
 * console.log(await runFetch(["--help"], io)); // 0
 * ```
 *
 * @module
 */

export { type ClientIo, DESCRIBE_MAX_BYTES, type ExitCode, runFetch, terminalIo } from "./main.ts";
export type { ProgressSink } from "./progress.ts";
