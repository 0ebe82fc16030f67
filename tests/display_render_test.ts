import assert from "node:assert/strict";
import { PROJECT_DIR, withServer } from "./_server.ts";
import { post } from "./_arrays.ts";
import { decodePixels, type Pixels } from "./_pixels.ts";

/** Made by fixtures/display/make_display.py with Debian's python3-matplotlib 3.6. */
const DISPLAY_FIXTURES = `${PROJECT_DIR}/fixtures/display`;

interface DisplayCase {
  name: string;
  input: string;
  query: string;
  expected: string;
}

const CASES: DisplayCase[] = JSON.parse(
  await Deno.readTextFile(`${DISPLAY_FIXTURES}/cases.json`),
);

/** The first pixel that differs, as a readable message, or `undefined`. */
function firstDifference(actual: Pixels, expected: Pixels): string | undefined {
  if (actual.width !== expected.width || actual.height !== expected.height) {
    return `size ${actual.width}x${actual.height}, expected ${expected.width}x${expected.height}`;
  }
  let count = 0;
  let first = -1;
  for (let i = 0; i < actual.rgba.length; i += 4) {
    for (let c = 0; c < 4; c++) {
      if (actual.rgba[i + c] !== expected.rgba[i + c]) {
        if (first < 0) first = i;
        count++;
        break;
      }
    }
  }
  if (first < 0) return undefined;
  const at = (p: Pixels) => [...p.rgba.subarray(first, first + 4)].join(",");
  return `${count} pixels differ; pixel ${first / 4} is ${at(actual)}, matplotlib ${at(expected)}`;
}

Deno.test("POST /render.png?cmap= gives matplotlib.pyplot.imsave's pixels for every fixture", async () => {
  await withServer(async ({ base }) => {
    const failures: string[] = [];
    for (const c of CASES) {
      const body = await Deno.readFile(`${DISPLAY_FIXTURES}/${c.input}`);
      const res = await post(`${base}/render.png?${c.query}`, body, "application/x-npy");
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(res.status, 200, `${c.name}: ${new TextDecoder().decode(bytes)}`);
      const expected = await decodePixels(await Deno.readFile(`${DISPLAY_FIXTURES}/${c.expected}`));
      const problem = firstDifference(await decodePixels(bytes), expected);
      if (problem !== undefined) failures.push(`${c.name} (?${c.query}): ${problem}`);
    }
    assert.deepEqual(failures, []);
  });
});
