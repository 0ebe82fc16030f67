/**
 * The client's address behind one trusted reverse proxy.
 *
 * @module
 */

/**
 * The address the trusted proxy saw: the last entry of `X-Forwarded-For`, the one the
 * proxy appended itself (nginx's `$proxy_add_x_forwarded_for`). The entries before it come
 * from the client and may be anything, so they are not read. Without the header, the peer.
 *
 * @param forwardedFor The `X-Forwarded-For` value, or `null`.
 * @param peer The address of the connection's other end.
 * @returns The client's address, or `undefined` when neither is known.
 * @example
 * forwardedClient("203.0.113.9, 198.51.100.4", "127.0.0.1"); // "198.51.100.4"
 * forwardedClient(null, "127.0.0.1"); // "127.0.0.1"
 */
export function forwardedClient(
  forwardedFor: string | null,
  peer: string | undefined,
): string | undefined {
  const last = forwardedFor?.slice(forwardedFor.lastIndexOf(",") + 1).trim();
  return last === undefined || last === "" ? peer : last;
}
