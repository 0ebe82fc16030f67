import assert from "node:assert/strict";
import { encodeNpy } from "../lib/arrays/npy.ts";
import { assertError, post } from "./_arrays.ts";
import { withServer } from "./_server.ts";

/** NumPy's own file for a 4×6×3 uint8 array, with its shape tuple rewritten as a list. */
function listShapedNpy(): Uint8Array<ArrayBuffer> {
  const npy = encodeNpy({ shape: [4, 6, 3], dtype: "uint8", data: new Uint8Array(72) });
  const header = new TextDecoder().decode(npy.subarray(10, 128));
  const open = 10 + header.indexOf("(4, 6, 3)");
  assert.ok(open > 10);
  npy[open] = "[".charCodeAt(0);
  npy[open + 8] = "]".charCodeAt(0);
  return npy;
}

Deno.test("POST /render.png refuses a .npy whose shape is a list, as np.load does", async () => {
  await withServer(async ({ base }) => {
    const res = await post(`${base}/render.png`, listShapedNpy(), "application/x-npy");
    await assertError(
      res,
      400,
      "invalid_npy",
      "invalid .npy file: shape in the header is the list [4, 6, 3]; NumPy writes and reads only a tuple",
    );
  });
});
