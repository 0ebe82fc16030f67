/**
 * Test helpers for the array routes: the NumPy-written fixtures and the
 * pixels NumPy computed for them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CodecError } from "../lib/codec_error.ts";
import { CODEC_ERROR_STATUS } from "../lib/errors.ts";
import { PROJECT_DIR } from "./_server.ts";

/** Where `fixtures/arrays/make_fixtures.py` writes. */
export const ARRAY_FIXTURES = `${PROJECT_DIR}/fixtures/arrays`;

/** What NumPy says pixserve must render from one fixture. */
export interface ExpectedImage {
  /** The fixture array's shape. */
  shape: number[];
  /** RGBA pixels, row-major. */
  rgba: number[];
}

/**
 * Reads a fixture file.
 *
 * @param name File name in `fixtures/arrays/`.
 * @returns Its bytes.
 */
export function readFixture(name: string): Promise<Uint8Array<ArrayBuffer>> {
  return Deno.readFile(`${ARRAY_FIXTURES}/${name}`);
}

/**
 * Reads a gzipped fixture and inflates it.
 *
 * @param name File name in `fixtures/arrays/`, ending `.gz`.
 * @returns The inflated bytes.
 */
export async function readGzipFixture(name: string): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([await readFixture(name)]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * The pixels NumPy computed for each renderable fixture, by fixture name.
 *
 * @returns `expected.json`, parsed.
 */
export async function expectedImages(): Promise<Record<string, ExpectedImage>> {
  return JSON.parse(await Deno.readTextFile(`${ARRAY_FIXTURES}/expected.json`));
}

/**
 * Asserts an error response: status, JSON body `{error, detail}` exactly.
 *
 * @param res The response (its body is read).
 * @param status Expected status.
 * @param error Expected code.
 * @param detail Expected detail, exactly.
 */
export async function assertError(
  res: Response,
  status: number,
  error: string,
  detail: string,
): Promise<void> {
  const body = await res.json();
  assert.equal(res.status, status, JSON.stringify(body));
  assert.deepEqual(body, { error, detail });
}

/**
 * Asserts that calling `fn` throws an HttpError with this status, code and detail, or a
 * CodecError with this code and detail whose kind is answered with this status.
 *
 * @param fn The call.
 * @param status Expected status.
 * @param code Expected code.
 * @param detail Expected detail, exactly.
 */
export async function assertThrowsHttp(
  fn: () => unknown,
  status: number,
  code: string,
  detail: string,
): Promise<void> {
  await assert.rejects(async () => await fn(), (err: unknown) => {
    const e = err as { status: number; code: string; message: string };
    const answered = err instanceof CodecError ? CODEC_ERROR_STATUS[err.kind] : e.status;
    assert.deepEqual({ status: answered, code: e.code, detail: e.message }, {
      status,
      code,
      detail,
    });
    return true;
  });
}

/**
 * POSTs a body with a content type.
 *
 * @param url The address.
 * @param body The bytes or text.
 * @param type `Content-Type`, or `null` for none.
 * @returns The response.
 */
export function post(
  url: string,
  body: Uint8Array<ArrayBuffer> | string,
  type: string | null,
): Promise<Response> {
  const headers: Record<string, string> = { "accept-encoding": "identity" };
  if (type !== null) headers["content-type"] = type;
  return fetch(url, { method: "POST", body, headers });
}
