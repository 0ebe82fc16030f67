import assert from "node:assert/strict";
import { ConfigError, readSettings, validateSettings } from "../lib/config.ts";
import { serverArgs } from "../lib/launch.ts";
import { testConfig } from "./_server.ts";

const cwd = () => "/srv/app";
const noEnv = () => undefined;

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
  assert.deepEqual(validateSettings({}, cwd, 2), {
    port: 8000,
    host: "127.0.0.1",
    mediaRoot: "/srv/app/fixtures",
    maxPixels: 40_000_000,
    maxFrames: 1000,
    maxBodyBytes: 67_108_864,
    cacheMaxAge: 3600,
    cacheSMaxAge: null,
    cacheBytes: 67_108_864,
    quiet: false,
    workers: 2,
    encodeWorkers: 2,
    encodeQueue: 32,
    encoder: "native",
    metrics: true,
    trustProxy: false,
    maxStreams: 16,
    maxViewers: 256,
    streamIdleSeconds: 300,
    signingKeys: [],
    maxVariants: 64,
    maxUrlBytes: 8192,
    maxHeaderBytes: 32_768,
    bodyTimeoutSeconds: 30,
    shutdownGraceSeconds: 10,
    maxInflightBytes: 536_870_912,
    maxConnections: 1024,
    memoryIdleSeconds: 30,
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

Deno.test("validateSettings() serves on every core with cores/workers (≥ 2) encode workers each", () => {
  const cases: [number, Record<string, string>, [number, number]][] = [
    [2, {}, [2, 2]],
    [8, {}, [8, 2]],
    [8, { workers: "2" }, [2, 4]],
    [8, { workers: "3" }, [3, 3]],
    [1, {}, [1, 2]],
    [4, { workers: "1", encodeWorkers: "6" }, [1, 6]],
  ];
  for (const [cores, raw, [workers, encodeWorkers]] of cases) {
    const config = validateSettings(raw, cwd, cores);
    assert.deepEqual([config.workers, config.encodeWorkers], [workers, encodeWorkers], `${cores}`);
    assert.equal(config.encodeQueue, 32);
    assert.equal(config.encoder, "native");
  }
});

Deno.test("readSettings() reads the serving and encoding settings from flags and environment", () => {
  const env: Record<string, string> = { WORKERS: "3", ENCODER: "imagescript", ENCODE_QUEUE: "0" };
  const parsed = readSettings(["--encode-workers=2", "--workers", "4"], (n) => env[n]);
  assert.deepEqual(parsed, {
    help: false,
    raw: { workers: "4", encoder: "imagescript", encodeQueue: "0", encodeWorkers: "2" },
  });
  if (parsed.help) return;
  const config = validateSettings(parsed.raw, cwd, 2);
  assert.deepEqual(
    [config.workers, config.encodeWorkers, config.encodeQueue, config.encoder],
    [4, 2, 0, "imagescript"],
  );
});

Deno.test("validateSettings() names a bad serving or encoding setting", () => {
  const cases: [Record<string, string>, string][] = [
    [{ workers: "0" }, `workers must be an integer from 1 to 256, got "0"`],
    [{ workers: "all" }, `workers must be an integer from 1 to 256, got "all"`],
    [{ encodeWorkers: "0" }, `encode workers must be an integer from 1 to 256, got "0"`],
    [{ encodeQueue: "-1" }, `encode queue must be an integer from 0 to 1000000, got "-1"`],
    [{ maxStreams: "0" }, `max streams must be an integer from 1 to 1000000, got "0"`],
    [{ maxViewers: "x" }, `max viewers must be an integer from 0 to 1000000, got "x"`],
    [
      { streamIdleSeconds: "0" },
      `stream idle seconds must be an integer from 1 to 31536000, got "0"`,
    ],
    [{ encoder: "pil" }, `encoder must be one of native, imagescript, got "pil"`],
  ];
  for (const [raw, message] of cases) {
    assert.throws(() => validateSettings(raw, cwd, 2), new ConfigError(message));
  }
});

Deno.test("serverArgs() grants the worker code, the codecs' files and --unstable-net for N isolates", async () => {
  const config = await testConfig({ workers: 2, mediaRoot: "/media" });
  assert.deepEqual(serverArgs(config, ["--quiet"], "/app").slice(0, 6), [
    "run",
    "--unstable-net",
    "--allow-net=127.0.0.1",
    "--allow-read=/media,/app/node_modules,/app/lib,/app/deno.json,/usr/bin/ldd,/etc/alpine-release",
    "--allow-ffi=/app/node_modules",
    "--allow-sys=setPriority",
  ]);
  const env = serverArgs(config, [], "/app")[6];
  for (const name of ["WORKERS", "ENCODE_WORKERS", "ENCODER", "MALLOC_ARENA_MAX"]) {
    assert.ok(env.split(/[=,]/).includes(name), name);
  }
  assert.equal(
    serverArgs(config, [], "/app")[7],
    "--v8-flags=--expose-gc,--external-memory-max-growing-factor=4",
  );
  const single = serverArgs({ ...config, workers: 1 }, [], "/app");
  assert.equal(single.includes("--unstable-net"), false);
});

Deno.test("validateSettings() reads METRICS and TRUST_PROXY as on/off switches", () => {
  const env: Record<string, string> = { METRICS: "off", TRUST_PROXY: "1" };
  const parsed = readSettings([], (n) => env[n]);
  assert.ok(!parsed.help);
  const config = validateSettings(parsed.raw, cwd);
  assert.equal(config.metrics, false);
  assert.equal(config.trustProxy, true);
  const flags = readSettings(["--metrics=on", "--trust-proxy", "no"], (n) => env[n]);
  assert.ok(!flags.help);
  assert.equal(validateSettings(flags.raw, cwd).metrics, true);
  assert.equal(validateSettings(flags.raw, cwd).trustProxy, false);
  assert.throws(
    () => validateSettings({ metrics: "maybe" }, cwd),
    new ConfigError(`metrics must be on or off (also true/false, yes/no, 1/0), got "maybe"`),
  );
});

Deno.test("MAX_CONNECTIONS and MEMORY_IDLE_SECONDS are read from the environment, flags over them", () => {
  const env: Record<string, string> = { MAX_CONNECTIONS: "64", MEMORY_IDLE_SECONDS: "5" };
  const parsed = readSettings([], (name) => env[name]);
  assert.ok(!parsed.help);
  const config = validateSettings(parsed.raw, cwd);
  assert.deepEqual([config.maxConnections, config.memoryIdleSeconds], [64, 5]);
  const flagged = readSettings(
    ["--max-connections=8", "--memory-idle-seconds", "1"],
    (name) => env[name],
  );
  assert.ok(!flagged.help);
  const overridden = validateSettings(flagged.raw, cwd);
  assert.deepEqual([overridden.maxConnections, overridden.memoryIdleSeconds], [8, 1]);
  assert.throws(
    () => validateSettings({ maxConnections: "0" }, cwd),
    new ConfigError(`max connections must be an integer from 1 to 1000000, got "0"`),
  );
  assert.throws(
    () => validateSettings({ memoryIdleSeconds: "0" }, cwd),
    new ConfigError(`memory idle seconds must be an integer from 1 to 86400, got "0"`),
  );
});
