/**
 * Integers, numbers and choices read from text — a query parameter's value or a
 * command-line flag's — with one sentence for each mistake, so that a server's 400 and the
 * client's message say the same.
 *
 * @module
 */

import { CodecError } from "../codec_error.ts";

/**
 * An integer within bounds, written in decimal digits with an optional sign.
 *
 * @param name The setting, for the message.
 * @param raw The text.
 * @param min Smallest accepted value.
 * @param max Largest accepted value.
 * @returns The value.
 * @throws {CodecError} malformed `invalid_parameter` for anything else.
 * @example
 * ```ts
 * import { readInteger } from "./value_text.ts";
 *
 * readInteger("loop", "3", 0, 65535); // 3
 * ```
 */
export function readInteger(name: string, raw: string, min: number, max: number): number {
  const n = /^[+-]?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw invalid(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/**
 * A finite number within bounds (`-Infinity` and `Infinity` bound nothing).
 *
 * @param name The setting, for the message.
 * @param raw The text.
 * @param min Smallest accepted value.
 * @param max Largest accepted value.
 * @returns The value.
 * @throws {CodecError} malformed `invalid_parameter` for anything else.
 * @example
 * ```ts
 * import { readNumber } from "./value_text.ts";
 *
 * readNumber("fps", "2.5", 0.1, 1000); // 2.5
 * ```
 */
export function readNumber(name: string, raw: string, min: number, max: number): number {
  const n = raw.trim() === "" ? NaN : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    const range = Number.isFinite(min) ? ` from ${min} to ${max}` : "";
    throw invalid(`${name} must be a number${range}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/**
 * One of a fixed set of words.
 *
 * @param name The setting, for the message.
 * @param raw The text.
 * @param choices The accepted words.
 * @returns The word.
 * @throws {CodecError} malformed `invalid_parameter` listing the choices.
 * @example
 * ```ts
 * import { readChoice } from "./value_text.ts";
 *
 * readChoice("layout", "chw", ["hwc", "chw"]); // "chw"
 * ```
 */
export function readChoice<T extends string>(name: string, raw: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  throw invalid(`${name} must be one of ${choices.join(", ")}, got ${JSON.stringify(raw)}`);
}

function invalid(detail: string): CodecError {
  return new CodecError("malformed", "invalid_parameter", detail);
}
