import assert from "node:assert/strict";
import { arrayBodyKind, parseArrayBody } from "../lib/arrays/parse.ts";
import { CodecError } from "../lib/codec_error.ts";

Deno.test("arrayBodyKind() reads a whole Content-Type, parameters and case", () => {
  const table: [string, string][] = [
    ["application/json", "json"],
    ["application/json; charset=utf-8", "json"],
    ["Application/JSON ; charset=UTF-8", "json"],
    ["application/x-npy", "npy"],
    ["application/zip; foo=bar", "npz"],
    ["application/octet-stream", "octet-stream"],
  ];
  for (const [type, kind] of table) assert.equal(arrayBodyKind(type), kind, type);
  assert.throws(
    () => arrayBodyKind("text/plain; charset=utf-8"),
    (err) =>
      err instanceof CodecError && err.kind === "unsupported_media" &&
      err.message.startsWith("Content-Type text/plain"),
  );
});

Deno.test("parseArrayBody() takes a kind or a whole Content-Type", () => {
  const body = new TextEncoder().encode("[[0, 255], [7, 9]]");
  const byType = parseArrayBody(body, "application/json; charset=utf-8");
  const byKind = parseArrayBody(body, "json");
  assert.deepEqual(byType.shape, [2, 2]);
  assert.deepEqual([...byType.data], [0, 255, 7, 9]);
  assert.deepEqual([...byKind.data], [...byType.data]);
  assert.equal(byType.dtype, "uint8");
});
