import assert from "node:assert/strict";
import { decodeMediaPath, resolveMediaPath } from "../lib/files/media_path.ts";
import { rawRequest } from "./_raw_http.ts";
import { withServer } from "./_server.ts";

const SECRET = "secret outside the media root\n";

/**
 * A folder holding `outside.txt` and the media root `root/`, whose symlinks
 * point inside, outside and at dotfiles.
 */
async function withTraps(fn: (port: number, root: string) => Promise<void>): Promise<void> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "pixserve-traversal-" }));
  const root = `${base}/root`;
  try {
    await Deno.mkdir(`${root}/.git`, { recursive: true });
    await Deno.writeTextFile(`${base}/outside.txt`, SECRET);
    await Deno.writeTextFile(`${base}/outside.png`, SECRET);
    await Deno.writeTextFile(`${root}/ok.png`, "inside\n");
    await Deno.writeTextFile(`${root}/.env`, SECRET);
    await Deno.writeTextFile(`${root}/.git/config`, SECRET);
    await Deno.symlink("../outside.txt", `${root}/link_out.png`);
    await Deno.symlink(`${base}/outside.txt`, `${root}/link_abs.png`);
    await Deno.symlink("/etc/passwd", `${root}/passwd.png`);
    await Deno.symlink("ok.png", `${root}/link_in.png`);
    await Deno.symlink(".env", `${root}/link_dot.png`);
    await Deno.symlink("..", `${root}/up`);
    await withServer(({ base }) => fn(Number(new URL(base).port), root), { mediaRoot: root });
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

const NOT_FOUND: [string, string][] = [
  ["a raw .. segment", "/files/../outside.txt"],
  ["raw .. segments to /etc/passwd", "/files/../../../../etc/passwd"],
  ["%2e%2e segments", "/files/%2e%2e/outside.txt"],
  ["mixed .%2e segments", "/files/.%2e/outside.txt"],
  ["..%2f in one segment", "/files/..%2foutside.txt"],
  ["%2e%2e%2f in one segment", "/files/%2e%2e%2foutside.txt"],
  ["upper-case %2E%2E%2F", "/files/%2E%2E%2Foutside.txt"],
  ["double-encoded %252e%252e%252f", "/files/%252e%252e%252foutside.txt"],
  ["double-encoded %252e%252e/", "/files/%252e%252e/outside.txt"],
  ["an encoded backslash ..%5c", "/files/..%5coutside.txt"],
  ["an encoded backslash inside a name", "/files/ok%5c..%5c..%5coutside.txt"],
  ["a NUL byte", "/files/ok.png%00"],
  ["a NUL byte before an extension", "/files/outside.txt%00.png"],
  ["a control character", "/files/ok%0a.png"],
  ["an absolute path, encoded", "/files/%2fetc%2fpasswd"],
  ["an absolute path, doubled slash", "/files//etc/passwd"],
  ["a symlink to a file outside the root", "/files/link_out.png"],
  ["an absolute symlink outside the root", "/files/link_abs.png"],
  ["a symlink to /etc/passwd", "/files/passwd.png"],
  ["a symlinked folder leading out", "/files/up/outside.txt"],
  ["a symlink to a dotfile inside the root", "/files/link_dot.png"],
  ["a dotfile", "/files/.env"],
  ["a file in a dot folder", "/files/.git/config"],
  [".. after a file name", "/files/ok.png/%2e%2e/%2e%2e/outside.txt"],
  ["a file name used as a folder", "/files/ok.png/x"],
  ["a 256-byte segment", `/files/${"a".repeat(256)}`],
  ["a traversal on /stream", "/stream/..%2foutside.txt"],
  ["a symlink out on /stream", "/stream/link_out.png"],
  ["a traversal on /images", "/images/..%2foutside.png"],
  ["a symlinked folder on /images", "/images/up/outside.png"],
  ["a dotfile on /images", "/images/.env.png"],
];

for (const [what, target] of NOT_FOUND) {
  Deno.test(`GET ${target} (${what}) answers 404 and never the file`, async () => {
    await withTraps(async (port) => {
      const res = await rawRequest(port, target);
      const body = new TextDecoder().decode(res.body);
      assert.equal(res.status, 404, body);
      assert.equal(res.headers.get("content-type"), "application/json");
      assert.equal(JSON.parse(body).error, "not_found");
      assert.ok(!body.includes("secret"));
    });
  });
}

for (const target of ["/files/..\\outside.txt", "/files/..\\..\\etc\\passwd"]) {
  Deno.test(`GET ${target} (raw backslashes) answers 400 or 404 and never the file`, async () => {
    await withTraps(async (port) => {
      const res = await rawRequest(port, target);
      assert.ok(res.status === 400 || res.status === 404, String(res.status));
      assert.ok(!new TextDecoder().decode(res.body).includes("secret"));
    });
  });
}

Deno.test("GET /files/%zz (malformed percent-encoding) answers 400 invalid_path", async () => {
  await withTraps(async (port) => {
    const res = await rawRequest(port, "/files/%zz.png");
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(res.body)), {
      error: "invalid_path",
      detail: `malformed percent-encoding in "%zz.png"`,
    });
  });
});

Deno.test("GET /files/link_in.png serves a symlink that stays inside the root", async () => {
  await withTraps(async (port) => {
    const res = await rawRequest(port, "/files/link_in.png");
    assert.equal(res.status, 200);
    assert.equal(new TextDecoder().decode(res.body), "inside\n");
    assert.equal(res.headers.get("content-disposition"), `inline; filename="link_in.png"`);
  });
});

Deno.test("resolveMediaPath() returns the real path and the asked name", async () => {
  await withTraps(async (_port, root) => {
    assert.deepEqual(await resolveMediaPath(root, "link_in.png"), {
      path: `${root}/ok.png`,
      name: "link_in.png",
    });
  });
});

const SEGMENTS: [string, string[] | "404" | "400"][] = [
  ["a/b.png", ["a", "b.png"]],
  ["r%C3%A9sum%C3%A9.png", ["résumé.png"]],
  ["a%20b.png", ["a b.png"]],
  ["%252e", ["%2e"]],
  ["a%2fb", "404"],
  ["..", "404"],
  [".", "404"],
  ["a//b", "404"],
  ["a/", "404"],
  ["%5c", "404"],
  ["%00", "404"],
  ["%7f", "404"],
  ["%E0%A4%A", "400"],
  ["%", "400"],
];

for (const [raw, expected] of SEGMENTS) {
  Deno.test(`decodeMediaPath(${JSON.stringify(raw)}) → ${JSON.stringify(expected)}`, () => {
    if (Array.isArray(expected)) {
      assert.deepEqual(decodeMediaPath(raw), expected);
    } else {
      assert.throws(() => decodeMediaPath(raw), { status: Number(expected) });
    }
  });
}
