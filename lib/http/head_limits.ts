/**
 * Limits on a request's head that the app can enforce itself, answered in JSON: a request
 * target longer than `MAX_URL_BYTES` gets 414, header lines adding up to more than
 * `MAX_HEADER_BYTES` get 431. Heads past the runtime's own limit (about 64 KiB in all, or
 * more than about 100 header lines) never reach the app: `Deno.serve` answers those with an
 * empty 400 itself.
 *
 * @module
 */

import { HttpError } from "../errors.ts";

/** The limits of {@linkcode checkRequestHead}. */
export interface HeadLimits {
  /** Longest request target (path and query), in bytes. */
  readonly maxUrlBytes: number;
  /** Most bytes of header names and values, with `": "` and CRLF per line. */
  readonly maxHeaderBytes: number;
}

/** The bytes of the request target in a full URL: what follows scheme and authority. */
function targetLength(url: string): number {
  const path = url.indexOf("/", url.indexOf("//") + 2);
  return path === -1 ? 1 : url.length - path;
}

/**
 * Refuses a request whose target or headers are past the limits.
 *
 * @param request The request.
 * @param limits The limits.
 * @throws {HttpError} 414 `uri_too_long` or 431 `headers_too_large`.
 * @example
 * checkRequestHead(new Request("http://x/" + "a".repeat(9000)), {
 *   maxUrlBytes: 8192,
 *   maxHeaderBytes: 32768,
 * }); // throws 414
 */
export function checkRequestHead(request: Request, limits: HeadLimits): void {
  const target = targetLength(request.url);
  if (target > limits.maxUrlBytes) {
    throw new HttpError(
      414,
      "uri_too_long",
      `the request target is ${target} bytes, more than MAX_URL_BYTES (${limits.maxUrlBytes})`,
    );
  }
  let bytes = 0;
  for (const [name, value] of request.headers) bytes += name.length + value.length + 4;
  if (bytes > limits.maxHeaderBytes) {
    throw new HttpError(
      431,
      "headers_too_large",
      `the request headers are ${bytes} bytes, more than MAX_HEADER_BYTES (${limits.maxHeaderBytes})`,
    );
  }
}
