import assert from "node:assert/strict";
import { formatBytes } from "../lib/client/progress.ts";
import { fetchTaskArgs, listDir, runClient, withTempDir, withTinyServer } from "./_client.ts";
import { assertSamplePattern, decodePixels } from "./_pixels.ts";
import { PROJECT_DIR, withServer } from "./_server.ts";

const IDENTITY = { "accept-encoding": "identity" };

async function served(url: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(url, { headers: IDENTITY })).arrayBuffer());
}

function savedLines(type: string, size: number, image: string, name: string): string {
  return [
    "status: 200 OK",
    `content-type: ${type}`,
    `size: ${size} bytes (${formatBytes(size)})`,
    ...(image === "" ? [] : [`image: ${image}`]),
    `saved: ${name}`,
    "",
  ].join("\n");
}

Deno.test("fetch saves GET /image.png under its Content-Disposition name, bytes as sent", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      const run = await runClient(dir, `${base}/image.png`);
      const expected = await served(`${base}/image.png`);
      assert.equal(run.stderr, "");
      assert.equal(run.code, 0);
      assert.equal(
        run.stdout,
        savedLines("image/png", expected.byteLength, "512×512 png", "sample.png"),
      );
      assert.deepEqual(await listDir(dir), ["sample.png"]);
      const saved = await Deno.readFile(`${dir}/sample.png`);
      assert.deepEqual(saved, expected);
      assertSamplePattern(await decodePixels(saved), 512, 512);
    });
  });
});

Deno.test("fetch GET /image saves the negotiated PNG as sample.png", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      const run = await runClient(dir, `${base}/image?width=64&height=32`);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^image: 64×32 png$/m);
      assert.deepEqual(await listDir(dir), ["sample.png"]);
      assertSamplePattern(await decodePixels(await Deno.readFile(`${dir}/sample.png`)), 64, 32);
    });
  });
});

Deno.test("fetch takes the UTF-8 filename* over the ASCII fallback", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      const url = `${base}/image.gif?download&filename=${encodeURIComponent("résumé €.gif")}`;
      const run = await runClient(dir, url);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^saved: résumé €\.gif$/m);
      assert.deepEqual(await listDir(dir), ["résumé €.gif"]);
      const saved = await Deno.readFile(`${dir}/résumé €.gif`);
      assert.deepEqual(saved, await served(url));
      assertSamplePattern(await decodePixels(saved), 512, 512);
    });
  });
});

Deno.test("fetch -o saves under the name given, in a subfolder of the working folder", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      await Deno.mkdir(`${dir}/out`);
      const run = await runClient(dir, `${base}/image.webp`, "-o", "out/copy.webp");
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^image: 512×512 webp \(size from the header\)$/m);
      assert.match(run.stdout, /^saved: out\/copy\.webp$/m);
      assert.deepEqual(await listDir(`${dir}/out`), ["copy.webp"]);
      const saved = await Deno.readFile(`${dir}/out/copy.webp`);
      assert.deepEqual(saved, await served(`${base}/image.webp`));
      assertSamplePattern(await decodePixels(saved), 512, 512);
    });
  });
});

Deno.test("fetch saves a JSON answer under the URL's last segment", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      const run = await runClient(dir, `${base}/health`);
      assert.equal(run.code, 0, run.stderr);
      const body = await Deno.readTextFile(`${dir}/health`);
      assert.equal(JSON.parse(body).status, "ok");
      assert.equal(
        run.stdout,
        savedLines("application/json", new TextEncoder().encode(body).byteLength, "", "health"),
      );
    });
  });
});

const HOSTILE: readonly [string, string][] = [
  [`attachment; filename="../../evil.png"`, "evil.png"],
  [`attachment; filename*=UTF-8''..%2F..%2Fevil%E2%82%AC.png`, "evil€.png"],
  [`attachment; filename="/etc/passwd"`, "passwd"],
  [`attachment; filename="..\\\\..\\\\win.png"`, "win.png"],
  [`attachment; filename=".bashrc"`, "bashrc"],
  [`attachment; filename=".."`, "x.bin"],
];

for (const [disposition, expected] of HOSTILE) {
  Deno.test(`fetch keeps ${disposition} inside the working folder as ${expected}`, async () => {
    const body = new TextEncoder().encode("not what you wanted");
    await withTinyServer(
      () => new Response(body, { headers: { "content-disposition": disposition } }),
      async (base) => {
        await withTempDir(async (root) => {
          const dir = `${root}/a/b`;
          await Deno.mkdir(dir, { recursive: true });
          const run = await runClient(dir, `${base}/dl/x.bin`);
          assert.equal(run.code, 0, run.stderr);
          assert.deepEqual(await listDir(root), ["a"]);
          assert.deepEqual(await listDir(`${root}/a`), ["b"]);
          assert.deepEqual(await listDir(dir), [expected]);
          assert.deepEqual(await Deno.readFile(`${dir}/${expected}`), body);
        });
      },
    );
  });
}

Deno.test("fetch refuses to write through a symlink the answer's name points at", async () => {
  await withTinyServer(
    () =>
      new Response("evil", {
        headers: { "content-disposition": `inline; filename="a.txt"`, etag: `"e"` },
      }),
    async (base) => {
      await withTempDir(async (root) => {
        await Deno.mkdir(`${root}/work`);
        await Deno.writeTextFile(`${root}/precious.txt`, "keep me");
        await Deno.symlink(`${root}/precious.txt`, `${root}/work/a.txt`);
        const run = await runClient(`${root}/work`, `${base}/x`);
        assert.equal(run.code, 1);
        assert.equal(
          run.stderr,
          `fetch: refusing to write ${root}/work/a.txt: it is a symbolic link\n`,
        );
        assert.equal(await Deno.readTextFile(`${root}/precious.txt`), "keep me");
        assert.deepEqual(await listDir(`${root}/work`), ["a.txt"]);
      });
    },
  );
});

Deno.test("fetch -o into a missing folder says so on one line and exits 1", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      const run = await runClient(dir, `${base}/image.png`, "-o", "missing/x.png");
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        /^fetch: No such file or directory \(os error 2\): .*missing\/x\.png.*\n$/,
      );
      assert.deepEqual(await listDir(dir), []);
    });
  });
});

Deno.test("fetch prints the server's JSON error of a 404 and exits 1", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      const run = await runClient(dir, `${base}/nope.png`);
      const { error, detail } = await (await fetch(`${base}/nope.png`)).json();
      assert.equal(run.code, 1);
      assert.equal(run.stdout, "status: 404 Not Found\ncontent-type: application/json\n");
      assert.equal(run.stderr, `${error}: ${detail}\n`);
      assert.equal(error, "not_found");
      assert.deepEqual(await listDir(dir), []);
    });
  });
});

Deno.test("fetch prints the JSON error of a 400 (bad filename) and exits 1", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      const url = `${base}/image.png?filename=${encodeURIComponent("../x.png")}`;
      const run = await runClient(dir, url);
      const { detail } = await (await fetch(url)).json();
      assert.equal(run.code, 1);
      assert.equal(run.stderr, `invalid_filename: ${detail}\n`);
      assert.deepEqual(await listDir(dir), []);
    });
  });
});

Deno.test("fetch reports a refused connection on one line and exits 1", async () => {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => {
    return new Response("unused");
  });
  const port = server.addr.port;
  await server.shutdown();
  await withTempDir(async (dir) => {
    const run = await runClient(dir, `http://127.0.0.1:${port}/image.png`);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.match(
      run.stderr,
      new RegExp(`^network error: cannot reach 127\\.0\\.0\\.1:${port}: Connection refused.*\\n$`),
    );
    assert.deepEqual(await listDir(dir), []);
  });
});

const BAD_USAGE: readonly [string, string[]][] = [
  ["no URL", []],
  ["an unknown option", ["--nope", "http://127.0.0.1:9/x"]],
  ["two URLs", ["http://127.0.0.1:9/x", "http://127.0.0.1:9/y"]],
  ["a relative URL", ["image.png"]],
  ["an ftp URL", ["ftp://127.0.0.1/x"]],
  ["a reversed range", ["http://127.0.0.1:9/x", "--range", "9-1"]],
  ["-C with --range", ["http://127.0.0.1:9/x", "-C", "--range", "0-1"]],
  ["an empty -o", ["http://127.0.0.1:9/x", "-o", ""]],
  ["--array without -o", ["http://127.0.0.1:9/x", "--array"]],
  ["--array -o without an image extension", ["http://127.0.0.1:9/x", "--array", "-o", "a.txt"]],
];

Deno.test("fetch prints usage and exits 2 on bad usage", async () => {
  await withTempDir(async (dir) => {
    const runs = await Promise.all(BAD_USAGE.map(([, args]) => runClient(dir, ...args)));
    runs.forEach((run, i) => {
      const what = BAD_USAGE[i][0];
      assert.equal(run.code, 2, what);
      assert.equal(run.stdout, "", what);
      assert.match(
        run.stderr,
        /^fetch: .+\nUsage: deno task fetch <url> \[options\]\n/,
        `${what}: ${run.stderr}`,
      );
    });
    assert.deepEqual(await listDir(dir), []);
  });
});

Deno.test("fetch --help prints usage and exits 0", async () => {
  await withTempDir(async (dir) => {
    const run = await runClient(dir, "--help");
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: deno task fetch <url> \[options\]\n/);
  });
});

const LARGE = new Uint8Array(2 * 1024 * 1024).map((_, i) => i % 251);

function largeBody(request: Request): Response {
  const sized = new URL(request.url).pathname === "/sized.bin";
  const chunks = [LARGE.subarray(0, LARGE.length / 2), LARGE.subarray(LARGE.length / 2)];
  const body = sized ? LARGE : new ReadableStream({
    pull(controller) {
      const chunk = chunks.shift();
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
  return new Response(body, { headers: { "content-type": "application/octet-stream" } });
}

const PROGRESS: readonly [string, RegExp][] = [
  ["sized.bin", /\[#{30}\] 100% {2}2\.0 MiB \/ 2\.0 MiB/],
  ["chunked.bin", /\r2\.0 MiB received/],
];

Deno.test("fetch draws a progress bar on a terminal: percent with a length, bytes without", async () => {
  await withTinyServer(largeBody, async (base) => {
    await withTempDir(async (dir) => {
      for (const [name, expected] of PROGRESS) {
        const words = [Deno.execPath(), ...await fetchTaskArgs(dir), `${base}/${name}`];
        const output = await new Deno.Command("script", {
          args: ["-qec", words.map((w) => `'${w}'`).join(" "), "/dev/null"],
          cwd: PROJECT_DIR,
          env: { INIT_CWD: dir, NO_COLOR: "1" },
          stdin: "null",
        }).output();
        const text = new TextDecoder().decode(output.stdout);
        assert.equal(output.code, 0, text);
        assert.match(text, expected);
        assert.deepEqual(await Deno.readFile(`${dir}/${name}`), LARGE);
      }
      const plain = await runClient(dir, `${base}/sized.bin`);
      assert.equal(plain.code, 0);
      assert.equal(plain.stderr, "");
    });
  });
});

Deno.test("deno task fetch runs with the task's permissions from the user's folder", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      const output = await new Deno.Command(Deno.execPath(), {
        args: [
          "task",
          "--quiet",
          "--config",
          `${PROJECT_DIR}/deno.json`,
          "fetch",
          `${base}/image.png`,
        ],
        cwd: dir,
        env: { INIT_CWD: dir, NO_COLOR: "1" },
        stdin: "null",
      }).output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 0, stderr);
      assert.deepEqual(await listDir(dir), ["sample.png"]);
      assert.deepEqual(await Deno.readFile(`${dir}/sample.png`), await served(`${base}/image.png`));
    });
  });
});
