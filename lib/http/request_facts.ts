/**
 * What the request log and the metrics read from a request and its answer: the query
 * string, whether a body follows, the client's address and the body bytes a streamed answer
 * really sent.
 *
 * @module
 */

/**
 * The query string of a URL, without `?` and fragment: `""` when there is none.
 *
 * @param url An absolute URL, as `request.url` gives it.
 * @returns The query.
 * @example
 * queryOf("http://x/image.png?width=64#top"); // "width=64"
 */
export function queryOf(url: string): string {
  const hash = url.indexOf("#");
  const end = hash === -1 ? url.length : hash;
  const mark = url.indexOf("?");
  return mark === -1 || mark >= end ? "" : url.slice(mark + 1, end);
}

/**
 * Whether a request comes with a body (a `Content-Length` above 0, or chunked). The runtime
 * closes a connection whose body was left unread, and says so with its own
 * `Connection: close`: an answer given without reading the body adds none of its own.
 *
 * @param request The request.
 * @returns Whether a body follows the head.
 * @example
 * declaresBody(new Request("http://x/", { method: "POST", body: "abc" })); // true
 * declaresBody(new Request("http://x/health")); // false
 */
export function declaresBody(request: Request): boolean {
  if (request.headers.has("transfer-encoding")) return true;
  const length = request.headers.get("content-length");
  return length !== null && length.trim() !== "0";
}

/**
 * The client's address: the peer of the connection, or, behind a trusted proxy, the last
 * entry of `X-Forwarded-For` (the address the proxy itself saw; entries before it are the
 * client's own claims and are not believed).
 *
 * @param request The request.
 * @param peer The connection's peer, from `Deno.serve`'s handler info; absent in tests.
 * @param trustProxy Whether a proxy we run sets `X-Forwarded-For`.
 * @returns The address, or `undefined` when unknown.
 * @example
 * clientAddress(new Request("http://x/", { headers: { "x-forwarded-for": "1.2.3.4, 10.0.0.9" } }), undefined, true);
 * // "10.0.0.9"
 */
export function clientAddress(
  request: Request,
  peer: Deno.Addr | undefined,
  trustProxy: boolean,
): string | undefined {
  if (trustProxy) {
    const forwarded = request.headers.get("x-forwarded-for");
    if (forwarded !== null) {
      const last = forwarded.slice(forwarded.lastIndexOf(",") + 1).trim();
      if (last !== "") return last;
    }
  }
  if (peer === undefined) return undefined;
  return "hostname" in peer ? peer.hostname : "path" in peer ? peer.path : undefined;
}

/**
 * A body that counts the bytes read from it, and reports them once when it ends, fails or
 * is cancelled (a client that went away): the bytes handed to the server to send.
 *
 * @param body The body to pass through.
 * @param done Called once with the bytes read.
 * @returns The counting body.
 * @example
 * const counted = countedBody(response.body!, (bytes) => console.log(bytes));
 */
export function countedBody(
  body: ReadableStream<Uint8Array>,
  done: (bytes: number) => void,
): ReadableStream<Uint8Array> {
  let bytes = 0;
  let reported = false;
  const report = () => {
    if (reported) return;
    reported = true;
    done(bytes);
  };
  const counter: Transformer<Uint8Array, Uint8Array> & { cancel(): void } = {
    transform(chunk, controller) {
      bytes += chunk.byteLength;
      controller.enqueue(chunk);
    },
    flush: report,
    cancel: report,
  };
  return body.pipeThrough(new TransformStream(counter, undefined, { highWaterMark: 0 }));
}
