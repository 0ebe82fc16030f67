import assert from "node:assert/strict";
import meta from "../deno.json" with { type: "json" };
import { readSettings } from "../lib/config.ts";
import { PROJECT_DIR } from "./_server.ts";

Deno.test("readSettings() reads --version and -V as a request for the version", () => {
  assert.deepEqual(readSettings(["--version"], () => undefined), { help: true, version: true });
  assert.deepEqual(readSettings(["-V", "--port", "1"], () => undefined), {
    help: true,
    version: true,
  });
});

for (const [task, name] of [["start", "pixserve"], ["fetch", "pixserve-fetch"]]) {
  Deno.test(`deno task ${task} --version prints "${name} ${meta.version}" and exits 0`, async () => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", task, "--version"],
      cwd: PROJECT_DIR,
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    assert.equal(new TextDecoder().decode(output.stdout), `${name} ${meta.version}\n`);
    assert.equal(output.code, 0);
  });
}
