/**
 * The baseline of `bench/files_load.ts`: a bare `Deno.serve` that answers
 * every request with `Deno.open(path).readable` and nothing else (no checks;
 * with `--sized`, a `Content-Length` from `stat`, else chunked), printing
 * `bare listening on <port>` once ready.
 *
 * @module
 */

if (import.meta.main) {
  const [path, mode] = Deno.args;
  Deno.serve({
    port: 0,
    hostname: "127.0.0.1",
    onListen: ({ port }) => console.log(`bare listening on ${port}`),
  }, async () => {
    const file = await Deno.open(path);
    const headers = mode === "--sized"
      ? { "content-length": String((await file.stat()).size) }
      : undefined;
    return new Response(file.readable, { headers });
  });
}
