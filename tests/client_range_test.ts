import assert from "node:assert/strict";
import { listDir, runClient, withTempDir } from "./_client.ts";
import { assertSamplePattern, decodePixels } from "./_pixels.ts";
import { PROJECT_DIR, withServer } from "./_server.ts";

const SAMPLE = await Deno.readFile(`${PROJECT_DIR}/fixtures/sample.png`);
const SIZE = SAMPLE.byteLength;

Deno.test("fetch --range 0-99 saves the exact part of /files/sample.png and prints Content-Range", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      const run = await runClient(dir, `${base}/files/sample.png`, "--range", "0-99");
      assert.equal(run.code, 0, run.stderr);
      assert.equal(
        run.stdout,
        [
          "status: 206 Partial Content",
          "content-type: image/png",
          `content-range: bytes 0-99/${SIZE}`,
          "size: 100 bytes (100 B)",
          "saved: sample.png",
          "",
        ].join("\n"),
      );
      assert.deepEqual(await Deno.readFile(`${dir}/sample.png`), SAMPLE.subarray(0, 100));
    });
  });
});

Deno.test("fetch --range=-100 saves the last 100 bytes of /files/sample.png", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      const run = await runClient(dir, `${base}/files/sample.png`, "--range=-100", "-o", "t.bin");
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stdout,
        new RegExp(`^content-range: bytes ${SIZE - 100}-${SIZE - 1}/${SIZE}$`, "m"),
      );
      assert.deepEqual(await Deno.readFile(`${dir}/t.bin`), SAMPLE.subarray(SIZE - 100));
    });
  });
});

Deno.test("fetch --range past the end prints the 416 JSON error and exits 1", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      const url = `${base}/files/sample.png`;
      const run = await runClient(dir, url, "--range", "99999-");
      const res = await fetch(url, { headers: { range: "bytes=99999-" } });
      const { error, detail } = await res.json();
      assert.equal(res.status, 416);
      assert.equal(run.code, 1);
      assert.equal(
        run.stdout,
        "status: 416 Range Not Satisfiable\ncontent-type: application/json\n",
      );
      assert.equal(run.stderr, `${error}: ${detail}\n`);
      assert.deepEqual(await listDir(dir), []);
    });
  });
});

Deno.test("fetch -C completes a partial copy of /files/sample.png with the exact bytes", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/sample.png`, SAMPLE.subarray(0, 1000));
      const run = await runClient(dir, `${base}/files/sample.png`, "-C");
      assert.equal(run.code, 0, run.stderr);
      assert.equal(
        run.stdout,
        [
          "status: 206 Partial Content",
          "content-type: image/png",
          `content-range: bytes 1000-${SIZE - 1}/${SIZE}`,
          `size: ${SIZE} bytes (3.1 KiB)`,
          "image: 512×512 png",
          "saved: sample.png",
          "",
        ].join("\n"),
      );
      const saved = await Deno.readFile(`${dir}/sample.png`);
      assert.deepEqual(saved, SAMPLE);
      assertSamplePattern(await decodePixels(saved), 512, 512);
    });
  });
});

Deno.test("fetch --range 0-999 then -C rebuilds /files/sample.png whole", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      const url = `${base}/files/sample.png`;
      assert.equal((await runClient(dir, url, "--range", "0-999")).code, 0);
      assert.equal((await Deno.stat(`${dir}/sample.png`)).size, 1000);
      const run = await runClient(dir, url, "-C");
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await Deno.readFile(`${dir}/sample.png`), SAMPLE);
    });
  });
});

Deno.test("fetch -C on a complete copy of /files/sample.png says so and exits 0", async () => {
  await withServer(async ({ base }) => {
    await withTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/sample.png`, SAMPLE);
      const run = await runClient(dir, `${base}/files/sample.png`, "-C");
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^status: 416 Range Not Satisfiable$/m);
      assert.match(run.stdout, /^note: sample\.png is already complete$/m);
      assert.match(run.stdout, /^image: 512×512 png$/m);
      assert.deepEqual(await Deno.readFile(`${dir}/sample.png`), SAMPLE);
    });
  });
});

Deno.test("fetch -C fetches /files/<file> whole when it changed after the kept validator", async () => {
  await withTempDir(async (media) => {
    const old = new Uint8Array(50_000).fill(1);
    const current = new Uint8Array(60_000).fill(2);
    await Deno.writeFile(`${media}/data.bin`, old);
    await Deno.utime(`${media}/data.bin`, 1_700_000_000, 1_700_000_000);
    await withServer(async ({ base }) => {
      await withTempDir(async (dir) => {
        const url = `${base}/files/data.bin`;
        const head = await fetch(url, { method: "HEAD" });
        const lastModified = head.headers.get("last-modified") ?? "";
        assert.notEqual(lastModified, "");
        await Deno.writeFile(`${dir}/data.bin`, old.subarray(0, 20_000));
        await Deno.writeTextFile(`${dir}/data.bin.resume`, `${lastModified}\n`);
        await Deno.writeFile(`${media}/data.bin`, current);
        await Deno.utime(`${media}/data.bin`, 1_800_000_000, 1_800_000_000);
        const run = await runClient(dir, url, "-C");
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^status: 200 OK$/m);
        assert.match(run.stdout, /^note: the file changed on the server/m);
        assert.deepEqual(await Deno.readFile(`${dir}/data.bin`), current);
        assert.deepEqual(await listDir(dir), ["data.bin"]);
      });
    }, { mediaRoot: media });
  });
});
