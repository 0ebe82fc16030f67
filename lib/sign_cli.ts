/**
 * `deno task sign URL`: prints the URL signed with the first key of `SIGNING_KEYS` (or
 * `--signing-keys K1,K2`): the same URL with `?s=` set. A path (`/images/a.webp?w=400`) is
 * signed and printed as a path.
 *
 * @module
 */

import { parseSigningKeys, signUrl } from "./http/signature.ts";

/** The text printed for `--help` and bad usage. */
export const SIGN_USAGE = `Usage: deno task sign [--signing-keys K1,K2] <url or path>

Prints the URL signed with the first key (hex) of --signing-keys or SIGNING_KEYS.
`;

/**
 * Signs what the command line names.
 *
 * @param args `[--signing-keys K] URL`.
 * @param env Lookup of environment variables.
 * @returns The signed URL or path.
 * @throws {TypeError} Bad usage or a bad key; the message says which.
 * @example
 * await signCommand(["/images/a.webp?w=400"], () => "00112233445566778899aabbccddeeff");
 */
export async function signCommand(
  args: readonly string[],
  env: (name: string) => string | undefined,
): Promise<string> {
  let keys = env("SIGNING_KEYS");
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--signing-keys") keys = args[++i];
    else if (arg.startsWith("--signing-keys=")) keys = arg.slice("--signing-keys=".length);
    else rest.push(arg);
  }
  if (rest.length !== 1) throw new TypeError("give exactly one URL or path");
  const [key] = parseSigningKeys(keys ?? "");
  if (key === undefined) throw new TypeError("no key: set SIGNING_KEYS or --signing-keys");
  const isPath = rest[0].startsWith("/");
  const url = new URL(rest[0], "http://localhost");
  const signed = await signUrl(url, key);
  return isPath ? `${signed.pathname}${signed.search}` : signed.href;
}

if (import.meta.main) {
  if (Deno.args.includes("--help")) {
    console.log(SIGN_USAGE);
    Deno.exit(0);
  }
  try {
    console.log(await signCommand(Deno.args, (name) => Deno.env.get(name)));
  } catch (err) {
    console.error(`sign: ${err instanceof Error ? err.message : String(err)}\n${SIGN_USAGE}`);
    Deno.exit(2);
  }
}
