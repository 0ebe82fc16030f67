import assert from "node:assert/strict";
import { readClusterSettings } from "../lib/cluster.ts";
import { instanceFlags } from "../lib/cluster/instance.ts";
import { NGINX_TEMPLATE, NginxError, renderNginxConf } from "../lib/cluster/nginx.ts";
import { ConfigError } from "../lib/config.ts";
import { PROJECT_DIR } from "./_server.ts";

const cwd = () => PROJECT_DIR;

Deno.test("readClusterSettings() takes its own flags over variables and passes pixserve's on", async () => {
  const env: Record<string, string> = { INSTANCES: "3", CACHE_MAX_SIZE: "2g", PORT: "9000" };
  const settings = await readClusterSettings(
    ["--instances=2", "--quiet", "--host", "0.0.0.0", "--cache-dir", "cache", "--port=8080"],
    (name) => env[name],
    cwd,
  );
  assert.ok(settings !== "help");
  assert.equal(settings.instances, 2);
  assert.equal(settings.cacheDir, `${PROJECT_DIR}/cache`);
  assert.equal(settings.cacheMaxSize, "2g");
  assert.deepEqual(settings.pixserveArgs, ["--quiet"]);
  assert.equal(settings.workersSet, false);
  assert.equal(settings.config.host, "0.0.0.0");
  assert.equal(settings.config.port, 8080);
  assert.equal(settings.config.quiet, true);
  assert.equal(await readClusterSettings(["--help"], () => undefined, cwd), "help");
});

Deno.test("readClusterSettings() names a bad value", async () => {
  const cases: [string[], Record<string, string>, string][] = [
    [["--instances", "0"], {}, `instances must be an integer from 1 to 64, got "0"`],
    [[], { INSTANCES: "many" }, `instances must be an integer from 1 to 64, got "many"`],
    [
      ["--cache-max-size", "lots"],
      {},
      `cache max size must be bytes or a size like 512m or 4g, got "lots"`,
    ],
    [["--cache-dir"], {}, "--cache-dir needs a value"],
    [["--port", "x"], {}, `port must be an integer from 0 to 65535, got "x"`],
  ];
  for (const [args, env, message] of cases) {
    await assert.rejects(readClusterSettings(args, (n) => env[n], cwd), new ConfigError(message));
  }
});

Deno.test("instanceFlags() gives each instance one isolate, its port and a trusted proxy", () => {
  assert.deepEqual(instanceFlags(["--quiet"], 8001, false), [
    "--workers",
    "1",
    "--quiet",
    "--host",
    "127.0.0.1",
    "--port",
    "8001",
    "--trust-proxy",
    "true",
  ]);
  assert.deepEqual(instanceFlags(["--workers", "2"], 8002, true).slice(0, 2), ["--workers", "2"]);
});

Deno.test("renderNginxConf() fills every field of deploy/nginx.conf", async () => {
  const template = await Deno.readTextFile(NGINX_TEMPLATE);
  const conf = renderNginxConf(template, {
    dir: "/tmp/c",
    listen: "127.0.0.1:8080",
    upstreams: ["127.0.0.1:8001", "127.0.0.1:8002"],
    maxBodyBytes: 1234,
    cacheMaxSize: "1g",
  });
  assert.doesNotMatch(conf, /\{\{\w+\}\}/);
  assert.match(
    conf,
    /^ {4}server 127\.0\.0\.1:8001 max_fails=0;\n {4}server 127\.0\.0\.1:8002 max_fails=0;$/m,
  );
  assert.match(conf, /^ {4}listen 127\.0\.0\.1:8080;$/m);
  assert.match(conf, /^ {4}client_max_body_size 1234;$/m);
  assert.match(conf, /^pid \/tmp\/c\/nginx\.pid;$/m);
  assert.match(conf, /keys_zone=pixserve:64m max_size=1g/);
  const fields = { dir: "", listen: "", upstreams: [], maxBodyBytes: 1, cacheMaxSize: "1" };
  assert.throws(
    () => renderNginxConf("{{nope}}", fields),
    new NginxError("deploy/nginx.conf has an unknown field {{nope}}"),
  );
});
