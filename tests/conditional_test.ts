import assert from "node:assert/strict";
import {
  type ConditionOutcome,
  etagOf,
  evaluatePreconditions,
  fileEtag,
  httpDate,
  ifMatchHolds,
  ifRangeHolds,
  parseHttpDate,
  strongMatch,
  type Validators,
} from "../lib/http/conditional.ts";

const T = Date.UTC(1994, 10, 6, 8, 49, 37);
const IMF = "Sun, 06 Nov 1994 08:49:37 GMT";

const DATES: [string, number | undefined][] = [
  [IMF, T],
  ["Sunday, 06-Nov-94 08:49:37 GMT", T],
  ["Sun Nov  6 08:49:37 1994", T],
  ["Thu, 01 Jan 1970 00:00:00 GMT", 0],
  ["Monday, 01-Jan-30 00:00:00 GMT", Date.UTC(2030, 0, 1)],
  ["  Sun, 06 Nov 1994 08:49:37 GMT  ", T],
  ["Sun, 06 Nov 1994 08:49:37 UTC", undefined],
  ["Sun, 6 Nov 1994 08:49:37 GMT", undefined],
  ["Sun, 31 Feb 1994 08:49:37 GMT", undefined],
  ["Sun, 06 Foo 1994 08:49:37 GMT", undefined],
  ["Sun, 06 Nov 1994 25:49:37 GMT", undefined],
  ["1994-11-06T08:49:37Z", undefined],
  ["yesterday", undefined],
  ["", undefined],
];

for (const [value, expected] of DATES) {
  Deno.test(`parseHttpDate(${JSON.stringify(value)}) is ${expected}`, () => {
    assert.equal(parseHttpDate(value), expected);
  });
}

Deno.test("httpDate() writes an IMF-fixdate", () => {
  assert.equal(httpDate(new Date(T)), IMF);
});

Deno.test("fileEtag() is weak, from mtime and size in hexadecimal", () => {
  assert.equal(fileEtag({ size: 3204, mtime: new Date(1700000000000) }), `W/"18bcfe56800-c84"`);
  assert.equal(fileEtag({ size: 0, mtime: null }), `W/"0-0"`);
});

Deno.test("strongMatch() and ifMatchHolds() never match weak tags", () => {
  assert.equal(strongMatch(`"a"`, `"a"`), true);
  assert.equal(strongMatch(`W/"a"`, `"a"`), false);
  assert.equal(strongMatch(`W/"a"`, `W/"a"`), false);
  assert.equal(ifMatchHolds(`"x", "a"`, `"a"`), true);
  assert.equal(ifMatchHolds(`W/"a"`, `W/"a"`), false);
  assert.equal(ifMatchHolds("*", `W/"a"`), true);
  assert.equal(ifMatchHolds("garbage", `"a"`), false);
});

const FILE: Validators = { etag: `W/"tag"`, lastModified: T + 500 };
const BEFORE = "Sun, 06 Nov 1994 08:49:36 GMT";
const AFTER = "Sun, 06 Nov 1994 08:49:38 GMT";

const PRECONDITIONS: [string, Record<string, string>, string, ConditionOutcome][] = [
  ["no conditions", {}, "GET", "proceed"],
  ["If-None-Match with the tag", { "if-none-match": `W/"tag"` }, "GET", "not_modified"],
  ["If-None-Match with the tag, strong form", { "if-none-match": `"tag"` }, "GET", "not_modified"],
  ["If-None-Match listing the tag", { "if-none-match": `"x", W/"tag"` }, "GET", "not_modified"],
  ["If-None-Match: *", { "if-none-match": "*" }, "GET", "not_modified"],
  ["If-None-Match on HEAD", { "if-none-match": `W/"tag"` }, "HEAD", "not_modified"],
  ["If-None-Match on POST", { "if-none-match": `W/"tag"` }, "POST", "precondition_failed"],
  ["If-None-Match with another tag", { "if-none-match": `"other"` }, "GET", "proceed"],
  ["If-Modified-Since the same second", { "if-modified-since": IMF }, "GET", "not_modified"],
  ["If-Modified-Since later", { "if-modified-since": AFTER }, "GET", "not_modified"],
  ["If-Modified-Since earlier", { "if-modified-since": BEFORE }, "GET", "proceed"],
  ["If-Modified-Since invalid", { "if-modified-since": "soon" }, "GET", "proceed"],
  ["If-Modified-Since on POST", { "if-modified-since": IMF }, "POST", "proceed"],
  [
    "If-None-Match (miss) wins over If-Modified-Since",
    { "if-none-match": `"other"`, "if-modified-since": AFTER },
    "GET",
    "proceed",
  ],
  ["If-Match with a weak tag", { "if-match": `W/"tag"` }, "GET", "precondition_failed"],
  ["If-Match: *", { "if-match": "*" }, "GET", "proceed"],
  ["If-Unmodified-Since earlier", { "if-unmodified-since": BEFORE }, "GET", "precondition_failed"],
  ["If-Unmodified-Since the same second", { "if-unmodified-since": IMF }, "GET", "proceed"],
  ["If-Unmodified-Since invalid", { "if-unmodified-since": "never" }, "GET", "proceed"],
  [
    "If-Match (*) overrides If-Unmodified-Since",
    { "if-match": "*", "if-unmodified-since": BEFORE },
    "GET",
    "proceed",
  ],
  [
    "If-Match fails before If-None-Match is read",
    { "if-match": `"other"`, "if-none-match": `W/"tag"` },
    "GET",
    "precondition_failed",
  ],
  [
    "If-Unmodified-Since fails before If-Modified-Since is read",
    { "if-unmodified-since": BEFORE, "if-modified-since": AFTER },
    "GET",
    "precondition_failed",
  ],
];

for (const [name, headers, method, expected] of PRECONDITIONS) {
  Deno.test(`evaluatePreconditions(): ${name}, ${method} → ${expected}`, () => {
    assert.equal(evaluatePreconditions(new Headers(headers), method, FILE), expected);
  });
}

Deno.test("evaluatePreconditions() ignores dates when the file has no modification time", () => {
  const noTime: Validators = { etag: `W/"tag"` };
  const headers = new Headers({ "if-modified-since": AFTER, "if-unmodified-since": BEFORE });
  assert.equal(evaluatePreconditions(headers, "GET", noTime), "proceed");
});

const LATER = T + 60_000;
const IF_RANGE: [string, string | null, Validators, number, boolean][] = [
  ["absent", null, FILE, LATER, true],
  ["the Last-Modified date, file older than 1 s", IMF, FILE, LATER, true],
  ["the Last-Modified date, file modified within the second", IMF, FILE, T + 900, false],
  ["another date", BEFORE, FILE, LATER, false],
  ["a date when the file has none", IMF, { etag: `W/"tag"` }, LATER, false],
  ["an invalid date", "tomorrow", FILE, LATER, false],
  ["the weak tag itself", `W/"tag"`, FILE, LATER, false],
  ["the tag in strong form against a weak tag", `"tag"`, FILE, LATER, false],
  ["a matching strong tag", `"s"`, { etag: `"s"` }, LATER, true],
  ["another strong tag", `"t"`, { etag: `"s"` }, LATER, false],
];

for (const [name, field, validators, now, expected] of IF_RANGE) {
  Deno.test(`ifRangeHolds(): ${name} → ${expected}`, () => {
    assert.equal(ifRangeHolds(field, validators, now), expected);
  });
}

Deno.test("etagOf() is the SHA-256 prefix, hashed in place or off the event loop alike", async () => {
  for (const size of [0, 3, 1300, 1024 * 1024, 1024 * 1024 + 1, 3_000_000]) {
    const bytes = new Uint8Array(size).map((_, i) => (i * 7) & 255);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)).subarray(0, 16);
    const b64 = btoa(String.fromCharCode(...digest));
    const expected = `"${b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}"`;
    assert.equal(await etagOf(bytes), expected, `${size} bytes`);
  }
  assert.equal(await etagOf(new TextEncoder().encode("abc")), '"ungWv48Bz-pBQUDeXa4iIw"');
});
