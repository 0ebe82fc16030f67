import assert from "node:assert/strict";
import { encodeArrayJson, parseArrayJson } from "../lib/arrays/json.ts";
import { parseNpy } from "../lib/arrays/npy.ts";
import { assertThrowsHttp, readGzipFixture } from "./_arrays.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

for (
  const [text, shape, data] of [
    ["[[1, 2], [3, 4]]", [2, 2], [1, 2, 3, 4]],
    ["[[[1,2,3]],[[4,5,6]]]", [2, 1, 3], [1, 2, 3, 4, 5, 6]],
    [" \n[ [ 0 ,\t255 ] ]\r\n", [1, 2], [0, 255]],
    ["[[1.0, 1e2], [2.5e1, -0]]", [2, 2], [1, 100, 25, 0]],
    ["\ufeff[[7]]", [1, 1], [7]],
    ["[[]]", [1, 0], []],
    ["[]", [0], []],
    ["[5, 6]", [2], [5, 6]],
    ["[[1,2],[3, 4.0]]", [2, 2], [1, 2, 3, 4]],
    ["[[1,2],[3,1e0]]", [2, 2], [1, 2, 3, 1]],
    ["[[1 , 2 ] , [ 3 , 4 ] ] ", [2, 2], [1, 2, 3, 4]],
    ["[[1],[2],[3]]", [3, 1], [1, 2, 3]],
    ["[[],[]]", [2, 0], []],
    ["[[[0,10,100],[255,9,99]]]", [1, 2, 3], [0, 10, 100, 255, 9, 99]],
  ] as const
) {
  Deno.test(`parseArrayJson() reads ${JSON.stringify(text)}`, () => {
    const array = parseArrayJson(utf8(text));
    assert.deepEqual(array.shape, shape);
    assert.equal(array.dtype, "uint8");
    assert.deepEqual([...array.data], data);
  });
}

for (
  const [text, status, code, detail] of [
    ["", 400, "invalid_json", "the JSON body is empty"],
    [
      "[[1,2],[3,4]",
      400,
      "invalid_json",
      "malformed JSON at byte 12: expected ',' or ']', found the end of the body",
    ],
    [
      "[[1,2],[3,4]]x",
      400,
      "invalid_json",
      "malformed JSON at byte 13: expected the end of the body after the JSON value, found 'x'",
    ],
    ["[[01]]", 400, "invalid_json", "malformed JSON at byte 3: expected ',' or ']', found '1'"],
    ["[[1.]]", 400, "invalid_json", "malformed JSON at byte 4: expected a digit, found ']'"],
    ["[[1,]]", 400, "invalid_json", "malformed JSON at byte 4: expected a JSON value, found ']'"],
    ["[[tru]]", 400, "invalid_json", "malformed JSON at byte 2: expected a JSON value, found 't'"],
    [
      '[[1, "a\\q"]]',
      400,
      "invalid_json",
      "malformed JSON at byte 7: expected a valid escape, found '\\'",
    ],
    [
      "[[1,2],[3]] [",
      400,
      "invalid_json",
      "malformed JSON at byte 12: expected the end of the body after the JSON value, found '['",
    ],
    [
      "[[1, 2], [3, 300]] }",
      400,
      "invalid_json",
      "malformed JSON at byte 19: expected the end of the body after the JSON value, found '}'",
    ],
    [
      "[[1,2],[3]]",
      422,
      "ragged_array",
      "[1] has 1 item where [0] has 2; every list at one depth must be as long as the first",
    ],
    [
      "[[1,2],[3,4,5]]",
      422,
      "ragged_array",
      "[1] has 3 items where [0] has 2; every list at one depth must be as long as the first",
    ],
    [
      "[[1,[2]]]",
      422,
      "ragged_array",
      "[0][1] is a list where a number belongs (the values are nested 2 deep)",
    ],
    [
      "[[1],2]",
      422,
      "ragged_array",
      "[1] is a number where a list belongs (the values are nested 2 deep)",
    ],
    ['[[1],"x"]', 422, "ragged_array", "[1] is a string where a list belongs"],
    [
      "[[1,2],[]]",
      422,
      "ragged_array",
      "[1] has 0 items where [0] has 2; every list at one depth must be as long as the first",
    ],
    ["[[1, true]]", 422, "invalid_value", "[0][1] is true, not a number"],
    ["[[null]]", 422, "invalid_value", "[0][0] is null, not a number"],
    ['[[{"a": [1]}]]', 422, "invalid_value", "[0][0] is an object, not a number"],
    ['[["7"]]', 422, "invalid_value", "[0][0] is a string, not a number"],
    [
      "5",
      422,
      "unsupported_shape",
      "the JSON body is a number, not a nested list of pixel values",
    ],
    [
      '{"image": [[1]]}',
      422,
      "unsupported_shape",
      "the JSON body is an object, not a nested list of pixel values",
    ],
    [
      "[[[[1]]]]",
      422,
      "unsupported_shape",
      "the JSON lists are nested 4 deep; an image is H×W or H×W×C (at most 3)",
    ],
  ] as const
) {
  Deno.test(`parseArrayJson() answers ${status} ${code} for ${JSON.stringify(text)}`, async () => {
    await assertThrowsHttp(() => parseArrayJson(utf8(text)), status, code, detail);
  });
}

Deno.test("parseArrayJson() names the first offending index path [12][7][2]", async () => {
  const rows: unknown[][][] = Array.from(
    { length: 20 },
    (_, y) => Array.from({ length: 10 }, (_, x) => [y, x, y === 12 && x === 7 ? null : 0]),
  );
  rows[15][3][0] = "x";
  await assertThrowsHttp(
    () => parseArrayJson(utf8(JSON.stringify(rows))),
    422,
    "invalid_value",
    "[12][7][2] is null, not a number",
  );
});

Deno.test("parseArrayJson() reads other numbers as int64 or float64, as np.asarray does", () => {
  for (
    const [text, dtype, values] of [
      ["[[1,2],[3,256]]", "int64", [1n, 2n, 3n, 256n]],
      ["[[-4, 0]]", "int64", [-4n, 0n]],
      ["[[9007199254740991]]", "int64", [9007199254740991n]],
      ["[[0.5, 1]]", "float64", [0.5, 1]],
      ["[[1, 2.0, 1e400]]", "float64", [1, 2, Infinity]],
      ["[[1, 2.0, 1e2]]", "uint8", [1, 2, 100]],
      ["[[1, 9007199254740993]]", "float64", [1, 9007199254740992]],
    ] as const
  ) {
    const array = parseArrayJson(utf8(text));
    assert.equal(array.dtype, dtype, text);
    assert.deepEqual([...array.data], values, text);
  }
});

Deno.test("parseArrayJson() reports malformed JSON over an earlier array problem", async () => {
  await assertThrowsHttp(
    () => parseArrayJson(utf8("[[1, 2], [3]] ,")),
    400,
    "invalid_json",
    "malformed JSON at byte 14: expected the end of the body after the JSON value, found ','",
  );
});

Deno.test("parseArrayJson() survives a million levels of nesting", async () => {
  await assertThrowsHttp(
    () => parseArrayJson(utf8("[".repeat(1e6) + "]".repeat(1e6))),
    422,
    "unsupported_shape",
    "the JSON lists are nested 1000000 deep; an image is H×W or H×W×C (at most 3)",
  );
});

Deno.test("parseArrayJson() agrees with JSON.parse on a random 37×23×3 array", () => {
  const nested = Array.from(
    { length: 37 },
    () => Array.from({ length: 23 }, () => [0, 1, 2].map(() => Math.floor(Math.random() * 256))),
  );
  const array = parseArrayJson(utf8(JSON.stringify(nested, null, 1)));
  assert.deepEqual(array.shape, [37, 23, 3]);
  assert.deepEqual([...array.data], nested.flat(2));
});

for (
  const [shape, data, json] of [
    [
      [2, 2, 3],
      [0, 9, 10, 99, 100, 255, 1, 2, 3, 4, 5, 6],
      "[[[0,9,10],[99,100,255]],[[1,2,3],[4,5,6]]]",
    ],
    [[2, 3], [1, 2, 3, 4, 5, 6], "[[1,2,3],[4,5,6]]"],
    [[1, 1, 1], [200], "[[[200]]]"],
    [[3], [7, 8, 9], "[7,8,9]"],
    [[2, 0], [], "[[],[]]"],
  ] as const
) {
  Deno.test(`encodeArrayJson() writes shape (${shape}) as ${json}`, () => {
    const bytes = encodeArrayJson({ shape, dtype: "uint8", data: new Uint8Array(data) });
    assert.equal(new TextDecoder().decode(bytes), json);
  });
}

Deno.test("encodeArrayJson() matches JSON.stringify of nested lists for every byte value", () => {
  const data = new Uint8Array(16 * 16 * 4).map((_, i) => (i * 37) % 256);
  const nested = Array.from(
    { length: 16 },
    (_, y) =>
      Array.from(
        { length: 16 },
        (_, x) => [...data.subarray((y * 16 + x) * 4, (y * 16 + x) * 4 + 4)],
      ),
  );
  const bytes = encodeArrayJson({ shape: [16, 16, 4], dtype: "uint8", data });
  assert.equal(new TextDecoder().decode(bytes), JSON.stringify(nested));
});

Deno.test("encodeArrayJson() writes the sample byte for byte as NumPy's json.dumps", async () => {
  const sample = parseNpy(await readGzipFixture("sample.npy.gz"));
  assert.deepEqual(encodeArrayJson(sample), await readGzipFixture("sample.json.gz"));
});

Deno.test("encodeArrayJson() refuses other dtypes", async () => {
  await assertThrowsHttp(
    () => encodeArrayJson({ shape: [1], dtype: "float32", data: new Float32Array(1) }),
    422,
    "unsupported_dtype",
    "JSON arrays are uint8; convert the float32 array first",
  );
});
