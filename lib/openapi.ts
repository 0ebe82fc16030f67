/**
 * The OpenAPI 3.1 description of pixserve, generated from the routing table the router
 * serves, so the two cannot drift: every route, method, path and query parameter, the
 * request bodies and answers with their media types and headers, and the JSON error body
 * with every error code.
 *
 * A path pattern's alternatives (`/image.:ext(png|jpg|…)`) become one path each
 * (`/image.png`, `/image.jpg`, …), with the media type of that extension; other named
 * groups become path parameters.
 *
 * @module
 */

import { MEDIA_TYPES } from "./image/format.ts";
import { formatFromExtension } from "./image/format.ts";
import type { QueryParam, Route, RouteDoc, RouteResponse } from "./router.ts";

/** Every `error` code a JSON error body may carry, with its status. */
export const ERROR_CODES: Readonly<Record<string, number>> = {
  invalid_parameter: 400,
  unknown_parameter: 400,
  invalid_filename: 400,
  invalid_path: 400,
  invalid_quality: 400,
  invalid_json: 400,
  invalid_npy: 400,
  invalid_npz: 400,
  invalid_raw: 400,
  body_incomplete: 400,
  invalid_multipart: 400,
  missing_field: 400,
  invalid_stream_name: 400,
  bad_zip: 400,
  body_timeout: 408,
  uri_too_long: 414,
  headers_too_large: 431,
  inflation_limit: 413,
  unsupported_samples: 422,
  memory_busy: 503,
  server_busy: 503,
  decoder_busy: 503,
  decoder_crashed: 500,
  not_found: 404,
  method_not_allowed: 405,
  precondition_failed: 412,
  payload_too_large: 413,
  inflated_too_large: 413,
  unsupported_media_type: 415,
  undecodable_image: 415,
  range_not_satisfiable: 416,
  too_many_pixels: 422,
  too_large_for_format: 422,
  source_too_large: 422,
  unsupported_dtype: 422,
  unsupported_shape: 422,
  ragged_array: 422,
  invalid_value: 422,
  missing_key: 422,
  cmap_needs_one_channel: 422,
  labels_need_integers: 422,
  labels_take_no_range: 422,
  invalid_range: 422,
  unrepresentable_value: 422,
  too_many_frames: 422,
  invalid_pad_value: 422,
  unsupported_bit_depth: 422,
  unsupported_animation: 422,
  frame_out_of_range: 422,
  transform_unsupported: 422,
  crop_outside_image: 422,
  unprocessable: 422,
  internal_error: 500,
  encoder_crashed: 500,
  encoder_busy: 503,
  shutting_down: 503,
  file_changing: 503,
};

/** The headers answers carry, described once. */
export const RESPONSE_HEADERS: Readonly<Record<string, { description: string; type?: string }>> = {
  "etag": { description: "Strong entity tag of the bytes; send it back in If-None-Match." },
  "cache-control": { description: "How long caches may keep the answer." },
  "content-disposition": {
    description: "inline or attachment, with the file name (ASCII and RFC 5987 UTF-8).",
  },
  "content-length": { description: "Body bytes.", type: "integer" },
  "last-modified": { description: "The file's modification time." },
  "accept-ranges": { description: "`bytes`: Range requests are served." },
  "content-range": { description: "The bytes sent, or `bytes */size` with a 416." },
  "vary": { description: "`Accept`: the format follows the Accept header." },
  "x-array-shape": { description: "The array's shape, comma-separated (e.g. `512,512,3`)." },
  "x-array-dtype": { description: "The array's dtype (e.g. `uint8`)." },
  "content-security-policy": { description: "What the page may load: pixserve's origin only." },
  "x-content-type-options": { description: "`nosniff`." },
  "location": { description: "Where to go instead." },
  "retry-after": { description: "Seconds to wait before retrying (503).", type: "integer" },
  "allow": { description: "The methods the path serves (405)." },
};

/** The request headers routes read, described once. */
export const REQUEST_HEADERS: Readonly<Record<string, string>> = {
  "range": "`bytes=A-B`, `A-`, `-N`, or several ranges (answered as multipart/byteranges).",
  "if-range": "An ETag or date: the range only if the file is still that version.",
  "if-none-match": "ETags held: 304 when one matches.",
  "if-modified-since": "A date: 304 when the file is not newer.",
  "if-match": "ETags: 412 unless one matches.",
  "if-unmodified-since": "A date: 412 when the file is newer.",
  "accept": "`image/webp` listed explicitly picks WebP.",
};

/** Media types of the extensions route paths end with. */
const EXTENSION_TYPES: Readonly<Record<string, string>> = {
  json: "application/json",
  npy: "application/x-npy",
};

/** What `info` says. */
export interface ApiInfo {
  /** The API's name. */
  readonly title: string;
  /** The server's version. */
  readonly version: string;
  /** Markdown shown above the operations. */
  readonly description?: string;
}

/** One OpenAPI path made from a route path. */
export interface ExpandedPath {
  /** The OpenAPI path template, e.g. `/image.png` or `/files/{path}`. */
  readonly template: string;
  /** Its path parameters, in order; `rest` ones match several segments. */
  readonly params: readonly { readonly name: string; readonly rest: boolean }[];
  /** The alternative chosen for each expanded group, e.g. `{ ext: "png" }`. */
  readonly fixed: Readonly<Record<string, string>>;
}

/**
 * The OpenAPI paths a route path stands for: one per combination of alternatives.
 *
 * @param path A route path in the router's syntax.
 * @returns The paths.
 * @example
 * expandPath("/image.:ext(png|gif)").map((p) => p.template); // ["/image.png", "/image.gif"]
 * expandPath("/files/:path+")[0].template; // "/files/{path}"
 */
export function expandPath(path: string): ExpandedPath[] {
  let out: ExpandedPath[] = [{ template: "", params: [], fixed: {} }];
  const token = /:([A-Za-z_]\w*)(\(([^()]*)\)|\+)?|[^:]+/g;
  for (const [whole, name, suffix, alternatives] of path.matchAll(token)) {
    if (name === undefined) {
      const literal = whole.replace(/\\(.)/g, "$1");
      out = out.map((p) => ({ ...p, template: p.template + literal }));
    } else if (alternatives !== undefined && /^[\w-]+(\|[\w-]+)*$/.test(alternatives)) {
      out = out.flatMap((p) =>
        alternatives.split("|").map((choice) => ({
          ...p,
          template: p.template + choice,
          fixed: { ...p.fixed, [name]: choice },
        }))
      );
    } else {
      out = out.map((p) => ({
        ...p,
        template: `${p.template}{${name}}`,
        params: [...p.params, { name, rest: suffix === "+" || alternatives !== undefined }],
      }));
    }
  }
  return out;
}

/** A JSON object, as the OpenAPI document is built. */
export type Json = Record<string, unknown>;

function querySchema(param: QueryParam): Json {
  const schema: Json = { type: param.type };
  if (param.minimum !== undefined) schema.minimum = param.minimum;
  if (param.maximum !== undefined) schema.maximum = param.maximum;
  if (param.enum !== undefined) schema.enum = [...param.enum];
  if (param.pattern !== undefined) schema.pattern = param.pattern;
  return schema;
}

function mediaTypeFor(type: string, fixed: Readonly<Record<string, string>>): string {
  if (type !== "{ext}") return type;
  const ext = fixed.ext ?? "";
  const format = formatFromExtension(ext);
  return format !== undefined
    ? MEDIA_TYPES[format]
    : EXTENSION_TYPES[ext] ?? "application/octet-stream";
}

function responseObject(response: RouteResponse, fixed: Readonly<Record<string, string>>): Json {
  const out: Json = { description: response.description };
  if (response.headers !== undefined && response.headers.length > 0) {
    out.headers = Object.fromEntries(
      response.headers.map((h) => [h, { $ref: `#/components/headers/${h}` }]),
    );
  }
  if (response.mediaTypes !== undefined && response.mediaTypes.length > 0) {
    const types = [...new Set(response.mediaTypes.map((t) => mediaTypeFor(t, fixed)))];
    out.content = Object.fromEntries(types.map((t) => [t, { schema: bodySchema(t) }]));
  }
  return out;
}

function bodySchema(type: string): Json {
  return type.startsWith("text/") || type === "application/json"
    ? { type: "string" }
    : { type: "string", contentMediaType: type };
}

function operation(route: Route, path: ExpandedPath, id: string): Json {
  const doc: RouteDoc = route.doc ?? { summary: `${route.method} ${route.path}` };
  const parameters: Json[] = [
    ...path.params.map((p) => ({
      name: p.name,
      in: "path",
      required: true,
      description: p.rest ? "may hold several segments: a/b/c.png" : "one path segment",
      schema: { type: "string" },
    })),
    ...(route.query ?? []).map((q) => ({
      name: q.name,
      in: "query",
      required: false,
      description: q.description,
      schema: querySchema(q),
    })),
    ...(doc.requestHeaders ?? []).map((name) => ({
      name,
      in: "header",
      required: false,
      description: REQUEST_HEADERS[name] ?? name,
      schema: { type: "string" },
    })),
  ];
  const responses: Json = {};
  for (const response of doc.responses ?? []) {
    responses[String(response.status)] = responseObject(response, path.fixed);
  }
  for (const status of doc.errors ?? []) {
    responses[String(status)] = { $ref: `#/components/responses/Error${status}` };
  }
  responses.default = { $ref: "#/components/responses/Error" };
  const op: Json = { operationId: id, summary: doc.summary };
  if (doc.description !== undefined) op.description = doc.description;
  if (doc.tag !== undefined) op.tags = [doc.tag];
  if (parameters.length > 0) op.parameters = parameters;
  if (doc.body !== undefined) {
    op.requestBody = {
      required: true,
      description: doc.body.description,
      content: Object.fromEntries(
        doc.body.mediaTypes.map((t) => [t, { schema: bodySchema(t) }]),
      ),
    };
  }
  op.responses = responses;
  return op;
}

function operationId(method: string, template: string): string {
  const words = template.replace(/[{}]/g, "").split(/[^A-Za-z0-9]+/).filter((w) => w !== "");
  return [method.toLowerCase(), ...words].join("_") || method.toLowerCase();
}

function errorComponents(statuses: readonly number[]): { responses: Json; schema: Json } {
  const responses: Json = {
    Error: {
      description: "A JSON error: a stable code and a sentence.",
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    },
  };
  for (const status of statuses) {
    const codes = Object.entries(ERROR_CODES).filter(([, s]) => s === status).map(([c]) => c);
    responses[`Error${status}`] = {
      description: codes.length > 0 ? `Error: ${codes.join(", ")}.` : "Error.",
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    };
  }
  const schema = {
    type: "object",
    required: ["error", "detail"],
    properties: {
      error: { type: "string", enum: Object.keys(ERROR_CODES), description: "Stable code." },
      detail: { type: "string", description: "What was wrong, in a sentence." },
    },
    additionalProperties: false,
  };
  return { responses, schema };
}

/**
 * The OpenAPI 3.1 document of a routing table.
 *
 * @param routes The table the router serves.
 * @param info Title, version and description.
 * @returns The document, ready for `JSON.stringify`.
 * @example
 * const doc = openApiDocument(appRoutes(services), { title: "pixserve", version: "0.1.0" });
 * Object.keys(doc.paths as object).includes("/image.png"); // true
 */
export function openApiDocument(routes: readonly Route[], info: ApiInfo): Json {
  const paths: Record<string, Json> = {};
  const errorStatuses = new Set<number>();
  const tags = new Set<string>();
  for (const route of routes) {
    for (const status of route.doc?.errors ?? []) errorStatuses.add(status);
    if (route.doc?.tag !== undefined) tags.add(route.doc.tag);
    for (const path of expandPath(route.path)) {
      const item = paths[path.template] ??= {};
      const method = route.method.toLowerCase();
      if (item[method] !== undefined) continue;
      item[method] = operation(route, path, operationId(route.method, path.template));
    }
  }
  const errors = errorComponents([...errorStatuses].sort());
  const headers = Object.fromEntries(
    Object.entries(RESPONSE_HEADERS).map(([name, h]) => [
      name,
      { description: h.description, schema: { type: h.type ?? "string" } },
    ]),
  );
  return {
    openapi: "3.1.0",
    info: {
      title: info.title,
      version: info.version,
      ...(info.description === undefined ? {} : { description: info.description }),
    },
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Error: errors.schema },
      responses: errors.responses,
      headers,
    },
  };
}
