import assert from "node:assert/strict";
import { USAGE } from "../lib/config.ts";
import { PROJECT_DIR } from "./_server.ts";

const LAUNCH = [
  "run",
  "--allow-read",
  "--allow-env",
  "--allow-run",
  `${PROJECT_DIR}/lib/launch.ts`,
];

async function run(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...LAUNCH, ...args],
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("deno task start exits 2 with one line for a value it cannot use", async () => {
  const cases: [string[], Record<string, string>, string][] = [
    [["--port", "abc"], {}, `pixserve: port must be an integer from 0 to 65535, got "abc"\n`],
    [[], { PORT: "99999" }, `pixserve: port must be an integer from 0 to 65535, got "99999"\n`],
    [
      ["--media-root", "/no/such/folder"],
      {},
      "pixserve: media root /no/such/folder does not exist\n",
    ],
    [
      [],
      { MEDIA_ROOT: `${PROJECT_DIR}/README.md` },
      `pixserve: media root ${PROJECT_DIR}/README.md is not a folder\n`,
    ],
    [["--frobnicate"], {}, "pixserve: unknown option --frobnicate; see --help\n"],
    [
      [],
      { MAX_PIXELS: "many" },
      `pixserve: max pixels must be an integer from 1 to 9007199254740991, got "many"\n`,
    ],
  ];
  for (const [args, env, line] of cases) {
    const { code, stderr, stdout } = await run(args, env);
    assert.equal(code, 2, args.join(" "));
    assert.equal(stderr, line);
    assert.equal(stdout, "");
  }
});

Deno.test("deno task start --help prints the options and exits 0", async () => {
  const { code, stdout } = await run(["--help"]);
  assert.equal(code, 0);
  assert.equal(stdout, `${USAGE}\n`);
});
