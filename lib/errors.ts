/**
 * Typed HTTP errors and the one place where errors become responses.
 *
 * Handlers throw an {@linkcode HttpError}; {@linkcode toErrorResponse} turns it
 * into a JSON body `{ "error": code, "detail": sentence }`. Anything else is
 * logged once with its stack and answered with a generic 500.
 *
 * @module
 */

import { CodecError, type CodecErrorKind } from "./codec_error.ts";

/** The status code each kind of {@linkcode CodecError} is answered with. */
export const CODEC_ERROR_STATUS: Readonly<Record<CodecErrorKind, number>> = {
  malformed: 400,
  unsupported_media: 415,
  unprocessable: 422,
  too_large: 413,
};

/** The JSON body of every error response. */
export interface ErrorBody {
  /** A stable machine-readable code, e.g. `"not_found"`. */
  error: string;
  /** A human sentence saying what was wrong. */
  detail: string;
}

/**
 * An error that carries its HTTP status, a stable code and extra headers.
 *
 * @example
 * ```ts
 * import { HttpError } from "./errors.ts";
 *
 * const err = new HttpError(400, "invalid_parameter", "quality must be an integer 1-100");
 * console.log(err.message);
 * ```
 */
export class HttpError extends Error {
  /** Headers added to the error response, e.g. `Allow` or `Retry-After`. */
  readonly headers: Headers;

  /**
   * Creates the error.
   *
   * @param status HTTP status code (4xx or 5xx).
   * @param code Stable machine-readable code.
   * @param detail Human sentence, sent as `detail`.
   * @param headers Extra response headers.
   */
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    headers?: HeadersInit,
  ) {
    super(detail);
    this.name = "HttpError";
    this.headers = new Headers(headers);
  }
}

/**
 * 400: the request is malformed (a bad parameter, a corrupt body).
 *
 * @example
 * ```ts
 * import { BadRequest } from "./errors.ts";
 *
 * const err = new BadRequest("invalid_parameter", "width must be a positive integer");
 * console.log(err.message);
 * ```
 */
export class BadRequest extends HttpError {
  /**
   * Creates the error.
   *
   * @param code error code
   * @param detail human sentence
   */
  constructor(code: string, detail: string) {
    super(400, code, detail);
  }
}

/**
 * 403: the request is understood and refused (an unsigned or wrongly signed URL).
 *
 * @example
 * throw new Forbidden("invalid_signature", "this URL needs a valid signature");
 */
export class Forbidden extends HttpError {
  /**
   * Creates a `Forbidden`.
   *
   * @param code error code
   * @param detail human sentence
   */
  constructor(code: string, detail: string) {
    super(403, code, detail);
  }
}

/**
 * 404: nothing is served at this path.
 *
 * @example
 * ```ts
 * import { NotFound } from "./errors.ts";
 *
 * const err = new NotFound("no file at /files/a.png");
 * console.log(err.message);
 * ```
 */
export class NotFound extends HttpError {
  /**
   * Creates the error.
   *
   * @param detail human sentence
   */
  constructor(detail: string) {
    super(404, "not_found", detail);
  }
}

/**
 * 405: the path exists but not for this method; carries `Allow`.
 *
 * @example
 * ```ts
 * import { MethodNotAllowed } from "./errors.ts";
 *
 * const err = new MethodNotAllowed("DELETE", ["GET", "HEAD"]);
 * console.log(err.message);
 * ```
 */
export class MethodNotAllowed extends HttpError {
  /**
   * Creates the error.
   *
   * @param method the method asked
   * @param allow the methods the path serves
   */
  constructor(method: string, allow: readonly string[]) {
    super(
      405,
      "method_not_allowed",
      `${method} is not allowed here; use ${allow.join(", ")}`,
      { allow: allow.join(", ") },
    );
  }
}

/**
 * 413: the request body is larger than the configured limit.
 *
 * @example
 * ```ts
 * import { PayloadTooLarge } from "./errors.ts";
 *
 * const err = new PayloadTooLarge("payload_too_large", "body exceeds MAX_BODY_BYTES (1048576 bytes)");
 * console.log(err.message);
 * ```
 */
export class PayloadTooLarge extends HttpError {
  /**
   * Creates the error.
   *
   * @param code error code
   * @param detail human sentence
   */
  constructor(code: string, detail: string) {
    super(413, code, detail);
  }
}

/**
 * 415: the body's media type is not one pixserve reads.
 *
 * @example
 * ```ts
 * import { UnsupportedMediaType } from "./errors.ts";
 *
 * const err = new UnsupportedMediaType("expected image/png or image/jpeg, got text/plain");
 * console.log(err.message);
 * ```
 */
export class UnsupportedMediaType extends HttpError {
  /**
   * Creates the error.
   *
   * @param detail human sentence
   */
  constructor(detail: string) {
    super(415, "unsupported_media_type", detail);
  }
}

/**
 * 422: the input is well formed but cannot be processed (dtype, shape, pixel limit).
 *
 * @example
 * ```ts
 * import { Unprocessable } from "./errors.ts";
 *
 * const err = new Unprocessable("too_many_pixels", "100000x100000 exceeds MAX_PIXELS");
 * console.log(err.message);
 * ```
 */
export class Unprocessable extends HttpError {
  /**
   * Creates the error.
   *
   * @param code error code
   * @param detail human sentence
   */
  constructor(code: string, detail: string) {
    super(422, code, detail);
  }
}

/**
 * 412: a precondition (`If-Match`, `If-Unmodified-Since`) does not hold.
 *
 * @example
 * ```ts
 * import { PreconditionFailed } from "./errors.ts";
 *
 * const err = new PreconditionFailed("If-Match lists no current entity tag");
 * console.log(err.message);
 * ```
 */
export class PreconditionFailed extends HttpError {
  /**
   * Creates the error.
   *
   * @param detail human sentence
   */
  constructor(detail: string) {
    super(412, "precondition_failed", detail);
  }
}

/**
 * 416: no range asked starts within the representation; carries `Content-Range: bytes *\/size`.
 *
 * @example
 * ```ts
 * import { RangeNotSatisfiable } from "./errors.ts";
 *
 * const err = new RangeNotSatisfiable(1000);
 * console.log(err.message);
 * ```
 */
export class RangeNotSatisfiable extends HttpError {
  /**
   * Creates the error.
   *
   * @param size the representation's length in bytes
   */
  constructor(size: number) {
    super(
      416,
      "range_not_satisfiable",
      `no range asked starts within the ${size} bytes of the file`,
      { "content-range": `bytes */${size}` },
    );
  }
}

/**
 * 503: the server cannot take this request now; carries `Retry-After` in seconds.
 *
 * @example
 * ```ts
 * import { ServiceUnavailable } from "./errors.ts";
 * import { encode } from "./image/encode.ts";
 *
 * const err = new ServiceUnavailable("encoder_busy", "all encode workers are busy", 1);
 * console.log(err.message);
 * ```
 */
export class ServiceUnavailable extends HttpError {
  /**
   * Creates the error.
   *
   * @param code error code
   * @param detail human sentence
   * @param retryAfter seconds to wait
   */
  constructor(code: string, detail: string, retryAfter: number) {
    super(503, code, detail, { "retry-after": String(retryAfter) });
  }
}

/**
 * 429: a limit on things held open (streams, viewers) is reached; carries `Retry-After`.
 *
 * @example
 * throw new TooManyRequests("too_many_viewers", "256 viewers are watching, MAX_VIEWERS is 256", 5);
 */
export class TooManyRequests extends HttpError {
  /**
   * Creates a `TooManyRequests`.
   *
   * @param code error code
   * @param detail human sentence
   * @param retryAfter seconds to wait
   */
  constructor(code: string, detail: string, retryAfter: number) {
    super(429, code, detail, { "retry-after": String(retryAfter) });
  }
}

/**
 * A JSON response for an error body.
 *
 * @param status HTTP status.
 * @param body `{ error, detail }`.
 * @param headers Extra headers.
 * @returns A `Response` with `Content-Type: application/json`.
 * @example
 * ```ts
 * import { jsonError } from "./errors.ts";
 *
 * jsonError(404, { error: "not_found", detail: "no route for /x" });
 * ```
 */
export function jsonError(
  status: number,
  body: ErrorBody,
  headers?: HeadersInit,
): Response {
  const bytes = JSON_ENCODER.encode(JSON.stringify(body));
  const res = new Response(bytes, { status, headers });
  res.headers.set("content-type", "application/json");
  res.headers.set("content-length", String(bytes.byteLength));
  res.headers.set("cache-control", "no-store");
  return res;
}

const JSON_ENCODER = new TextEncoder();

/**
 * The `error` code the JSON answer to a thrown value carries.
 *
 * @param err What a handler threw.
 * @returns Its code, or `internal_error` for anything that is not a pixserve error.
 * @example
 * errorCodeOf(new NotFound("no such file")); // "not_found"
 */
export function errorCodeOf(err: unknown): string {
  if (err instanceof HttpError || err instanceof CodecError) return err.code;
  return "internal_error";
}

/**
 * Maps any thrown value to a JSON error response: the one place errors meet HTTP.
 *
 * @param err What a handler threw.
 * @param onUnexpected Called once with errors that are not {@linkcode HttpError}.
 * @returns The error response.
 * @example
 * ```ts
 * import { NotFound, toErrorResponse } from "./errors.ts";
 *
 * toErrorResponse(new NotFound("no such file")).status; // 404
 * ```
 */
export function toErrorResponse(
  err: unknown,
  onUnexpected: (err: unknown) => void = (e) => console.error(e),
): Response {
  if (err instanceof HttpError) {
    return jsonError(
      err.status,
      { error: err.code, detail: err.message },
      err.headers,
    );
  }
  if (err instanceof CodecError) {
    return jsonError(CODEC_ERROR_STATUS[err.kind], { error: err.code, detail: err.message });
  }
  onUnexpected(err);
  return jsonError(500, {
    error: "internal_error",
    detail: "the server failed to answer this request; the fault was logged",
  });
}
