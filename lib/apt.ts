/**
 * Debian packages installed with apt-get when a program needs one that is missing: the
 * cluster launcher's nginx, and the browsers and Python packages the tests use.
 *
 * @module
 */

/**
 * Runs one apt-get command, quietly and without asking, waiting for another apt-get that
 * holds the package lock (up to ten minutes) rather than failing.
 *
 * @param args Arguments of apt-get.
 * @param stdout Where its standard output goes.
 * @returns Whether it exited 0 (`false` too when apt-get cannot be run at all).
 * @example
 * ```ts ignore
 * import { aptGet } from "./apt.ts";
 *
 * await aptGet(["update", "-qq"]);
 * ```
 */
export async function aptGet(
  args: readonly string[],
  stdout: "inherit" | "null" = "inherit",
): Promise<boolean> {
  try {
    const { code } = await new Deno.Command("apt-get", {
      args: ["-o", "DPkg::Lock::Timeout=600", ...args],
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdin: "null",
      stdout,
      stderr: "inherit",
    }).output();
    return code === 0;
  } catch {
    return false;
  }
}

/**
 * Updates the package lists and installs packages.
 *
 * @param packages The Debian packages (and apt-get options such as
 *   `--no-install-recommends`).
 * @param stdout Where apt-get's standard output goes.
 * @returns Whether both steps exited 0.
 * @example
 * ```ts ignore
 * import { aptInstall } from "./apt.ts";
 *
 * if (!(await aptInstall(["nginx"]))) console.error("could not install nginx");
 * ```
 */
export async function aptInstall(
  packages: readonly string[],
  stdout: "inherit" | "null" = "inherit",
): Promise<boolean> {
  return await aptGet(["update", "-qq"], stdout) &&
    await aptGet(["install", "-y", "-qq", ...packages], stdout);
}
