/**
 * `Deno.serve` that keeps serving when accepting fails. When the process runs out of file
 * descriptors, the runtime's accept loop ends with `Too many open files` and that server is
 * gone (uncaught, it ends the process). Here the failure is reported, the connections it
 * held are released with it, and the same port is listened on again: at once, then with a
 * growing pause while listening itself fails, so excess connections are refused while
 * descriptors are short and served again once they are back. The pause grows with each
 * failure in a row and starts again from nothing once a request is served.
 *
 * @module
 */

/** Pauses between attempts to listen again, in milliseconds (the last one repeats). */
const RELISTEN_DELAYS_MS: readonly number[] = [0, 50, 100, 200, 500, 1000];

/** A server that listens again after its accept loop fails. */
export interface RelisteningServer {
  /** Where it listens (the port stays the same when it listens again). */
  readonly addr: Deno.NetAddr;
  /** Stops listening again and shuts the current server down. */
  shutdown(): Promise<void>;
}

/**
 * Serves `handler` like `Deno.serve`, listening again on the same port whenever the
 * accept loop fails.
 *
 * @param options `Deno.serve` options (the port may be 0: the one chosen is kept).
 * @param handler The request handler.
 * @param report Told of each failure and of each new listen.
 * @returns The server.
 * @example
 * const server = serveRelistening({ port: 0 }, () => new Response("ok"), console.error);
 * await server.shutdown();
 */
export function serveRelistening(
  options: Deno.ServeTcpOptions,
  handler: Deno.ServeHandler<Deno.NetAddr>,
  report: (message: string) => void,
): RelisteningServer {
  let failures = 0;
  const serving: Deno.ServeHandler<Deno.NetAddr> = (request, info) => {
    failures = 0;
    return handler(request, info);
  };
  let current = Deno.serve(options, serving);
  const addr = current.addr;
  let stopping = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const later = () => RELISTEN_DELAYS_MS[Math.min(failures++, RELISTEN_DELAYS_MS.length - 1)];
  const watch = (server: Deno.HttpServer<Deno.NetAddr>) => {
    server.finished.catch((err) => {
      if (stopping) return;
      report(`accepting connections failed (${errorText(err)}); listening again`);
      timer = setTimeout(relisten, later());
    });
  };
  const relisten = () => {
    if (stopping) return;
    try {
      current = Deno.serve({ ...options, port: addr.port }, serving);
    } catch (err) {
      report(`listening again failed (${errorText(err)})`);
      timer = setTimeout(relisten, later());
      return;
    }
    report(`listening again on port ${addr.port}`);
    watch(current);
  };
  watch(current);
  return {
    addr,
    async shutdown() {
      stopping = true;
      clearTimeout(timer);
      await current.shutdown();
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
