import assert from "node:assert/strict";
import { encodeNpy, isNpy, npyHeader, parseNpy } from "../lib/arrays/npy.ts";
import { assertThrowsHttp, readFixture, readGzipFixture } from "./_arrays.ts";

/** The values `make_fixtures.py` puts in rgb_u8 (and its Fortran, v2 and v3 copies). */
const RGB = Array.from({ length: 4 * 6 * 3 }, (_, i) => (i * 7) % 256);
const U16 = Array.from(
  { length: 72 },
  (_, i) => [0, 1, 128, 129, 256, 257, 385, 386, 32767, 32768, 65278, 65535][i % 12],
);
const GRAY = Array.from({ length: 24 }, (_, i) => (i * 11) % 256);

for (
  const [name, shape, dtype, values] of [
    ["rgb_u8.npy", [4, 6, 3], "uint8", RGB],
    ["fortran_rgb.npy", [4, 6, 3], "uint8", RGB],
    ["v2_rgb.npy", [4, 6, 3], "uint8", RGB],
    ["v3_rgb.npy", [4, 6, 3], "uint8", RGB],
    ["gray_u8.npy", [4, 6], "uint8", GRAY],
    ["gray1_u8.npy", [4, 6, 1], "uint8", GRAY],
    ["bool.npy", [4, 6], "bool", GRAY.map((_, i) => (Math.floor(i / 6) + (i % 6)) % 2)],
    ["u16.npy", [4, 6, 3], "uint16", U16],
    ["be_u16.npy", [4, 6, 3], "uint16", U16],
    ["be_fortran_u16.npy", [4, 6, 3], "uint16", U16],
  ] as const
) {
  Deno.test(`parseNpy() reads NumPy's ${name}`, async () => {
    const array = parseNpy(await readFixture(name));
    assert.deepEqual(array.shape, shape);
    assert.equal(array.dtype, dtype);
    assert.deepEqual([...array.data], values);
  });
}

Deno.test("parseNpy() reads float32 and big-endian float64 exactly", async () => {
  const f32 = parseNpy(await readFixture("f32.npy"));
  assert.equal(f32.dtype, "float32");
  assert.deepEqual(
    [...f32.data.subarray(0, 3)],
    [0.5, Math.fround(2.5 / 255), Math.fround(1.5 / 255)],
  );
  const little = parseNpy(await readFixture("f64_gray.npy"));
  const big = parseNpy(await readFixture("be_f64.npy"));
  assert.equal(big.dtype, "float64");
  assert.deepEqual(big.shape, [4, 6]);
  assert.deepEqual([...big.data], [...little.data]);
  assert.equal(big.data[23], 1);
});

Deno.test("parseNpy() returns a little-endian uint8 file's data without copying", async () => {
  const bytes = await readFixture("rgb_u8.npy");
  const array = parseNpy(bytes);
  assert.equal(array.data.buffer, bytes.buffer);
});

Deno.test("parseNpy() reads uint16 data that is not 2-byte aligned", async () => {
  const file = await readFixture("u16.npy");
  const shifted = new Uint8Array(file.length + 1).subarray(1);
  shifted.set(file);
  assert.deepEqual([...parseNpy(shifted).data], U16);
});

Deno.test("encodeNpy() writes the sample byte for byte as np.save", async () => {
  const npy = await readGzipFixture("sample.npy.gz");
  assert.deepEqual(encodeNpy(parseNpy(npy)), npy);
});

Deno.test("encodeNpy() writes what np.save writes for rgb_u8", async () => {
  const npy = await readFixture("rgb_u8.npy");
  assert.deepEqual(encodeNpy(parseNpy(npy)), npy);
  assert.deepEqual(encodeNpy(parseNpy(await readFixture("fortran_rgb.npy"))), npy);
});

for (
  const [shape, header] of [
    [[512, 512, 3], "{'descr': '|u1', 'fortran_order': False, 'shape': (512, 512, 3), }"],
    [[5], "{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }"],
    [[], "{'descr': '|u1', 'fortran_order': False, 'shape': (), }"],
  ] as const
) {
  Deno.test(`npyHeader() pads (${shape}) to 64 bytes as NumPy does`, () => {
    const bytes = npyHeader(shape, "uint8");
    const text = new TextDecoder("latin1").decode(bytes.subarray(10));
    const spare = shape.length > 0 ? 21 - String(shape[0]).length : 0;
    assert.equal(bytes.length % 64, 0);
    assert.ok(text.startsWith(header + " ".repeat(spare)));
    assert.ok(text.endsWith(" \n"));
    assert.equal(new DataView(bytes.buffer).getUint16(8, true), bytes.length - 10);
  });
}

for (const dtype of ["uint8", "bool", "uint16", "float32", "float64"] as const) {
  Deno.test(`encodeNpy() and parseNpy() round-trip ${dtype}`, () => {
    const values = [0, 1, 0, 1, 1, 0];
    const data = dtype === "uint16"
      ? new Uint16Array([0, 1, 256, 65535, 7, 9])
      : dtype === "float32"
      ? new Float32Array([0, 0.25, 0.5, 1, 0.125, 0.75])
      : dtype === "float64"
      ? new Float64Array([0, 0.1, 0.2, 1, 0.3, 0.7])
      : new Uint8Array(dtype === "bool" ? values : [0, 9, 99, 255, 3, 4]);
    const array = parseNpy(encodeNpy({ shape: [2, 3], dtype, data }));
    assert.equal(array.dtype, dtype);
    assert.deepEqual(array.shape, [2, 3]);
    assert.deepEqual([...array.data], [...data]);
  });
}

Deno.test("isNpy() recognises the magic string", async () => {
  assert.equal(isNpy(await readFixture("rgb_u8.npy")), true);
  assert.equal(isNpy(await readFixture("savez.npz")), false);
  assert.equal(isNpy(new Uint8Array([0x93, 0x4e])), false);
});

/** A .npy file with any header text, version 1.0, and `data` after it. */
function npyWith(header: string, data: Uint8Array = new Uint8Array(0), version = 1): Uint8Array {
  const text = new TextEncoder().encode(header + "\n");
  const prefix = version === 1 ? 10 : 12;
  const out = new Uint8Array(prefix + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(text, prefix);
  out.set(data, prefix + text.length);
  return out;
}

const U8_2X2 = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }";

Deno.test("parseNpy() reads a hand-made header with a Python 2 long and version 2.0", () => {
  const array = parseNpy(
    npyWith(
      "{'descr': '<u2', 'fortran_order': False, 'shape': (2L,), }",
      new Uint8Array([1, 0, 0, 1]),
      2,
    ),
  );
  assert.deepEqual(array.shape, [2]);
  assert.deepEqual([...array.data], [1, 256]);
});

for (
  const [label, bytes, status, code, detail] of [
    [
      "no magic string",
      new TextEncoder().encode("PK\x03\x04 not npy"),
      400,
      "invalid_npy",
      "invalid .npy file: the body does not start with the .npy magic string \\x93NUMPY",
    ],
    [
      "a file cut inside the header",
      npyWith(U8_2X2).subarray(0, 30),
      400,
      "invalid_npy",
      "invalid .npy file: the header declares 60 bytes but the file ends after 20",
    ],
    [
      "a file cut before the header length",
      npyWith(U8_2X2).subarray(0, 8),
      400,
      "invalid_npy",
      "invalid .npy file: the file ends inside its header",
    ],
    [
      "version 4.0",
      npyWith(U8_2X2, new Uint8Array(4), 4),
      400,
      "invalid_npy",
      "invalid .npy file: format version 4.0 is not one NumPy writes (1.0, 2.0 or 3.0)",
    ],
    [
      "data shorter than the header says",
      npyWith(U8_2X2, new Uint8Array(3)),
      400,
      "invalid_npy",
      "invalid .npy file: the header declares shape (2, 2) of |u1, 4 bytes of data, but 3 bytes follow it",
    ],
    [
      "data longer than the header says",
      npyWith(U8_2X2, new Uint8Array(5)),
      400,
      "invalid_npy",
      "invalid .npy file: the header declares shape (2, 2) of |u1, 4 bytes of data, but 5 bytes follow it",
    ],
    [
      "a header over NumPy's 10000-byte limit",
      npyWith(U8_2X2 + " ".repeat(10000), new Uint8Array(4), 2),
      400,
      "invalid_npy",
      "invalid .npy file: the header is 10060 bytes, more than NumPy's limit of 10000",
    ],
    [
      "a missing key",
      npyWith("{'descr': '|u1', 'shape': (2, 2), }", new Uint8Array(4)),
      400,
      "invalid_npy",
      "invalid .npy file: the header has keys descr, shape; it needs descr, fortran_order and shape",
    ],
    [
      "a negative axis",
      npyWith("{'descr': '|u1', 'fortran_order': False, 'shape': (-2, 2), }", new Uint8Array(4)),
      400,
      "invalid_npy",
      "invalid .npy file: shape in the header is not a tuple of non-negative integers",
    ],
    [
      "fortran_order that is not a boolean",
      npyWith("{'descr': '|u1', 'fortran_order': 0, 'shape': (2, 2), }", new Uint8Array(4)),
      400,
      "invalid_npy",
      "invalid .npy file: fortran_order in the header is not True or False",
    ],
    [
      "a header that is not a literal",
      npyWith("{'descr': '|u1', 'fortran_order': False, 'shape': __import__('os'), }"),
      400,
      "invalid_npy",
      `invalid .npy file: header "{'descr': '|u1', 'fortran_order': False, 'shape': __import__('os'), }": expected a Python literal at character 50`,
    ],
    [
      "a descr that is not a dtype",
      npyWith("{'descr': 'hello', 'fortran_order': False, 'shape': (2, 2), }", new Uint8Array(4)),
      400,
      "invalid_npy",
      `invalid .npy file: descr "hello" is not a NumPy dtype`,
    ],
    [
      "complex64",
      npyWith("{'descr': '<c8', 'fortran_order': False, 'shape': (2, 2), }", new Uint8Array(32)),
      422,
      "unsupported_dtype",
      "dtype complex64 ('<c8') is not supported; send one of uint8, bool, uint16, float32, float64, int8, int16, int32, int64, uint32, uint64, float16",
    ],
    [
      "a unicode string dtype",
      npyWith("{'descr': '<U5', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(40)),
      422,
      "unsupported_dtype",
      "dtype str ('<U5') is not supported; send one of uint8, bool, uint16, float32, float64, int8, int16, int32, int64, uint32, uint64, float16",
    ],
    [
      "datetime64",
      npyWith("{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)),
      422,
      "unsupported_dtype",
      "dtype datetime64 ('<M8[ns]') is not supported; send one of uint8, bool, uint16, float32, float64, int8, int16, int32, int64, uint32, uint64, float16",
    ],
  ] as const
) {
  Deno.test(`parseNpy() answers ${status} ${code} for ${label}`, async () => {
    await assertThrowsHttp(() => parseNpy(bytes), status, code, detail);
  });
}

Deno.test("parseNpy() names NumPy's structured dtypes in its 422", async () => {
  await assertThrowsHttp(
    async () => parseNpy(await readFixture("structured.npy")),
    422,
    "unsupported_dtype",
    'dtype structured (descr [["a","|u1"],["b","<f4"]]) is not supported; ' +
      "send one of uint8, bool, uint16, float32, float64, int8, int16, int32, int64, uint32, uint64, float16",
  );
});
