import assert from "node:assert/strict";
import { readChoice, readInteger, readNumber } from "../lib/arrays/value_text.ts";
import { CodecError } from "../lib/codec_error.ts";
import {
  parseStackText,
  planDisplayStack,
  planRender,
  type StackText,
} from "../lib/image/array_plan.ts";

const PLAN = { order: "rgb" as const, clip: false, maxPixels: 1000, maxFrames: 10 };

/** Asserts a malformed `invalid_parameter` with exactly this sentence. */
function assertInvalid(step: () => unknown, detail: string): void {
  assert.throws(step, (err: unknown) => {
    assert.ok(err instanceof CodecError);
    assert.equal(err.kind, "malformed");
    assert.equal(err.code, "invalid_parameter");
    assert.equal(err.message, detail);
    return true;
  });
}

for (
  const [text, expected] of [
    [{}, {
      layout: "hwc",
      bits: undefined,
      frames: false,
      scaleEach: false,
      grid: undefined,
      timing: { delayNumerator: 1, delayDenominator: 10, loop: 0 },
    }],
    [{ fps: "5", loop: "2" }, { timing: { delayNumerator: 1, delayDenominator: 5, loop: 2 } }],
    [{ fps: "2.5" }, { timing: { delayNumerator: 400, delayDenominator: 1000, loop: 0 } }],
    [{ duration: "40" }, { timing: { delayNumerator: 40, delayDenominator: 1000, loop: 0 } }],
    [{ grid: "3" }, { grid: { nrow: 3, padding: 2, padValue: 0 } }],
    [{ grid: "2", pad: "0", padValue: "-1.5" }, { grid: { nrow: 2, padding: 0, padValue: -1.5 } }],
    [{ pad: "4" }, { grid: undefined }],
    [{ layout: "chw", bits: "16", frames: true, scaleEach: true }, {
      layout: "chw",
      bits: 16,
      frames: true,
      scaleEach: true,
    }],
  ] as [StackText, Record<string, unknown>][]
) {
  Deno.test(`parseStackText(${JSON.stringify(text)})`, () => {
    const settings = parseStackText(text);
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(settings[key as keyof typeof settings], value, key);
    }
  });
}

for (
  const [text, detail] of [
    [{ grid: "0" }, 'grid must be an integer from 1 to 9007199254740991, got "0"'],
    [{ grid: "2.0" }, 'grid must be an integer from 1 to 9007199254740991, got "2.0"'],
    [{ pad: "1001" }, 'pad must be an integer from 0 to 1000, got "1001"'],
    [{ padValue: "" }, 'pad_value must be a number, got ""'],
    [{ padValue: "Infinity" }, 'pad_value must be a number, got "Infinity"'],
    [{ fps: "0" }, 'fps must be a number from 0.1 to 1000, got "0"'],
    [{ duration: "65536" }, 'duration must be an integer from 1 to 65535, got "65536"'],
    [{ loop: "-1" }, 'loop must be an integer from 0 to 65535, got "-1"'],
    [{ fps: "5", duration: "40" }, "give fps or duration, not both"],
    [{ layout: "nchw" }, 'layout must be one of hwc, chw, got "nchw"'],
    [{ bits: "12" }, 'bits must be one of 8, 16, got "12"'],
  ] as [StackText, string][]
) {
  Deno.test(`parseStackText(${JSON.stringify(text)}) refuses it`, () => {
    assertInvalid(() => parseStackText(text), detail);
  });
}

Deno.test("readInteger(), readNumber() and readChoice() read what they name", () => {
  assert.equal(readInteger("n", "+7", 0, 9), 7);
  assert.equal(readNumber("x", " 1e2 ", 0, 1000), 100);
  assert.equal(readChoice("c", "b", ["a", "b"]), "b");
  assertInvalid(
    () => readInteger("n", "1e1", 0, 99),
    'n must be an integer from 0 to 99, got "1e1"',
  );
  assertInvalid(() => readNumber("x", "NaN", 0, 1), 'x must be a number from 0 to 1, got "NaN"');
  assertInvalid(() => readChoice("c", "B", ["a", "b"]), 'c must be one of a, b, got "B"');
});

Deno.test("planRender() makes a stack an animation's frames, a grid, or refuses JPEG", () => {
  const data = new Uint8Array([1, 2, 3, 4, 5, 6]);
  const stack = { shape: [2, 1, 1, 3], dtype: "uint8" as const, data };
  const animation = planRender(stack, "gif", parseStackText({ duration: "30" }), PLAN);
  assert.deepEqual(animation.pixels, {
    width: 1,
    height: 1,
    channels: 3,
    data,
    bits: 8,
    frames: 2,
  });
  assert.deepEqual(animation.timing, { delayNumerator: 30, delayDenominator: 1000, loop: 0 });
  const grid = planRender(stack, "png", parseStackText({ grid: "2", pad: "1" }), PLAN);
  assert.equal(grid.timing, undefined);
  assert.deepEqual([grid.pixels.width, grid.pixels.height, grid.pixels.frames], [5, 3, undefined]);
  assert.throws(
    () => planRender(stack, "jpeg", parseStackText({}), PLAN),
    (err: unknown) => err instanceof CodecError && err.code === "unsupported_animation",
  );
});

Deno.test("planDisplayStack() maps a gray stack with one range and hands planRender plain settings", () => {
  const data = new Float32Array([0, 1, 2, 3]);
  const settings = parseStackText({ frames: true, fps: "4" });
  const stack = planDisplayStack(
    { shape: [2, 1, 2], dtype: "float32", data },
    { cmap: "gray" },
    settings,
    PLAN,
  );
  assert.ok(stack.mapped !== undefined);
  assert.deepEqual(stack.mapped.shape, [2, 1, 2, 4]);
  assert.deepEqual(stack.range, { vmin: 0, vmax: 3 });
  assert.deepEqual(stack.settings, { ...settings, frames: false });
  assert.deepEqual([...stack.mapped.data.subarray(0, 4)], [0, 0, 0, 255]);
  assert.deepEqual([...stack.mapped.data.subarray(12, 16)], [255, 255, 255, 255]);
});
