import assert from "node:assert/strict";
import { encodeNpy } from "../lib/arrays/npy.ts";
import { readPushArgs, stackFrames } from "../lib/client/push.ts";
import { UsageError } from "../lib/client/args.ts";
import { createServices } from "../lib/services.ts";
import { MjpegReader } from "../lib/streams/mjpeg.ts";
import { runClient, withTempDir } from "./_client.ts";
import { decodePixels } from "./_pixels.ts";
import { testConfig, withServer } from "./_server.ts";

/** N×H×W×3 frames, frame k all of `colors[k]`. */
function stack(colors: readonly (readonly number[])[], width: number, height: number) {
  const size = width * height * 3;
  const data = new Uint8Array(colors.length * size);
  for (const [k, color] of colors.entries()) {
    for (let i = 0; i < size; i += 3) data.set(color, k * size + i);
  }
  return encodeNpy({ shape: [colors.length, height, width, 3], dtype: "uint8", data });
}

Deno.test("readPushArgs() reads a name or a URL, the file and --fps", () => {
  assert.deepEqual(readPushArgs(["--push", "cam", "f.npy"]), {
    target: new URL("http://127.0.0.1:8000/streams/cam"),
    file: "f.npy",
    fps: 30,
  });
  assert.deepEqual(readPushArgs(["--push=http://h:9/streams/x", "f.npy", "--fps", "2.5"]), {
    target: new URL("http://h:9/streams/x"),
    file: "f.npy",
    fps: 2.5,
  });
  const bad: [string[], string][] = [
    [["--push", "cam"], "--push takes one frames file, got 0"],
    [
      ["--push", "cam", "f.npy", "--fps", "0"],
      "--fps must be a number above 0 and at most 1000, got 0",
    ],
    [
      ["--push", "a b", "f.npy"],
      '--push takes a stream name (1 to 64 of A-Z, a-z, 0-9, _, -) or a URL, got "a b"',
    ],
    [
      ["--push", "ftp://h/streams/x", "f.npy"],
      "only http: and https: URLs are pushed to, got ftp:",
    ],
  ];
  for (const [args, message] of bad) {
    assert.throws(() => readPushArgs(args), new UsageError(message));
  }
});

Deno.test("stackFrames() splits N×H×W(×C) stacks and keeps one H×W×C frame whole", () => {
  const gray = stackFrames({
    shape: [3, 1, 2],
    dtype: "uint8",
    data: Uint8Array.of(1, 2, 3, 4, 5, 6),
  });
  assert.deepEqual(gray.map((f) => [f.shape, [...f.data]]), [
    [[1, 2], [1, 2]],
    [[1, 2], [3, 4]],
    [[1, 2], [5, 6]],
  ]);
  const one = { shape: [1, 1, 3], dtype: "uint8" as const, data: Uint8Array.of(1, 2, 3) };
  assert.deepEqual(stackFrames(one), [one]);
  assert.equal(
    stackFrames({ shape: [2, 1, 1, 3], dtype: "uint8", data: new Uint8Array(6) })[1].shape.length,
    3,
  );
  assert.throws(
    () => stackFrames({ shape: [4], dtype: "uint8", data: new Uint8Array(4) }),
    UsageError,
  );
});

Deno.test("deno task fetch --push sends every frame of a stack, in order, to viewers", async () => {
  const services = createServices(await testConfig());
  try {
    await withServer(
      async ({ base }) => {
        const colors = [[255, 0, 0], [0, 255, 0], [0, 0, 255]];
        const first = await fetch(`${base}/streams/cam`, {
          method: "PUT",
          body: encodeNpy({ shape: [8, 16, 3], dtype: "uint8", data: new Uint8Array(384) }),
          headers: { "content-type": "application/x-npy" },
        });
        assert.equal(first.status, 204);
        const res = await fetch(`${base}/streams/cam.mjpg`);
        const reader = new MjpegReader(res.body!);
        try {
          await reader.next();
          await withTempDir(async (dir) => {
            await Deno.writeFile(`${dir}/frames.npy`, stack(colors, 16, 8));
            const run = await runClient(
              dir,
              "--push",
              `${base}/streams/cam`,
              "frames.npy",
              "--fps",
              "20",
            );
            assert.equal(run.code, 0, run.stderr);
            assert.match(
              run.stdout,
              new RegExp(`^pushed 3 frames to ${base}/streams/cam in \\d+\\.\\d s; watch `),
            );
          });
          const status = await (await fetch(`${base}/streams/cam`)).json();
          assert.deepEqual([status.frames, status.width, status.height], [4, 16, 8]);
          let last;
          let previous = 1;
          do {
            const part = await reader.next();
            assert.ok(part !== undefined);
            const n = Number(part.headers["x-frame-number"]);
            assert.ok(n > previous, `frame ${n} after ${previous}`);
            previous = n;
            last = await decodePixels(part.body);
          } while (previous < 4);
          assert.deepEqual([...last.rgba.subarray(0, 4)].map((v) => Math.round(v / 8)), [
            0,
            0,
            32,
            32,
          ]);
        } finally {
          await reader.cancel();
        }
      },
      {},
      { services },
    );
  } finally {
    services.close();
  }
});

Deno.test("deno task fetch --push reports a refused frame and a bad file", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/bad.npy`, "not numpy");
    const bad = await runClient(dir, "--push", "http://127.0.0.1:9/streams/x", "bad.npy");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^fetch: bad\.npy: .*\\x93NUMPY/);
    const usage = await runClient(dir, "--push", "x");
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /^fetch: --push takes one frames file, got 0\n/);
  });
  const services = createServices(await testConfig({ maxStreams: 1 }));
  try {
    await withServer(
      async ({ base }) => {
        const taken = await fetch(`${base}/streams/other`, {
          method: "PUT",
          body: encodeNpy({ shape: [2, 2], dtype: "uint8", data: new Uint8Array(4) }),
          headers: { "content-type": "application/x-npy" },
        });
        assert.equal(taken.status, 204);
        await withTempDir(async (dir) => {
          await Deno.writeFile(`${dir}/f.npy`, stack([[1, 2, 3]], 2, 2));
          const run = await runClient(dir, "--push", `${base}/streams/cam`, "f.npy");
          assert.equal(run.code, 1);
          assert.equal(
            run.stderr,
            'fetch: frame 1 of 1: 429 {"error":"too_many_streams",' +
              '"detail":"1 streams exist, MAX_STREAMS is 1"}\n',
          );
        });
      },
      { maxStreams: 1 },
      { services },
    );
  } finally {
    services.close();
  }
});
