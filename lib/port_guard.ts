/**
 * One server per port. The isolates of one pixserve server share their port through
 * `SO_REUSEPORT`, which the kernel would grant to any other process of the same user
 * that asks for it too, splitting connections between two unrelated servers. So before
 * its isolates bind, a server checks that the port is free with a plain bind, which fails
 * on a port held by anyone, `SO_REUSEPORT` or not.
 *
 * @module
 */

/** The port is held by another server; the process says so on one line and exits 1. */
export class PortInUse extends Error {
  /**
   * Creates a `PortInUse`.
   *
   * @param host The interface.
   * @param port The port.
   */
  constructor(readonly host: string, readonly port: number) {
    super(
      `port ${port} on ${host} is already in use (by another pixserve instance or another ` +
        `program); stop it or pick another PORT`,
    );
    this.name = "PortInUse";
  }
}

/**
 * Checks that nothing listens on a port, by binding it without `SO_REUSEPORT` and letting
 * it go. Port 0 asks for a fresh port and is always free.
 *
 * @param host The interface, as `Deno.listen` takes it.
 * @param port The port.
 * @throws {PortInUse} Another socket listens there.
 * @example
 * assertPortFree("127.0.0.1", 8000);
 */
export function assertPortFree(host: string, port: number): void {
  if (port === 0) return;
  let probe: Deno.Listener;
  try {
    probe = Deno.listen({ hostname: host, port });
  } catch (err) {
    if (err instanceof Deno.errors.AddrInUse) throw new PortInUse(host, port);
    throw err;
  }
  probe.close();
}
