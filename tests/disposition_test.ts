import assert from "node:assert/strict";
import { parse } from "content-disposition";
import { HttpError } from "../lib/errors.ts";
import { asciiFallback, checkFilename, contentDisposition } from "../lib/http/disposition.ts";

Deno.test("contentDisposition() writes quoted names and filename* for non-ASCII", () => {
  const cases: [string, "inline" | "attachment", string][] = [
    ["sample.png", "inline", `inline; filename="sample.png"`],
    ["a b.png", "attachment", `attachment; filename="a b.png"`],
    [`q"uote.png`, "inline", `inline; filename="q\\"uote.png"`],
    ["100%.png", "inline", `inline; filename="100%.png"; filename*=UTF-8''100%25.png`],
    [
      "résumé.png",
      "attachment",
      `attachment; filename="resume.png"; filename*=UTF-8''r%C3%A9sum%C3%A9.png`,
    ],
    ["日本.png", "inline", `inline; filename="__.png"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.png`],
  ];
  for (const [name, type, expected] of cases) {
    const header = contentDisposition(name, type);
    assert.equal(header, expected);
    assert.deepEqual({ ...parse(header).parameters }, { filename: name });
  }
});

Deno.test("checkFilename() rejects empty names, separators and control characters", () => {
  const bad: [string, string][] = [
    ["", "is empty"],
    ["   ", "is empty"],
    ["a/b.png", "contains a path separator"],
    ["a\\b.png", "contains a path separator"],
    ["a\u0000.png", "contains a control character"],
    ["a\u007f.png", "contains a control character"],
    ["..", "is a relative path"],
    ["x".repeat(256), "is longer than 255 characters"],
  ];
  for (const [name, why] of bad) {
    assert.throws(() => checkFilename(name), (err: unknown) => {
      assert.ok(err instanceof HttpError);
      assert.equal(err.status, 400);
      assert.equal(err.code, "invalid_filename");
      assert.equal(err.message, `file name ${JSON.stringify(name)} ${why}`);
      return true;
    });
  }
  assert.equal(checkFilename("ok.png"), "ok.png");
});

Deno.test("asciiFallback() drops accents and replaces other non-ASCII", () => {
  assert.equal(asciiFallback("Ångström.png"), "Angstrom.png");
  assert.equal(asciiFallback("emoji😀.png"), "emoji__.png");
  assert.equal(asciiFallback("plain.png"), "plain.png");
});
