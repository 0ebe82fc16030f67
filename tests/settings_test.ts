import assert from "node:assert/strict";
import { ConfigError, readSettings, validateSettings } from "../lib/config.ts";

const noEnv = () => undefined;
const cwd = () => "/srv/app";

Deno.test("readSettings() takes flags over environment variables", () => {
  const env: Record<string, string> = { PORT: "9000", MEDIA_ROOT: "/data", HOST: "" };
  assert.deepEqual(
    readSettings(["--port=9100", "--quiet", "--max-pixels", "10"], (n) => env[n]),
    { help: false, raw: { port: "9100", mediaRoot: "/data", maxPixels: "10", quiet: true } },
  );
  assert.deepEqual(readSettings(["--port", "1", "--help"], noEnv), { help: true });
});

Deno.test("readSettings() rejects unknown flags and flags without values", () => {
  assert.throws(
    () => readSettings(["--bogus"], noEnv),
    new ConfigError("unknown option --bogus; see --help"),
  );
  assert.throws(() => readSettings(["--port"], noEnv), new ConfigError("--port needs a value"));
});

Deno.test("validateSettings() applies defaults and resolves a relative media root", () => {
  assert.deepEqual(validateSettings({}, cwd), {
    port: 8000,
    host: "127.0.0.1",
    mediaRoot: "/srv/app/fixtures",
    maxPixels: 40_000_000,
    maxBodyBytes: 67_108_864,
    cacheMaxAge: 3600,
    cacheBytes: 67_108_864,
    quiet: false,
  });
  assert.equal(validateSettings({ mediaRoot: "/abs" }, cwd).mediaRoot, "/abs");
  assert.equal(validateSettings({ host: "[::1]" }, cwd).host, "::1");
});

Deno.test("validateSettings() names the first bad value", () => {
  const cases: [Record<string, string>, string][] = [
    [{ port: "abc" }, `port must be an integer from 0 to 65535, got "abc"`],
    [{ port: "70000" }, `port must be an integer from 0 to 65535, got "70000"`],
    [{ port: "-1" }, `port must be an integer from 0 to 65535, got "-1"`],
    [{ maxPixels: "0" }, `max pixels must be an integer from 1 to 9007199254740991, got "0"`],
    [
      { maxBodyBytes: "1e6" },
      `max body bytes must be an integer from 1 to 9007199254740991, got "1e6"`,
    ],
    [{ host: "bad host" }, `host must be a host name or IP address, got "bad host"`],
  ];
  for (const [raw, message] of cases) {
    assert.throws(() => validateSettings(raw, cwd), new ConfigError(message));
  }
});
