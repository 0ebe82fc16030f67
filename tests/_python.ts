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

/** An animation as Pillow reads it: frame count, durations (ms), loop count, pixel values. */
export interface PillowFrames {
  /** `n_frames`. */
  readonly n: number;
  /** Each frame's `duration`, read after seeking to it. */
  readonly durations: number[];
  /** The `loop` of the file's info; 0 forever. */
  readonly loop: number;
  /** Each frame converted to `mode`, its values flattened row by row. */
  readonly frames: number[][];
}

/**
 * Decodes an animated GIF, APNG or WebP frame by frame with Debian's Pillow
 * (`ImageSequence`).
 *
 * @param file The file name, whose extension Pillow reads it by.
 * @param bytes The file's bytes.
 * @param mode The mode each frame is converted to, e.g. `RGB`.
 * @returns What Pillow read.
 */
export async function pillowFrames(
  file: string,
  bytes: Uint8Array,
  mode: string,
): Promise<PillowFrames> {
  return await runPython(
    `import json, numpy as np
from PIL import Image, ImageSequence
im = Image.open(${JSON.stringify(file)})
frames = [np.asarray(f.convert(${
      JSON.stringify(mode)
    })).ravel().tolist() for f in ImageSequence.Iterator(im)]
durations = []
for i in range(im.n_frames):
    im.seek(i)
    durations.append(im.info.get("duration"))
print(json.dumps({"n": im.n_frames, "durations": durations, "loop": im.info.get("loop"), "frames": frames}))`,
    { [file]: bytes },
  ) as PillowFrames;
}
