import assert from "node:assert/strict";
import { listDir, withTempDir } from "./_client.ts";
import { assertSamplePattern, decodePixels } from "./_pixels.ts";
import { PROJECT_DIR, withServer } from "./_server.ts";

const decoder = new TextDecoder();

/**
 * Runs a command from `cwd` as from a shell there: this process's environment without the
 * `INIT_CWD` that `deno task test` set, and this Deno first on `PATH` (the installed command
 * runs `deno`).
 */
async function run(cwd: string, command: string, args: string[], env: Record<string, string> = {}) {
  const inherited = Deno.env.toObject();
  delete inherited.INIT_CWD;
  const denoDir = Deno.execPath().slice(0, Deno.execPath().lastIndexOf("/"));
  const output = await new Deno.Command(command, {
    args,
    cwd,
    clearEnv: true,
    env: { ...inherited, PATH: `${denoDir}:${inherited.PATH ?? ""}`, NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("deno task install-fetch gives a pixserve-fetch command that works from any folder", async () => {
  await withTempDir(async (root) => {
    const install = await run(PROJECT_DIR, Deno.execPath(), ["task", "install-fetch"], {
      DENO_INSTALL_ROOT: root,
    });
    assert.equal(install.code, 0, install.stderr);
    const command = `${root}/bin/pixserve-fetch`;
    await withTempDir(async (work) => {
      const version = await run(work, command, ["--version"]);
      assert.equal(version.stdout, "pixserve-fetch 0.1.0\n");
      assert.equal(version.code, 0);
      await withServer(async ({ base }) => {
        await withTempDir(async (elsewhere) => {
          const target = `${elsewhere}/deep/../copy.png`;
          const saved = await run(work, command, [
            `${base}/image.png?width=40&height=30`,
            "-o",
            target,
          ]);
          assert.equal(saved.code, 0, saved.stderr);
          assert.match(saved.stdout, new RegExp(`^saved: ${elsewhere}/copy\\.png$`, "m"));
          const pixels = await decodePixels(await Deno.readFile(`${elsewhere}/copy.png`));
          assertSamplePattern(pixels, 40, 30);
          const named = await run(work, command, [
            `${base}/image.png?filename=x.png`,
            "-o",
            `${elsewhere}/`,
          ]);
          assert.equal(named.code, 0, named.stderr);
          assert.deepEqual(await listDir(elsewhere), ["copy.png", "x.png"]);
          assert.deepEqual(await listDir(work), []);
        });
      });
    });
  });
});
