/**
 * Runs Debian's Python (with NumPy, Pillow and OpenCV, see `ensure_debian_python.ts`) on
 * files written to a temporary folder, and reads back the JSON it prints: the independent
 * decoder the bit-depth and animation tests compare pixserve's images with.
 *
 * @module
 */

import { DEBIAN_PYTHON } from "./ensure_debian_python.ts";

/**
 * Writes `files` into a fresh folder, runs `script` there with Debian's Python, and
 * parses its standard output as JSON.
 *
 * @param script Python source; the folder is its working directory.
 * @param files File names and their bytes.
 * @returns What the script printed, parsed.
 */
export async function runPython(
  script: string,
  files: Record<string, Uint8Array>,
): Promise<unknown> {
  const dir = await Deno.makeTempDir({ prefix: "pixserve_py_" });
  try {
    for (const [name, bytes] of Object.entries(files)) {
      await Deno.writeFile(`${dir}/${name}`, bytes);
    }
    const { code, stdout, stderr } = await new Deno.Command(DEBIAN_PYTHON, {
      args: ["-c", script],
      cwd: dir,
      stdin: "null",
    }).output();
    const err = new TextDecoder().decode(stderr);
    if (code !== 0) throw new Error(`python exited ${code}: ${err}`);
    return JSON.parse(new TextDecoder().decode(stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
