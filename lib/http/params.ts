/**
 * Query parameters read strictly: a value that is present but malformed is a
 * 400 naming the parameter, never a silent default.
 *
 * @module
 */

import { readChoice, readInteger } from "../arrays/value_text.ts";
import { CodecError } from "../codec_error.ts";
import { BadRequest } from "../errors.ts";
import type { QueryParam } from "../router.ts";
import { checkFilename, type DispositionType } from "./disposition.ts";

/**
 * An integer query parameter within bounds.
 *
 * @param url The request URL.
 * @param name The parameter.
 * @param min Smallest accepted value.
 * @param max Largest accepted value.
 * @returns The value, or `undefined` when the parameter is absent.
 * @throws {BadRequest} `invalid_parameter` when it is not an integer in range.
 * @example
 * ```ts
 * import { intParam } from "./params.ts";
 *
 * intParam(new URL("http://x/?w=3"), "w", 1, 10); // 3
 * ```
 */
export function intParam(
  url: URL,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = url.searchParams.get(name);
  return raw === null ? undefined : badRequestOf(() => readInteger(name, raw, min, max));
}

/**
 * A flag query parameter: present (`?download`, `?download=1`, `=true`) or not.
 *
 * @param url The request URL.
 * @param name The parameter.
 * @returns Whether the flag is set.
 * @throws {BadRequest} `invalid_parameter` for a value other than empty, 1, 0, true or false.
 * @example
 * ```ts
 * import { flagParam } from "./params.ts";
 *
 * flagParam(new URL("http://x/?download"), "download"); // true
 * ```
 */
export function flagParam(url: URL, name: string): boolean {
  const raw = url.searchParams.get(name);
  if (raw === null) return false;
  switch (raw.toLowerCase()) {
    case "":
    case "1":
    case "true":
      return true;
    case "0":
    case "false":
      return false;
  }
  throw new BadRequest(
    "invalid_parameter",
    `${name} is a flag: give it no value, 1/true or 0/false, got ${JSON.stringify(raw)}`,
  );
}

/**
 * One of a fixed set of string values.
 *
 * @param url The request URL.
 * @param name The parameter.
 * @param choices The accepted values.
 * @returns The value, or `undefined` when the parameter is absent.
 * @throws {BadRequest} `invalid_parameter` listing the choices.
 * @example
 * ```ts
 * import { choiceParam } from "./params.ts";
 *
 * choiceParam(new URL("http://x/?mode=rgb"), "mode", ["gray", "rgb"]); // "rgb"
 * ```
 */
export function choiceParam<T extends string>(
  url: URL,
  name: string,
  choices: readonly T[],
): T | undefined {
  const raw = url.searchParams.get(name);
  return raw === null ? undefined : badRequestOf(() => readChoice(name, raw, choices));
}

/** A value read by the text readers, their mistake as this module's {@linkcode BadRequest}. */
function badRequestOf<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof CodecError) throw new BadRequest(err.code, err.message);
    throw err;
  }
}

/**
 * Reads a shape written `H,W` or `H,W,C` (spaces and a trailing comma allowed).
 *
 * @param text The parameter value, e.g. `512,512,3`.
 * @param name The parameter's name, for the message.
 * @returns The axis lengths.
 * @throws {BadRequest} `invalid_parameter` unless it is 1 to 3 positive integers.
 * @example
 * ```ts
 * import { parseShapeParam } from "./params.ts";
 *
 * parseShapeParam("512, 512, 3"); // [512, 512, 3]
 * ```
 */
export function parseShapeParam(text: string, name = "shape"): number[] {
  const parts = text.split(",").map((s) => s.trim());
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  const shape = parts.map((s) => (/^\d{1,15}$/.test(s) ? Number(s) : NaN));
  if (shape.length < 1 || shape.length > 3 || !shape.every((d) => d >= 1)) {
    throw new BadRequest(
      "invalid_parameter",
      `${name} must be H,W or H,W,C in positive integers, got ${JSON.stringify(text)}`,
    );
  }
  return shape;
}

/**
 * Reads `?filename=` (default `fallback`, checked) and `?download` (attachment, else inline).
 *
 * @param url The request URL.
 * @param fallback The name offered when none is asked.
 * @returns The name and disposition of the response.
 * @throws {BadRequest} `invalid_filename`, or `invalid_parameter` for a malformed flag.
 * @example
 * ```ts
 * import { dispositionRequest } from "./params.ts";
 *
 * dispositionRequest(new URL("http://x/image.png?download"), "sample.png");
 * // { filename: "sample.png", disposition: "attachment" }
 * ```
 */
export function dispositionRequest(
  url: URL,
  fallback: string,
): { filename: string; disposition: DispositionType } {
  const filename = checkFilename(url.searchParams.get("filename") ?? fallback);
  return { filename, disposition: flagParam(url, "download") ? "attachment" : "inline" };
}

/** `?download` and `?filename=`, read by every route that names its answer. */
export const DISPOSITION_PARAMS: readonly QueryParam[] = [
  { name: "download", type: "boolean", description: "answer as an attachment, not inline" },
  { name: "filename", type: "string", description: "the file name offered to the client" },
];

/** `?quality=`: JPEG and WebP quality, 1 to 100. */
export const QUALITY_PARAM: QueryParam = {
  name: "quality",
  type: "integer",
  minimum: 1,
  maximum: 100,
  description: "JPEG and WebP quality",
};
