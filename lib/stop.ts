/**
 * Stopping the server: once, within a grace period, and also when the process that
 * started it goes away (noticed as the end of standard input, which `deno task start`'s
 * launcher holds open for exactly that).
 *
 * @module
 */

/** The variable the launcher sets to tell `main.ts` that the end of stdin means stop. */
export const STOP_ON_STDIN_EOF = "PIXSERVE_STOP_ON_STDIN_EOF";

/** How a stop ended. */
export type StopOutcome = "drained" | "cut";

/**
 * Runs `stop` and waits for it at most `graceSeconds`.
 *
 * @param stop Stops accepting and finishes the responses in flight.
 * @param graceSeconds The longest wait.
 * @returns `"drained"` when `stop` finished in time, `"cut"` otherwise (the caller exits,
 *   which cuts whatever is still being sent).
 * @example
 * const outcome = await stopWithin(() => stopAll(servers), 10);
 * Deno.exit(0);
 */
export async function stopWithin(
  stop: () => Promise<void>,
  graceSeconds: number,
): Promise<StopOutcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const grace = new Promise<StopOutcome>((resolve) => {
    timer = setTimeout(() => resolve("cut"), graceSeconds * 1000);
  });
  try {
    return await Promise.race([stop().then((): StopOutcome => "drained"), grace]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Calls `fn` the first time the returned function is called; later calls do nothing.
 *
 * @param fn The action.
 * @returns The guarded action.
 * @example
 * const stop = once(() => console.log("stopping"));
 * stop(); stop(); // prints once
 */
export function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

/**
 * Calls `onEnd` when standard input ends: its writer (the launcher) has exited, however
 * it exited, since the kernel closes a dead process's end of the pipe.
 *
 * @param onEnd What to do then.
 * @example
 * if (Deno.env.get(STOP_ON_STDIN_EOF) === "1") watchStdinEnd(stop);
 */
export function watchStdinEnd(onEnd: () => void): void {
  Deno.stdin.readable.pipeTo(new WritableStream()).finally(onEnd).catch(() => {});
}
