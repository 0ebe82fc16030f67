import assert from "node:assert/strict";
import { PROJECT_DIR } from "./_server.ts";

/** Debian's Python, which has python3-matplotlib (3.6), the reference for colormaps. */
const DEBIAN_PYTHON = "/usr/bin/python3";
const FIXTURES = `${PROJECT_DIR}/fixtures/display`;

async function run(command: string, args: string[]): Promise<Deno.CommandOutput | null> {
  try {
    return await new Deno.Command(command, {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive", MPLBACKEND: "Agg" },
      stdin: "null",
    }).output();
  } catch {
    return null;
  }
}

/** Installs Debian's python3-matplotlib and python3-numpy when they are missing. */
async function ensureMatplotlib(): Promise<void> {
  const probe = await run(DEBIAN_PYTHON, ["-c", "import matplotlib, numpy"]);
  if (probe?.success) return;
  const lock = ["-o", "DPkg::Lock::Timeout=600"];
  const installed = (await run("apt-get", [...lock, "update", "-qq"]))?.success &&
    (await run("apt-get", [
      ...lock,
      "install",
      "-y",
      "-qq",
      "python3-matplotlib",
      "python3-numpy",
    ]))?.success;
  assert.ok(
    installed,
    "this test needs Debian's python3-matplotlib: apt-get install -y python3-matplotlib",
  );
}

Deno.test("fixtures/display are what make_display.py writes with Debian's matplotlib", async () => {
  await ensureMatplotlib();
  const dir = await Deno.makeTempDir({ prefix: "pixserve_display_" });
  try {
    const out = await run(DEBIAN_PYTHON, [`${FIXTURES}/make_display.py`, dir]);
    assert.ok(out?.success, new TextDecoder().decode(out?.stderr));
    const written: string[] = [];
    for await (const entry of Deno.readDir(dir)) written.push(entry.name);
    assert.equal(written.length, 76, "the script writes 20 arrays, 54 PNGs and two tables");
    for (const name of written.sort()) {
      const fresh = await Deno.readFile(`${dir}/${name}`);
      const committed = await Deno.readFile(`${FIXTURES}/${name}`);
      assert.deepEqual(fresh, committed, `${name} differs from the committed fixture`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lib/arrays/colormap_data.ts is what make_colormaps.py writes with Debian's matplotlib", async () => {
  await ensureMatplotlib();
  const dir = await Deno.makeTempDir({ prefix: "pixserve_colormaps_" });
  try {
    const script = `${PROJECT_DIR}/fixtures/colormaps/make_colormaps.py`;
    const out = await run(DEBIAN_PYTHON, [script, `${dir}/colormap_data.ts`]);
    assert.ok(out?.success, new TextDecoder().decode(out?.stderr));
    assert.equal(
      await Deno.readTextFile(`${dir}/colormap_data.ts`),
      await Deno.readTextFile(`${PROJECT_DIR}/lib/arrays/colormap_data.ts`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
