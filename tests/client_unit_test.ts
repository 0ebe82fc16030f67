import assert from "node:assert/strict";
import {
  contentLength,
  errorLine,
  networkErrorLine,
  parseContentRange,
  rangeValidator,
  unsatisfiedSize,
} from "../lib/client/answer.ts";
import { type FetchArgs, rangeHeader, readFetchArgs, UsageError } from "../lib/client/args.ts";
import { describeImage, webpSize } from "../lib/client/image_info.ts";
import {
  chooseFilename,
  dispositionFilename,
  MAX_NAME_BYTES,
  safeFilename,
  shownPath,
  urlFilename,
  userPath,
} from "../lib/client/names.ts";
import {
  formatBytes,
  LARGE_BODY_BYTES,
  progressStream,
  renderProgress,
} from "../lib/client/progress.ts";
import { dataMediaType } from "../lib/client/upload.ts";
import { encode } from "../lib/image/encode.ts";
import { sampleImage } from "../lib/image/sample.ts";

const SAFE_NAMES: readonly [string, string | undefined][] = [
  ["sample.png", "sample.png"],
  ["résumé €.png", "résumé €.png"],
  ["../../evil.png", "evil.png"],
  ["..\\..\\evil.png", "evil.png"],
  ["/etc/passwd", "passwd"],
  [".bashrc", "bashrc"],
  ["...", undefined],
  ["..", undefined],
  [".", undefined],
  ["", undefined],
  ["dir/", undefined],
  ["a\u0000b\nc.png", "a_b_c.png"],
  ['a<b>:"c|d?*.png', "a_b___c_d__.png"],
  ["  spaced.png. ", "spaced.png"],
  [`${"é".repeat(200)}.png`, `${"é".repeat(118)}.png`],
];

for (const [raw, expected] of SAFE_NAMES) {
  Deno.test(`safeFilename(${JSON.stringify(raw.slice(0, 20))}) is ${expected?.slice(0, 20)}`, () => {
    assert.equal(safeFilename(raw), expected);
  });
}

Deno.test("safeFilename() keeps names within MAX_NAME_BYTES UTF-8 bytes", () => {
  const name = safeFilename(`${"€".repeat(300)}.tiff`) ?? "";
  assert.ok(new TextEncoder().encode(name).length <= MAX_NAME_BYTES);
  assert.ok(name.endsWith("€.tiff"));
});

const DISPOSITIONS: readonly [string | null, string | undefined][] = [
  [`inline; filename="sample.png"`, "sample.png"],
  [`attachment; filename="resume.png"; filename*=UTF-8''r%C3%A9sum%C3%A9.png`, "résumé.png"],
  [`attachment; filename*=UTF-8''%E2%82%AC.png`, "€.png"],
  [`attachment; filename="a \\"q\\".png"`, 'a "q".png'],
  ["inline", undefined],
  ["garbage; ;; =", undefined],
  [null, undefined],
];

for (const [header, expected] of DISPOSITIONS) {
  Deno.test(`dispositionFilename(${header}) is ${expected}`, () => {
    assert.equal(dispositionFilename(header), expected);
  });
}

Deno.test("urlFilename() percent-decodes the last segment", () => {
  assert.equal(urlFilename(new URL("http://x/files/r%C3%A9.png?q=1")), "ré.png");
  assert.equal(urlFilename(new URL("http://x/files/%E0%A4%A")), "%E0%A4%A");
  assert.equal(urlFilename(new URL("http://x/files/")), undefined);
  assert.equal(urlFilename(new URL("http://x")), undefined);
});

const CHOICES: readonly [string | null, string, string | null, string][] = [
  [`inline; filename="sample.png"`, "http://x/image", "image/png", "sample.png"],
  [`attachment; filename="../../evil.png"`, "http://x/a", null, "evil.png"],
  [`attachment; filename=".."`, "http://x/files/a%2Fb.png", null, "b.png"],
  [null, "http://x/files/.env", null, "env"],
  [null, "http://x/", "image/webp", "download.webp"],
  [null, "http://x/", "application/json; charset=utf-8", "download.json"],
  [null, "http://x/", "application/x-npy", "download.npy"],
  [null, "http://x/", "text/plain", "download"],
  [null, "http://x/", null, "download"],
];

for (const [disposition, url, type, expected] of CHOICES) {
  Deno.test(`chooseFilename(${disposition}, ${url}, ${type}) is ${expected}`, () => {
    assert.equal(chooseFilename(disposition, new URL(url), type), expected);
  });
}

const PATHS: readonly [string, string][] = [
  ["a.png", "/w/a.png"],
  ["out/a.png", "/w/out/a.png"],
  ["./a.png", "/w/a.png"],
  ["out/../a.png", "/w/a.png"],
  ["/w/a.png", "/w/a.png"],
  ["../a.png", "/a.png"],
  ["/tmp/x/a.png", "/tmp/x/a.png"],
];

for (const [path, expected] of PATHS) {
  Deno.test(`userPath("/w", ${path}) is ${expected}`, () => {
    assert.equal(userPath("/w", path, "-o"), expected);
  });
}

Deno.test("userPath() refuses an empty path", () => {
  assert.throws(() => userPath("/w", "", "-o"), new UsageError("-o needs a path"));
});

Deno.test("shownPath() prints paths inside the working folder relative, others absolute", () => {
  assert.equal(shownPath("/w", "/w/out/a.png"), "out/a.png");
  assert.equal(shownPath("/w", "/tmp/a.png"), "/tmp/a.png");
  assert.equal(shownPath("/w", "/w"), "");
});

const ARGS: readonly [string[], Partial<FetchArgs> | "help" | RegExp][] = [
  [["http://h/a"], { output: undefined, resume: false, array: false }],
  [["http://h/a", "-o", "x.png"], { output: "x.png" }],
  [["-ox.png", "http://h/a"], { output: "x.png" }],
  [["http://h/a", "--output=x.png"], { output: "x.png" }],
  [["http://h/a", "--range", "0-99"], { range: "bytes=0-99" }],
  [["http://h/a", "--range=100-"], { range: "bytes=100-" }],
  [["http://h/a", "--range=-500"], { range: "bytes=-500" }],
  [["http://h/a", "--range", "-500"], /use '--range=-XYZ'/],
  [["http://h/a", "-C"], { resume: true }],
  [["http://h/a", "--continue", "-o", "f"], { resume: true, output: "f" }],
  [["http://h/a", "--array", "-o", "a.JPG"], { array: true }],
  [["http://h/a", "--data", "x.npy", "-o", "o.png"], { data: "x.npy" }],
  [["http://h/a", "--data", "x.png", "--array", "-o", "o.gif"], { data: "x.png", array: true }],
  [["--", "http://h/a"], { resume: false }],
  [["-h"], "help"],
  [["http://h/a", "--help"], "help"],
  [[], /a URL is required/],
  [["http://h/a", "http://h/b"], /one URL expected, got 2/],
  [["http://h/a", "--bogus"], /--bogus/],
  [["http://h/a", "-o"], /-o/],
  [["h/a"], /not a URL/],
  [["file:///etc/passwd"], /only http: and https:/],
  [["http://h/a", "--range", "5-4"], /--range/],
  [["http://h/a", "--range", "a-b"], /--range/],
  [["http://h/a", "--range", "-0"], /--range/],
  [["http://h/a", "--range", "1-2,4-5"], /--range/],
  [["http://h/a", "-C", "--range", "0-1"], /-C and --range/],
  [["http://h/a", "-C", "--data", "x.npy"], /-C resumes plain downloads/],
  [["http://h/a", "--array", "--range", "0-1", "-o", "a.png"], /--array needs the whole/],
  [["http://h/a", "--array", "-o", "a.npy"], /--array needs -o with an image/],
  [["http://h/a", "--cmap", "viridis"], /--cmap, --vmin, --vmax and --background go with --array/],
  [["http://h/a", "--fps", "5"], /--layout, --frames, --fps, .* go with --array/],
  [["http://h/a", "--scale-each"], /--scale-each and --bits go with --array/],
  [["depth.npy", "--array", "-o", "a.npy"], /--array needs -o with an image/],
  [["depth.npy", "--array", "--range", "0-1", "-o", "a.png"], /a local --array file goes with/],
];

/** The stack flags when none is given. */
const NO_STACK_FLAGS = {
  layout: undefined,
  frames: undefined,
  fps: undefined,
  duration: undefined,
  loop: undefined,
  grid: undefined,
  pad: undefined,
  padValue: undefined,
  scaleEach: undefined,
  bits: undefined,
};

Deno.test("readFetchArgs() reads --array FILE with display flags as a local render", () => {
  assert.deepEqual(
    readFetchArgs(["--array", "depth.npy", "--cmap", "viridis", "--vmin", "p2", "-o", "d.png"]),
    {
      file: "depth.npy",
      output: "d.png",
      display: { cmap: "viridis", vmin: "p2", vmax: undefined, background: undefined },
      stack: NO_STACK_FLAGS,
    },
  );
});

Deno.test("readFetchArgs() reads the stack flags of --array FILE as given", () => {
  const argv = [
    ...["--array", "frames.npy", "--layout", "chw", "--frames", "--fps", "2.5", "--loop", "3"],
    ...["--grid", "4", "--pad", "1", "--pad-value", "255", "--scale-each", "--bits", "16"],
    ...["--duration", "40", "-o", "f.png"],
  ];
  assert.deepEqual(readFetchArgs(argv), {
    file: "frames.npy",
    output: "f.png",
    display: { cmap: undefined, vmin: undefined, vmax: undefined, background: undefined },
    stack: {
      layout: "chw",
      frames: true,
      fps: "2.5",
      duration: "40",
      loop: "3",
      grid: "4",
      pad: "1",
      padValue: "255",
      scaleEach: true,
      bits: "16",
    },
  });
});

for (const [argv, expected] of ARGS) {
  Deno.test(`readFetchArgs(${JSON.stringify(argv)})`, () => {
    if (expected instanceof RegExp) {
      assert.throws(() => readFetchArgs(argv), (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.match(err.message, expected);
        return true;
      });
      return;
    }
    const read = readFetchArgs(argv);
    if (expected === "help") {
      assert.equal(read, "help");
      return;
    }
    if (read === "help" || read === "version" || "file" in read) {
      throw new Error(`${typeof read === "string" ? read : "local array"} for ${argv.join(" ")}`);
    }
    assert.equal(read.url.href, argv.find((a) => a.startsWith("http"))?.replace(/\/?$/, "") ?? "");
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(read[key as keyof FetchArgs], value, key);
    }
  });
}

Deno.test("rangeHeader() accepts A-B, A- and -N", () => {
  assert.equal(rangeHeader("0-0"), "bytes=0-0");
  assert.equal(rangeHeader("7-"), "bytes=7-");
  assert.equal(rangeHeader("-1"), "bytes=-1");
  assert.throws(() => rangeHeader(""), UsageError);
  assert.throws(() => rangeHeader("-"), UsageError);
  assert.throws(() => rangeHeader(" 1-2"), UsageError);
});

const BYTES: readonly [number, string][] = [
  [0, "0 B"],
  [1023, "1023 B"],
  [1024, "1.0 KiB"],
  [3204, "3.1 KiB"],
  [LARGE_BODY_BYTES, "1.0 MiB"],
  [1.5 * 1024 ** 3, "1.5 GiB"],
  [2 * 1024 ** 5, "2048.0 TiB"],
];

for (const [bytes, expected] of BYTES) {
  Deno.test(`formatBytes(${bytes}) is ${expected}`, () => {
    assert.equal(formatBytes(bytes), expected);
  });
}

const BARS: readonly [number, number | undefined, number, string][] = [
  [0, 1024, 10, "[..........]   0%  0 B / 1.0 KiB"],
  [512, 1024, 10, "[#####.....]  50%  512 B / 1.0 KiB"],
  [1024, 1024, 10, "[##########] 100%  1.0 KiB / 1.0 KiB"],
  [2048, 1024, 4, "[####] 100%  2.0 KiB / 1.0 KiB"],
  [2048, undefined, 10, "2.0 KiB received"],
  [5, 0, 10, "5 B received"],
];

for (const [received, total, width, expected] of BARS) {
  Deno.test(`renderProgress(${received}, ${total}, ${width})`, () => {
    assert.equal(renderProgress(received, total, width), expected);
  });
}

async function drawn(
  sizes: number[],
  total: number | undefined,
  offset = 0,
): Promise<string> {
  let text = "";
  const chunks = sizes.map((n) => new Uint8Array(n));
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks.shift();
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
  let passed = 0;
  for await (
    const chunk of body.pipeThrough(progressStream(total, { write: (t) => text += t }, offset))
  ) {
    passed += chunk.byteLength;
  }
  assert.equal(passed, sizes.reduce((a, b) => a + b, 0));
  return text;
}

Deno.test("progressStream() draws nothing for a small body", async () => {
  assert.equal(await drawn([1000, 1000], 2000), "");
  assert.equal(await drawn([1000, 1000], undefined), "");
});

Deno.test("progressStream() ends a large body's bar at 100% and a new line", async () => {
  const text = await drawn([LARGE_BODY_BYTES, LARGE_BODY_BYTES], 2 * LARGE_BODY_BYTES);
  assert.ok(text.startsWith("\r["), text);
  assert.ok(text.endsWith("\r[##############################] 100%  2.0 MiB / 2.0 MiB\x1b[K\n"));
});

Deno.test("progressStream() counts bytes when the length is unknown", async () => {
  const text = await drawn([LARGE_BODY_BYTES / 2, LARGE_BODY_BYTES], undefined);
  assert.ok(text.endsWith("\r1.5 MiB received\x1b[K\n"), text);
});

Deno.test("progressStream() counts the bytes already on disk of a resumed download", async () => {
  const text = await drawn([LARGE_BODY_BYTES], 2 * LARGE_BODY_BYTES, LARGE_BODY_BYTES);
  assert.ok(text.endsWith("] 100%  2.0 MiB / 2.0 MiB\x1b[K\n"), text);
});

const RANGES: readonly [string | null, ReturnType<typeof parseContentRange>][] = [
  ["bytes 0-99/3204", { start: 0, end: 99, total: 3204 }],
  ["bytes 3200-3203/3204", { start: 3200, end: 3203, total: 3204 }],
  ["bytes 5-9/*", { start: 5, end: 9, total: undefined }],
  ["bytes 9-5/10", undefined],
  ["bytes 0-10/10", undefined],
  ["bytes */10", undefined],
  ["items 0-1/2", undefined],
  [null, undefined],
];

for (const [value, expected] of RANGES) {
  Deno.test(`parseContentRange(${value})`, () => {
    assert.deepEqual(parseContentRange(value), expected);
  });
}

Deno.test("unsatisfiedSize() reads bytes */size only", () => {
  assert.equal(unsatisfiedSize("bytes */3204"), 3204);
  assert.equal(unsatisfiedSize("bytes 0-1/2"), undefined);
  assert.equal(unsatisfiedSize(null), undefined);
});

Deno.test("contentLength() reads digits only", () => {
  assert.equal(contentLength(new Headers({ "content-length": "3204" })), 3204);
  assert.equal(contentLength(new Headers({ "content-length": "-1" })), undefined);
  assert.equal(contentLength(new Headers()), undefined);
});

Deno.test("rangeValidator() prefers a strong ETag, never sends a weak one", () => {
  const lastModified = "Tue, 25 Nov 2025 21:24:00 GMT";
  assert.equal(rangeValidator(new Headers({ etag: `"a"`, "last-modified": lastModified })), `"a"`);
  assert.equal(
    rangeValidator(new Headers({ etag: `W/"a"`, "last-modified": lastModified })),
    lastModified,
  );
  assert.equal(rangeValidator(new Headers({ etag: `W/"a"` })), undefined);
  assert.equal(rangeValidator(new Headers()), undefined);
});

const ERROR_LINES: readonly [number, string, string, string][] = [
  [404, "Not Found", `{"error":"not_found","detail":"nothing at /x"}`, "not_found: nothing at /x"],
  [502, "Bad Gateway", "<html>\nproxy down</html>", "error: HTTP 502 Bad Gateway: <html>"],
  [500, "", "", "error: HTTP 500"],
  [400, "Bad Request", `{"error":1}`, `error: HTTP 400 Bad Request: {"error":1}`],
];

for (const [status, text, body, expected] of ERROR_LINES) {
  Deno.test(`errorLine(${status}, ${JSON.stringify(body)})`, () => {
    assert.equal(errorLine(status, text, body), expected);
  });
}

Deno.test("networkErrorLine() names the host and the innermost reason", () => {
  const cause = new Error(
    "error sending request for url (http://127.0.0.1:9/x): client error (Connect): " +
      "tcp connect error: Connection refused (os error 111)",
  );
  assert.equal(
    networkErrorLine(new URL("http://127.0.0.1:9/x"), new TypeError("fetch failed", { cause })),
    "network error: cannot reach 127.0.0.1:9: Connection refused (os error 111)",
  );
  assert.equal(
    networkErrorLine(new URL("http://h:1/"), new TypeError("blocked")),
    "network error: cannot reach h:1: blocked",
  );
});

const MEDIA: readonly [string, number[], string][] = [
  ["a.npy", [], "application/x-npy"],
  ["a.NPZ", [], "application/zip"],
  ["a.json", [], "application/json"],
  ["a.png", [], "image/png"],
  ["a.jpg", [], "image/jpeg"],
  ["a.tif", [], "image/tiff"],
  ["a.webp", [], "image/webp"],
  ["blob", [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], "application/x-npy"],
  ["blob", [0x50, 0x4b, 0x03, 0x04], "application/zip"],
  ["blob", [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "image/png"],
  ["blob", [0x49, 0x49, 0x2a, 0x00], "image/tiff"],
  ["blob", [0x20, 0x5b, 0x5b], "application/json"],
  ["blob.bin", [1, 2, 3], "application/octet-stream"],
];

for (const [path, bytes, expected] of MEDIA) {
  Deno.test(`dataMediaType(${path}, [${bytes.slice(0, 3)}…]) is ${expected}`, () => {
    assert.equal(dataMediaType(path, new Uint8Array(bytes)), expected);
  });
}

Deno.test("describeImage() decodes PNG, JPEG and GIF, reads WebP sizes from the header", async () => {
  const image = sampleImage(48, 20);
  for (const format of ["png", "jpeg", "gif"] as const) {
    assert.deepEqual(await describeImage(await encode(image, format)), {
      format,
      width: 48,
      height: 20,
      decoded: true,
    });
  }
  for (const quality of [undefined, 80]) {
    const webp = await encode(image, "webp", { quality });
    assert.deepEqual(webpSize(webp), { width: 48, height: 20 });
    assert.deepEqual(await describeImage(webp), {
      format: "webp",
      width: 48,
      height: 20,
      decoded: false,
    });
  }
  assert.equal(
    await describeImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a])),
    undefined,
  );
  assert.equal(await describeImage(new TextEncoder().encode("{}")), undefined);
});

Deno.test("webpSize() reads the VP8X canvas size", () => {
  const bytes = new Uint8Array(30);
  bytes.set(new TextEncoder().encode("RIFF\0\0\0\0WEBPVP8X"), 0);
  bytes.set([0xff, 0x07, 0x00, 0x37, 0x04, 0x00], 24);
  assert.deepEqual(webpSize(bytes), { width: 2048, height: 1080 });
  assert.equal(webpSize(bytes.subarray(0, 29)), undefined);
});
