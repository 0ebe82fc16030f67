import assert from "node:assert/strict";
import { LAST_MODIFIED, PIXELS_BIN, withMedia } from "./_media.ts";
import { assertSamplePattern, decodePixels } from "./_pixels.ts";
import { PROJECT_DIR, withServer } from "./_server.ts";

const IDENTITY = { "accept-encoding": "identity" };
const ETAG = `W/"18cc820d888-186a0"`;
const SIZE = PIXELS_BIN.byteLength;
const FILES = {
  "pixels.bin": PIXELS_BIN,
  "empty.png": new Uint8Array(),
  "notes.txt": "plain text\n",
  "café.png": PIXELS_BIN.subarray(0, 10),
};

/** Every header but `date`, as a plain object. */
function headersOf(res: Response): Record<string, string> {
  return Object.fromEntries([...res.headers].filter(([name]) => name !== "date"));
}

async function bytesOf(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

function pixelHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    "accept-ranges": "bytes",
    "cache-control": "public, max-age=3600",
    "content-disposition": `inline; filename="pixels.bin"`,
    "content-type": "application/octet-stream",
    "etag": ETAG,
    "last-modified": LAST_MODIFIED,
    "x-content-type-options": "nosniff",
    ...extra,
  };
}

Deno.test("GET /files/sample.png streams the fixture byte for byte with exact headers", async () => {
  const expected = await Deno.readFile(`${PROJECT_DIR}/fixtures/sample.png`);
  const info = await Deno.stat(`${PROJECT_DIR}/fixtures/sample.png`);
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/files/sample.png`, { headers: IDENTITY });
    const bytes = await bytesOf(res);
    assert.equal(res.status, 200);
    assert.deepEqual(headersOf(res), {
      "accept-ranges": "bytes",
      "cache-control": "public, max-age=3600",
      "content-disposition": `inline; filename="sample.png"`,
      "content-length": "3204",
      "content-type": "image/png",
      "etag": `W/"${info.mtime!.getTime().toString(16)}-c84"`,
      "last-modified": info.mtime!.toUTCString(),
      "x-content-type-options": "nosniff",
    });
    assert.deepEqual(bytes, expected);
    assertSamplePattern(await decodePixels(bytes), 512, 512);
  });
});

Deno.test("GET /files/{path} sends the media type of each extension", async () => {
  await withServer(async ({ base }) => {
    for (
      const [path, type] of [
        ["photo.jpg", "image/jpeg"],
        ["frames.gif", "image/gif"],
        ["scan.tiff", "image/tiff"],
        ["nested/alpha.tiff", "image/tiff"],
        ["nested/tile.png", "image/png"],
        ["broken.png", "image/png"],
      ]
    ) {
      const res = await fetch(`${base}/files/${path}`, { headers: IDENTITY });
      const bytes = await bytesOf(res);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get("content-type"), type, path);
      assert.deepEqual(bytes, await Deno.readFile(`${PROJECT_DIR}/fixtures/${path}`), path);
    }
  });
});

Deno.test("GET /files/{path} sends text/plain for .txt and octet-stream for unknown", async () => {
  await withMedia({ "notes.txt": "hi\n", "data.qqq": "x", "README": "y" }, async ({ base }) => {
    for (
      const [path, type] of [
        ["notes.txt", "text/plain"],
        ["data.qqq", "application/octet-stream"],
        ["README", "application/octet-stream"],
      ]
    ) {
      const res = await fetch(`${base}/files/${path}`, { headers: IDENTITY });
      await res.body?.cancel();
      assert.equal(res.headers.get("content-type"), type, path);
    }
  });
});

Deno.test("GET /files/{path} derives ETag and Last-Modified from mtime and size", async () => {
  await withMedia(FILES, async ({ base }) => {
    const res = await fetch(`${base}/files/pixels.bin`, { headers: IDENTITY });
    assert.deepEqual(await bytesOf(res), PIXELS_BIN);
    assert.deepEqual(headersOf(res), pixelHeaders({ "content-length": String(SIZE) }));
  });
});

Deno.test("HEAD /files/{path} answers the headers of GET and no body", async () => {
  await withMedia(FILES, async ({ base }) => {
    const res = await fetch(`${base}/files/pixels.bin`, { method: "HEAD", headers: IDENTITY });
    assert.equal(res.status, 200);
    assert.deepEqual(headersOf(res), pixelHeaders({ "content-length": String(SIZE) }));
    assert.equal((await bytesOf(res)).byteLength, 0);
  });
});

Deno.test("HEAD /files/{path} ignores Range and still honours If-None-Match", async () => {
  await withMedia(FILES, async ({ base }) => {
    const ranged = await fetch(`${base}/files/pixels.bin`, {
      method: "HEAD",
      headers: { ...IDENTITY, range: "bytes=0-9" },
    });
    await ranged.body?.cancel();
    assert.equal(ranged.status, 200);
    assert.equal(ranged.headers.get("content-length"), String(SIZE));
    const cached = await fetch(`${base}/files/pixels.bin`, {
      method: "HEAD",
      headers: { "if-none-match": ETAG },
    });
    await cached.body?.cancel();
    assert.equal(cached.status, 304);
  });
});

for (const inm of [ETAG, `"18cc820d888-186a0"`, `"x", ${ETAG}`, "*"]) {
  Deno.test(`GET /files/{path} answers 304 to If-None-Match: ${inm}`, async () => {
    await withMedia(FILES, async ({ base }) => {
      const res = await fetch(`${base}/files/pixels.bin`, {
        headers: { ...IDENTITY, "if-none-match": inm },
      });
      assert.equal(res.status, 304);
      assert.equal((await bytesOf(res)).byteLength, 0);
      assert.deepEqual(headersOf(res), { "cache-control": "public, max-age=3600", "etag": ETAG });
    });
  });
}

Deno.test("GET /files/{path} answers 304 to If-Modified-Since at or after Last-Modified", async () => {
  await withMedia(FILES, async ({ base }) => {
    for (
      const [since, status] of [
        [LAST_MODIFIED, 304],
        ["Wed, 03 Jan 2024 00:00:00 GMT", 304],
        ["Tue, 02 Jan 2024 03:04:04 GMT", 200],
        ["not a date", 200],
      ] as const
    ) {
      const res = await fetch(`${base}/files/pixels.bin`, {
        headers: { ...IDENTITY, "if-modified-since": since },
      });
      await res.body?.cancel();
      assert.equal(res.status, status, since);
    }
  });
});

Deno.test("GET /files/{path} reads If-Modified-Since only without If-None-Match", async () => {
  await withMedia(FILES, async ({ base }) => {
    const res = await fetch(`${base}/files/pixels.bin`, {
      headers: { ...IDENTITY, "if-none-match": `"other"`, "if-modified-since": LAST_MODIFIED },
    });
    assert.deepEqual(await bytesOf(res), PIXELS_BIN);
    assert.equal(res.status, 200);
  });
});

for (
  const [name, headers] of [
    ["If-Match with another tag", { "if-match": `"other"` }],
    ["If-Match with the weak tag", { "if-match": ETAG }],
    ["If-Unmodified-Since before Last-Modified", {
      "if-unmodified-since": "Mon, 01 Jan 2024 00:00:00 GMT",
    }],
  ] as const
) {
  Deno.test(`GET /files/{path} answers 412 to ${name}`, async () => {
    await withMedia(FILES, async ({ base }) => {
      const res = await fetch(`${base}/files/pixels.bin`, { headers: { ...IDENTITY, ...headers } });
      assert.equal(res.status, 412);
      assert.deepEqual(await res.json(), {
        error: "precondition_failed",
        detail: "the file does not match If-Match or was modified after If-Unmodified-Since",
      });
    });
  });
}

Deno.test("GET /files/{path} proceeds on If-Match: * and a later If-Unmodified-Since", async () => {
  await withMedia(FILES, async ({ base }) => {
    const conditions: Record<string, string>[] = [
      { "if-match": "*" },
      { "if-unmodified-since": LAST_MODIFIED },
    ];
    for (const headers of conditions) {
      const res = await fetch(`${base}/files/pixels.bin`, { headers: { ...IDENTITY, ...headers } });
      assert.deepEqual(await bytesOf(res), PIXELS_BIN);
      assert.equal(res.status, 200);
    }
  });
});

for (
  const [range, start, end] of [
    ["bytes=0-99", 0, 99],
    ["bytes=1000-1999", 1000, 1999],
    ["bytes=99900-", 99900, 99999],
    ["bytes=-100", 99900, 99999],
    ["bytes=0-", 0, 99999],
    ["bytes=99999-200000", 99999, 99999],
    ["bytes=0-50,40-99", 0, 99],
  ] as const
) {
  Deno.test(`GET /files/{path} answers 206 with the exact bytes (${range})`, async () => {
    await withMedia(FILES, async ({ base }) => {
      const res = await fetch(`${base}/files/pixels.bin`, { headers: { ...IDENTITY, range } });
      assert.equal(res.status, 206);
      assert.deepEqual(await bytesOf(res), PIXELS_BIN.slice(start, end + 1));
      assert.deepEqual(
        headersOf(res),
        pixelHeaders({
          "content-length": String(end - start + 1),
          "content-range": `bytes ${start}-${end}/${SIZE}`,
        }),
      );
    });
  });
}

/** Splits a multipart/byteranges body into its parts' headers and bytes. */
function parseByteranges(
  body: Uint8Array,
  boundary: string,
): { headers: Record<string, string>; bytes: Uint8Array }[] {
  const latin1 = Array.from(body, (b) => String.fromCharCode(b)).join("");
  assert.ok(latin1.startsWith(`--${boundary}\r\n`));
  assert.ok(latin1.endsWith(`\r\n--${boundary}--\r\n`));
  const parts = latin1.slice(0, -`\r\n--${boundary}--\r\n`.length).split(`\r\n--${boundary}\r\n`);
  parts[0] = parts[0].slice(`--${boundary}\r\n`.length);
  return parts.map((part) => {
    const split = part.indexOf("\r\n\r\n");
    const headers = Object.fromEntries(
      part.slice(0, split).split("\r\n").map((line) => line.split(": ") as [string, string]),
    );
    return { headers, bytes: Uint8Array.from(part.slice(split + 4), (c) => c.charCodeAt(0)) };
  });
}

Deno.test("GET /files/{path} answers several ranges with multipart/byteranges", async () => {
  await withMedia(FILES, async ({ base }) => {
    const res = await fetch(`${base}/files/pixels.bin`, {
      headers: { ...IDENTITY, range: "bytes=500-509, 0-9, -10" },
    });
    const body = await bytesOf(res);
    assert.equal(res.status, 206);
    const type = res.headers.get("content-type") ?? "";
    const boundary = /^multipart\/byteranges; boundary=(pixserve-[0-9a-f]{24})$/.exec(type)?.[1];
    assert.ok(boundary !== undefined, type);
    assert.equal(res.headers.get("content-length"), String(body.byteLength));
    assert.equal(res.headers.get("content-range"), null);
    assert.deepEqual(parseByteranges(body, boundary), [
      {
        headers: {
          "Content-Type": "application/octet-stream",
          "Content-Range": `bytes 0-9/${SIZE}`,
        },
        bytes: PIXELS_BIN.slice(0, 10),
      },
      {
        headers: {
          "Content-Type": "application/octet-stream",
          "Content-Range": `bytes 500-509/${SIZE}`,
        },
        bytes: PIXELS_BIN.slice(500, 510),
      },
      {
        headers: {
          "Content-Type": "application/octet-stream",
          "Content-Range": `bytes 99990-99999/${SIZE}`,
        },
        bytes: PIXELS_BIN.slice(99990),
      },
    ]);
  });
});

for (
  const [why, range] of [
    ["malformed", "bytes=abc"],
    ["invalid (last before first)", "bytes=9-0"],
    ["in another unit", "items=0-9"],
    ["17 ranges", "bytes=" + Array.from({ length: 17 }, (_, i) => `${i * 10}-${i * 10}`).join()],
    ["ranges adding up past the size", "bytes=0-60000,50000-"],
  ] as const
) {
  Deno.test(`GET /files/{path} ignores a Range ${why} and answers 200`, async () => {
    await withMedia(FILES, async ({ base }) => {
      const res = await fetch(`${base}/files/pixels.bin`, { headers: { ...IDENTITY, range } });
      assert.deepEqual(await bytesOf(res), PIXELS_BIN);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-length"), String(SIZE));
      assert.equal(res.headers.get("content-range"), null);
    });
  });
}

Deno.test("GET /files/{path} answers 416 with bytes */size past the end", async () => {
  await withMedia(FILES, async ({ base }) => {
    for (
      const [path, range, size] of [["pixels.bin", "bytes=100000-", SIZE], [
        "empty.png",
        "bytes=0-",
        0,
      ]] as const
    ) {
      const res = await fetch(`${base}/files/${path}`, { headers: { ...IDENTITY, range } });
      assert.equal(res.status, 416);
      assert.equal(res.headers.get("content-range"), `bytes */${size}`);
      assert.deepEqual(await res.json(), {
        error: "range_not_satisfiable",
        detail: `no range asked starts within the ${size} bytes of the file`,
      });
    }
  });
});

Deno.test("GET /files/{path} serves an empty file with Content-Length: 0", async () => {
  await withMedia(FILES, async ({ base }) => {
    const res = await fetch(`${base}/files/empty.png`, { headers: IDENTITY });
    assert.equal((await bytesOf(res)).byteLength, 0);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-length"), "0");
  });
});

Deno.test("GET /files/{path} honours Range when If-Range holds its Last-Modified", async () => {
  await withMedia(FILES, async ({ base }) => {
    const res = await fetch(`${base}/files/pixels.bin`, {
      headers: { ...IDENTITY, range: "bytes=10-19", "if-range": LAST_MODIFIED },
    });
    assert.deepEqual(await bytesOf(res), PIXELS_BIN.slice(10, 20));
    assert.equal(res.status, 206);
  });
});

for (
  const [why, ifRange] of [
    ["an older date", "Mon, 01 Jan 2024 00:00:00 GMT"],
    ["the weak ETag (never a strong match)", ETAG],
    ["another entity tag", `"other"`],
  ] as const
) {
  Deno.test(`GET /files/{path} sends the full 200 when If-Range is ${why}`, async () => {
    await withMedia(FILES, async ({ base }) => {
      const res = await fetch(`${base}/files/pixels.bin`, {
        headers: { ...IDENTITY, range: "bytes=10-19", "if-range": ifRange },
      });
      assert.deepEqual(await bytesOf(res), PIXELS_BIN);
      assert.equal(res.status, 200);
    });
  });
}

Deno.test("GET /files/{path}?download answers Content-Disposition: attachment", async () => {
  await withMedia(FILES, async ({ base }) => {
    const res = await fetch(`${base}/files/pixels.bin?download`, { headers: IDENTITY });
    await res.body?.cancel();
    assert.equal(res.headers.get("content-disposition"), `attachment; filename="pixels.bin"`);
  });
});

Deno.test("GET /files/{path} names a non-ASCII file with an RFC 8187 filename*", async () => {
  await withMedia(FILES, async ({ base }) => {
    const res = await fetch(`${base}/files/caf%C3%A9.png?download=1`, { headers: IDENTITY });
    assert.deepEqual(await bytesOf(res), PIXELS_BIN.subarray(0, 10));
    assert.equal(res.headers.get("content-type"), "image/png");
    assert.equal(
      res.headers.get("content-disposition"),
      `attachment; filename="cafe.png"; filename*=UTF-8''caf%C3%A9.png`,
    );
  });
});

Deno.test("GET /files/{path}?filename= renames the download, keeps the type, checks the name", async () => {
  await withMedia(FILES, async ({ base }) => {
    const res = await fetch(`${base}/files/pixels.bin?filename=data.txt`, { headers: IDENTITY });
    await res.body?.cancel();
    assert.equal(res.headers.get("content-disposition"), `inline; filename="data.txt"`);
    assert.equal(res.headers.get("content-type"), "application/octet-stream");
    const bad = await fetch(`${base}/files/pixels.bin?filename=a%2Fb`, { headers: IDENTITY });
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), {
      error: "invalid_filename",
      detail: `file name "a/b" contains a path separator`,
    });
  });
});

for (
  const [what, path, detail] of [
    ["a missing file", "missing.png", `nothing is served at "missing.png"`],
    ["a folder", "nested", `nested is not a file`],
    ["a dotfile", ".secret.png", `nothing is served at ".secret.png"`],
  ] as const
) {
  Deno.test(`GET /files/${path} answers 404 for ${what}`, async () => {
    await withServer(async ({ base }) => {
      const res = await fetch(`${base}/files/${path}`, { headers: IDENTITY });
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { error: "not_found", detail });
    });
  });
}

Deno.test("GET /files/nested/ (a folder with a slash) lists nothing: 404", async () => {
  await withServer(async ({ base }) => {
    const res = await fetch(`${base}/files/nested/`, { headers: IDENTITY });
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error, "not_found");
  });
});
