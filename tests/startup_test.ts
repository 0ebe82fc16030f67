import assert from "node:assert/strict";
import { USAGE } from "../lib/config.ts";
import { decodePixels } from "./_pixels.ts";
import { PROJECT_DIR } from "./_server.ts";
import { type SpawnedServer, spawnServer } from "./_spawn.ts";

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

Deno.test("deno task start serves a MEDIA_ROOT anywhere and finishes in-flight bodies on SIGTERM", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "pixserve-anywhere-" }));
  const size = 16 * 1024 * 1024;
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  let server: SpawnedServer | undefined;
  try {
    await Deno.copyFile(`${PROJECT_DIR}/fixtures/photo.jpg`, `${root}/photo.jpg`);
    await Deno.writeFile(`${root}/large.bin`, new Uint8Array(size).fill(9));
    server = await spawnServer([...LAUNCH, "--port", "0", "--workers", "1", "--quiet"], {
      MEDIA_ROOT: root,
    });
    const { child, line, base } = server;
    assert.ok(base !== undefined, line);
    assert.match(line, new RegExp(`\\(media root ${root},`));

    const photo = await fetch(`${base}/images/photo.png`, { client });
    assert.equal(photo.status, 200);
    assert.equal((await decodePixels(new Uint8Array(await photo.arrayBuffer()))).width, 64);
    const outside = await fetch(`${base}/files/..%2f..%2fetc%2fpasswd`, { client });
    assert.equal(outside.status, 404);
    await outside.body?.cancel();

    const inFlight = await fetch(`${base}/stream/large.bin?chunk=1024`, { client });
    assert.equal(inFlight.status, 200);
    child.kill("SIGTERM");
    const body = new Uint8Array(await inFlight.arrayBuffer());
    assert.equal(body.byteLength, size);
    assert.ok(body.every((b) => b === 9));
    assert.equal((await child.status).code, 0);
    await assert.rejects(fetch(`${base}/health`, { client }));
  } finally {
    await server?.close();
    client.close();
    await Deno.remove(root, { recursive: true });
  }
});
