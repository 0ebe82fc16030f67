/**
 * Makes sure Debian's Python at {@linkcode DEBIAN_PYTHON} has NumPy, Pillow, OpenCV and
 * matplotlib (the independent decoders the bit-depth and animation tests check pixserve's
 * images with, and the colormap reference): when one is missing, installs
 * `python3-numpy python3-pil python3-opencv python3-matplotlib` with
 * apt-get; when that is impossible, prints one line saying what to install and exits 1.
 *
 * Run by `deno task test` before `deno test`:
 * `deno run --allow-run --allow-read tests/ensure_debian_python.ts`
 *
 * @module
 */

import { aptInstall } from "../lib/apt.ts";

/** Debian's own Python, where apt-get installs its modules. */
export const DEBIAN_PYTHON = "/usr/bin/python3";

/** The Debian packages the tests import from {@linkcode DEBIAN_PYTHON}. */
export const DEBIAN_PYTHON_PACKAGES = [
  "python3-numpy",
  "python3-pil",
  "python3-opencv",
  "python3-matplotlib",
];

/**
 * Whether Debian's Python imports NumPy, Pillow, OpenCV and matplotlib.
 *
 * @returns `true` when `import numpy, PIL, cv2, matplotlib` succeeds.
 */
export async function debianPythonReady(): Promise<boolean> {
  try {
    const { code } = await new Deno.Command(DEBIAN_PYTHON, {
      args: ["-c", "import numpy, PIL, cv2, matplotlib"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return code === 0;
  } catch {
    return false;
  }
}

if (import.meta.main && !(await debianPythonReady())) {
  console.error(`pixserve tests: installing ${DEBIAN_PYTHON_PACKAGES.join(" ")} with apt-get`);
  const installed = await aptInstall(DEBIAN_PYTHON_PACKAGES) && await debianPythonReady();
  if (!installed) {
    console.error(
      `pixserve's image tests need ${DEBIAN_PYTHON} with NumPy, Pillow, OpenCV and matplotlib: run ` +
        `"apt-get update && apt-get install -y ${DEBIAN_PYTHON_PACKAGES.join(" ")}" as root`,
    );
    Deno.exit(1);
  }
}
