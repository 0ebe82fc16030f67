/**
 * `multipart/form-data` uploads, as `requests.post(url, files={"file": f})` and HTML forms
 * send them. The body is first read like any other (`readBody`: streamed, cut off at the
 * byte limit, so no upload is parsed that the limit would refuse), then split by the
 * runtime's own form-data parser (`Response.formData()`, the Fetch standard's algorithm):
 * boundaries, quoting and part headers are hard details better left to it. The part is a
 * `File` whose bytes are read once.
 *
 * @module
 */

import { BadRequest } from "../errors.ts";

/** One uploaded part. */
export interface UploadedPart {
  /** Its bytes. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Its own `Content-Type`, lower case without parameters; `""` when it has none. */
  readonly type: string;
  /** The file name the client gave, `""` for none. */
  readonly filename: string;
}

/**
 * Whether a media type is `multipart/form-data`.
 *
 * @param mediaType The lower-case `type/subtype`, parameters dropped.
 * @returns `true` for form uploads.
 * @example
 * isFormData("multipart/form-data"); // true
 */
export function isFormData(mediaType: string): boolean {
  return mediaType === "multipart/form-data";
}

/**
 * The uploaded file of a form body: the part named `field`, or else the first file part.
 *
 * @param body The whole body, already read within the byte limit.
 * @param contentType The request's `Content-Type`, with its `boundary`.
 * @param field The part to take (`?field=`); default the first file part.
 * @returns The part.
 * @throws {BadRequest} `invalid_multipart` for a body the boundary does not split;
 *   `missing_field` when no part has that name, or no part is a file.
 * @example
 * const part = await uploadedPart(body, request.headers.get("content-type") ?? "", undefined);
 */
export async function uploadedPart(
  body: Uint8Array<ArrayBuffer>,
  contentType: string,
  field: string | undefined,
): Promise<UploadedPart> {
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": contentType } }).formData();
  } catch {
    throw new BadRequest(
      "invalid_multipart",
      "the multipart/form-data body could not be split by its boundary",
    );
  }
  const names = [...new Set(form.keys())];
  const entry = field === undefined
    ? [...form.values()].find((value) => value instanceof File)
    : form.get(field);
  if (entry === null || entry === undefined) {
    throw new BadRequest(
      "missing_field",
      field === undefined
        ? `the form has no file part (fields: ${names.join(", ") || "none"}); upload a file`
        : `the form has no field ${JSON.stringify(field)}; it has ${names.join(", ") || "none"}`,
    );
  }
  if (typeof entry === "string") {
    return { bytes: new TextEncoder().encode(entry), type: "", filename: "" };
  }
  const type = entry.type.split(";")[0].trim().toLowerCase();
  return { bytes: new Uint8Array(await entry.arrayBuffer()), type, filename: entry.name };
}
