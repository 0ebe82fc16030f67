/**
 * Load benchmark of the file routes, run with `deno run -A bench/files_load.ts`.
 *
 * Throughput: a 100 MiB file made in a temporary folder, downloaded by `wrk`
 * (4 connections, bounded duration) from pixserve's `/files` and `/stream`,
 * from a bare `Deno.serve` returning `Deno.open(...).readable`
 * (`bench/files_bare_server.ts`, the baseline) and from nginx (Debian
 * package, `sendfile on`, one worker, started here on a loopback port with a
 * temporary config and stopped after), interleaved over several rounds; the
 * median of each is reported with its ratio to the baseline.
 *
 * Memory: a fresh pixserve per route serves a 1 GiB sparse file to 8
 * concurrent `wrk` connections; the growth is `VmHWM` after the run minus
 * `VmRSS` before it, read from `/proc/<pid>/status`.
 *
 * pixserve runs exactly as `deno task start` runs it (the launcher's narrow
 * permissions) with `--quiet` and, to match the single-isolate baseline and
 * nginx's one worker, `--workers 1`; one more row shows the default workers. Environment: `BENCH_SECONDS` (default 5) per
 * wrk run, `BENCH_ROUNDS` (default 3). Installs `wrk` and `nginx` with apt-get
 * when they are missing.
 *
 * @module
 */

import { resolveMediaRoot, validateSettings } from "../lib/config.ts";
import { serverArgs } from "../lib/launch.ts";

const PROJECT_DIR = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const SECONDS = Number(Deno.env.get("BENCH_SECONDS") ?? 5);
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 3);
const LARGE = 100 * 1024 * 1024;
const SPARSE = 1024 * 1024 * 1024;
const MIB = 1024 * 1024;

/** A server started by this script. */
interface Server {
  readonly base: string;
  readonly pid: number;
  stop(): Promise<void>;
}

async function run(cmd: string, args: string[]): Promise<Deno.CommandOutput> {
  return await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
}

async function ensureTools(): Promise<void> {
  const missing = [];
  for (const tool of ["wrk", "nginx"]) {
    const found = await run("sh", ["-c", `command -v ${tool} || test -x /usr/sbin/${tool}`]);
    if (!found.success) missing.push(tool);
  }
  if (missing.length === 0) return;
  console.log(`installing ${missing.join(" ")} with apt-get`);
  await run("apt-get", ["update", "-qq"]);
  const install = await run("apt-get", ["install", "-y", "-qq", ...missing]);
  if (!install.success) throw new Error(new TextDecoder().decode(install.stderr));
}

async function writePattern(path: string, size: number): Promise<void> {
  const block = Uint8Array.from({ length: MIB }, (_, i) => (i * 131 + 7) % 256);
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  for (let written = 0; written < size; written += block.byteLength) await file.write(block);
}

async function writeSparse(path: string, size: number): Promise<void> {
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  await file.truncate(size);
}

/** Spawns a process and waits for the first stdout line matching `ready`. */
async function spawnServer(
  cmd: string,
  args: string[],
  ready: RegExp,
): Promise<{ child: Deno.ChildProcess; port: number }> {
  const child = new Deno.Command(cmd, { args, stdin: "null", stdout: "piped", stderr: "inherit" })
    .spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  for (;;) {
    const match = ready.exec(text);
    if (match !== null) {
      await reader.cancel();
      return { child, port: Number(match[1]) };
    }
    const { value, done } = await reader.read();
    if (done) throw new Error(`${cmd} exited before it was ready: ${text}`);
    text += value;
  }
}

function stopper(child: Deno.ChildProcess, signal: Deno.Signal = "SIGTERM") {
  return async () => {
    child.kill(signal);
    await child.status;
  };
}

async function startPixserve(root: string, extra: string[] = ["--workers", "1"]): Promise<Server> {
  const config = await resolveMediaRoot(
    validateSettings({ port: "0", mediaRoot: root }, () => PROJECT_DIR),
  );
  const { child, port } = await spawnServer(
    Deno.execPath(),
    serverArgs(config, ["--port", "0", "--quiet", ...extra], PROJECT_DIR),
    /listening on http:\/\/127\.0\.0\.1:(\d+)\//,
  );
  return { base: `http://127.0.0.1:${port}`, pid: child.pid, stop: stopper(child) };
}

async function startBare(file: string, mode: string[] = []): Promise<Server> {
  const { child, port } = await spawnServer(
    Deno.execPath(),
    [
      "run",
      `--allow-net=127.0.0.1`,
      `--allow-read=${file}`,
      `${PROJECT_DIR}/bench/files_bare_server.ts`,
      file,
      ...mode,
    ],
    /bare listening on (\d+)/,
  );
  return { base: `http://127.0.0.1:${port}`, pid: child.pid, stop: stopper(child) };
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

async function startNginx(root: string, scratch: string): Promise<Server> {
  const port = freePort();
  const conf = `${scratch}/nginx.conf`;
  await Deno.writeTextFile(
    conf,
    `user root;
worker_processes 1;
daemon off;
pid ${scratch}/nginx.pid;
error_log ${scratch}/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path ${scratch}/body;
  proxy_temp_path ${scratch}/proxy;
  fastcgi_temp_path ${scratch}/fastcgi;
  uwsgi_temp_path ${scratch}/uwsgi;
  scgi_temp_path ${scratch}/scgi;
  types { application/octet-stream bin; }
  server {
    listen 127.0.0.1:${port};
    root ${root};
  }
}
`,
  );
  const child = new Deno.Command("nginx", {
    args: ["-c", conf, "-p", scratch],
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const base = `http://127.0.0.1:${port}`;
  for (let tries = 0;; tries++) {
    try {
      await (await fetch(`${base}/missing`)).body?.cancel();
      break;
    } catch (err) {
      if (tries === 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return { base, pid: child.pid, stop: stopper(child, "SIGQUIT") };
}

const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: MIB, GB: 1024 * MIB };

/** Runs wrk and returns MiB/s received. */
async function wrk(url: string, connections: number, seconds: number): Promise<number> {
  const out = await run("wrk", [
    "-t",
    String(Math.min(2, connections)),
    "-c",
    String(connections),
    "-d",
    `${seconds}s`,
    "--timeout",
    "60s",
    url,
  ]);
  const text = new TextDecoder().decode(out.stdout);
  const match = /Transfer\/sec:\s+([\d.]+)([KMG]?B)/.exec(text);
  if (!out.success || match === null || /Non-2xx/.test(text)) {
    throw new Error(`wrk ${url} failed:\n${text}${new TextDecoder().decode(out.stderr)}`);
  }
  return Number(match[1]) * UNITS[match[2]] / MIB;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function kib(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)![1]);
}

async function throughput(root: string, scratch: string): Promise<void> {
  const pixserve = await startPixserve(root);
  const pixserveAll = await startPixserve(root, []);
  const bare = await startBare(`${root}/large.bin`);
  const sized = await startBare(`${root}/large.bin`, ["--sized"]);
  const nginx = await startNginx(root, scratch);
  const targets: [string, string][] = [
    ["bare Deno.serve + Deno.open().readable (baseline)", `${bare.base}/`],
    ["bare, with Content-Length", `${sized.base}/`],
    ["pixserve GET /files/large.bin", `${pixserve.base}/files/large.bin`],
    ["pixserve GET /stream/large.bin (chunk 64 KiB)", `${pixserve.base}/stream/large.bin`],
    [
      "pixserve GET /stream/large.bin?chunk=1048576",
      `${pixserve.base}/stream/large.bin?chunk=1048576`,
    ],
    ["nginx 1.22 sendfile, 1 worker (reference)", `${nginx.base}/large.bin`],
    [
      `pixserve GET /files/large.bin, default workers (${navigator.hardwareConcurrency} isolates)`,
      `${pixserveAll.base}/files/large.bin`,
    ],
  ];
  const samples = new Map<string, number[]>(targets.map(([name]) => [name, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, url] of targets) samples.get(name)!.push(await wrk(url, 4, SECONDS));
    }
  } finally {
    await pixserve.stop();
    await pixserveAll.stop();
    await bare.stop();
    await sized.stop();
    await nginx.stop();
  }
  const baseline = median(samples.get(targets[0][0])!);
  console.log(
    `\nthroughput, 100 MiB file, wrk -t2 -c4 -d${SECONDS}s, median of ${ROUNDS} interleaved rounds`,
  );
  console.log("| server | MiB/s | × bare | runs (MiB/s) |\n| --- | ---: | ---: | --- |");
  for (const [name] of targets) {
    const runs = samples.get(name)!;
    const m = median(runs);
    console.log(
      `| ${name} | ${m.toFixed(0)} | ${(m / baseline).toFixed(2)} | ${
        runs.map((r) => r.toFixed(0)).join(", ")
      } |`,
    );
  }
}

async function memory(root: string): Promise<void> {
  console.log(`\nmemory, 1 GiB sparse file, wrk -t2 -c8 -d${SECONDS * 2}s, fresh server per row`);
  console.log(
    "| route | VmRSS before | VmHWM after | growth | MiB/s |\n| --- | ---: | ---: | ---: | ---: |",
  );
  for (
    const path of [
      "/files/sparse.bin",
      "/stream/sparse.bin",
      "/stream/sparse.bin?chunk=1048576",
      "/files/sparse.bin?range",
    ]
  ) {
    const server = await startPixserve(root);
    try {
      await (await fetch(`${server.base}/health`)).body?.cancel();
      const before = kib(server.pid, "VmRSS");
      const url = path.endsWith("?range")
        ? `${server.base}/files/sparse.bin`
        : `${server.base}${path}`;
      const rate = path.endsWith("?range")
        ? await wrkRange(url, SECONDS * 2)
        : await wrk(url, 8, SECONDS * 2);
      const peak = kib(server.pid, "VmHWM");
      const growth = (peak - before) / 1024;
      console.log(
        `| ${path.replace("?range", " Range: bytes=0-(size-2)")} | ${
          (before / 1024).toFixed(1)
        } MiB | ${(peak / 1024).toFixed(1)} MiB | **${growth.toFixed(1)} MiB** ${
          growth < 64 ? "< 64" : "≥ 64 (target missed)"
        } | ${rate.toFixed(0)} |`,
      );
    } finally {
      await server.stop();
    }
  }
}

/** wrk with a Range header that stops one byte short of the end (the JavaScript span path). */
async function wrkRange(url: string, seconds: number): Promise<number> {
  const out = await run("wrk", [
    "-t2",
    "-c8",
    "-d",
    `${seconds}s`,
    "--timeout",
    "60s",
    "-H",
    `Range: bytes=0-${SPARSE - 2}`,
    url,
  ]);
  const text = new TextDecoder().decode(out.stdout);
  const match = /Transfer\/sec:\s+([\d.]+)([KMG]?B)/.exec(text);
  if (match === null) throw new Error(`wrk failed:\n${text}`);
  return Number(match[1]) * UNITS[match[2]] / MIB;
}

if (import.meta.main) {
  await ensureTools();
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "pixserve-files-load-" }));
  const scratch = await Deno.makeTempDir({ prefix: "pixserve-nginx-" });
  try {
    await writePattern(`${root}/large.bin`, LARGE);
    await writeSparse(`${root}/sparse.bin`, SPARSE);
    console.log(`deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores`);
    await throughput(root, scratch);
    await memory(root);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(scratch, { recursive: true });
  }
}
