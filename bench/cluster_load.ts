/**
 * The cluster's load benchmark (`deno task cluster`: pixserve instances behind nginx), in
 * one run:
 *
 * 1. Cached `GET /image.png` (512×512 PNG): through nginx's cache (a HIT every request),
 *    from pixserve directly (`--workers 1`, its own memo), and from a bare nginx serving the
 *    same bytes as a static file. Every server is pinned to CPU 0, wrk to CPU 1; rounds
 *    alternate; medians of requests/s, p99 and CPU per request (the whole process tree).
 * 2. Cache-missing renders, `POST /render.png` with a 512×512 `.npy` (uploads are never
 *    cached), through the cluster with `INSTANCES=1` and `INSTANCES=2`, against one
 *    pixserve directly; not pinned (both cores, wrk among them), rounds alternating.
 *
 * Run: `deno run -A bench/cluster_load.ts [seconds] [connections] [rounds]` (needs wrk and
 * nginx)
 *
 * @module
 */

import { ensureNginx, NGINX_PATH } from "../lib/cluster/nginx.ts";
import {
  type BenchServer,
  fmt,
  freePort,
  median,
  npyPostScript,
  PINNED,
  PROJECT_DIR,
  startPixserve,
  wrk,
  type WrkResult,
} from "./_wrk.ts";

const seconds = Number(Deno.args[0] ?? 5);
const connections = Number(Deno.args[1] ?? 32);
const rounds = Number(Deno.args[2] ?? 5);
/** Connections for renders: a few per core, so that requests queue in pixserve, not in wrk. */
const RENDER_CONNECTIONS = 8;

/** User + system CPU seconds of a process and everything below it, from `/proc`. */
function treeCpuSeconds(root: number): number {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parent.set(Number(entry.name), Number(fields[1]));
      cpu.set(Number(entry.name), (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // it has exited
    }
  }
  const inTree = (pid: number): boolean =>
    pid === root || (pid > 1 && parent.has(pid) && inTree(parent.get(pid)!));
  let total = 0;
  for (const [pid, seconds] of cpu) if (inTree(pid)) total += seconds;
  return total;
}

/** Starts a process (pinned when `cpus` is given) and waits until `path` answers 200. */
async function startTree(
  command: string,
  args: string[],
  port: number,
  options: { env?: Record<string, string>; cpus?: string; path?: string } = {},
): Promise<BenchServer> {
  const [program, programArgs] = options.cpus === undefined
    ? [command, args]
    : ["taskset", ["-c", options.cpus, command, ...args]];
  const child = new Deno.Command(program, {
    args: programArgs,
    cwd: PROJECT_DIR,
    env: options.env,
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0;; i++) {
    try {
      const res = await fetch(`${base}${options.path ?? "/health"}`);
      await res.body?.cancel();
      if (res.ok) break;
    } catch {
      if (i > 600) throw new Error(`${command} did not start`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    base,
    pid: child.pid,
    cpuSeconds: () => Promise.resolve(treeCpuSeconds(child.pid)),
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

/** `deno task cluster` with `instances` instances, nginx on a free port. */
function startCluster(instances: number, cpus?: string): Promise<BenchServer> {
  const port = freePort();
  return startTree(
    Deno.execPath(),
    ["run", "-A", `${PROJECT_DIR}/lib/cluster.ts`, "--quiet"],
    port,
    { env: { PORT: String(port), INSTANCES: String(instances) }, cpus },
  );
}

/** nginx serving `bytes` as a static `/image.png`, with its default access log. */
async function startBareNginx(bytes: Uint8Array, cpus?: string): Promise<BenchServer> {
  const dir = await Deno.makeTempDir({ prefix: "pixserve-bench-nginx-" });
  await Deno.chmod(dir, 0o755);
  await Deno.mkdir(`${dir}/root`);
  await Deno.writeFile(`${dir}/root/image.png`, bytes);
  await Deno.chmod(`${dir}/root`, 0o755);
  await Deno.chmod(`${dir}/root/image.png`, 0o644);
  const port = freePort();
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((name) => `${name}_temp_path ${dir}/${name};`).join("\n  ");
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `daemon off;
worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  ${temp}
  access_log ${dir}/access.log;
  sendfile on;
  tcp_nopush on;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/root;
    location = /image.png { default_type image/png; }
  }
}
`,
  );
  return await startTree(NGINX_PATH, ["-p", `${dir}/`, "-c", `${dir}/nginx.conf`], port, {
    cpus,
    path: "/image.png",
  });
}

function report(name: string, results: WrkResult[], cpuUs: number[]): string {
  return `${name.padEnd(36)} median ${fmt(median(results.map((r) => r.rps))).padStart(7)} req/s ` +
    `p99 ${median(results.map((r) => r.p99)).toFixed(2).padStart(6)} ms  ` +
    `${median(cpuUs).toFixed(1).padStart(6)} µs CPU/request  non-2xx ${
      results.reduce((n, r) => n + r.errors, 0)
    }  (${results.map((r) => fmt(r.rps)).join(", ")})`;
}

/** Alternating rounds of wrk on `path` (with a script when given); a report line each. */
async function compare(
  servers: Record<string, BenchServer>,
  path: string,
  options: { script?: string; cpus?: string; connections?: number },
): Promise<Record<string, number>> {
  const results: Record<string, WrkResult[]> = {};
  const cpu: Record<string, number[]> = {};
  for (const [name, server] of Object.entries(servers)) {
    await wrk(`${server.base}${path}`, { seconds: 2, connections, ...options });
    results[name] = [];
    cpu[name] = [];
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, server] of Object.entries(servers)) {
      const before = await server.cpuSeconds();
      const result = await wrk(`${server.base}${path}`, { seconds, connections, ...options });
      results[name].push(result);
      cpu[name].push((await server.cpuSeconds() - before) * 1e6 / result.requests);
    }
  }
  for (const name of Object.keys(servers)) console.log(report(name, results[name], cpu[name]));
  return Object.fromEntries(
    Object.entries(results).map(([name, r]) => [name, median(r.map((x) => x.rps))]),
  );
}

await ensureNginx(console.error);
const HIT = "nginx cache HIT (cluster, 1 instance)";
const DIRECT = "pixserve direct --workers 1";
const BARE = "bare nginx, static file";
const servers: Record<string, BenchServer> = {};
try {
  servers[DIRECT] = await startPixserve(freePort(), ["--quiet", "--workers", "1"], PINNED.server);
  const res = await fetch(`${servers[DIRECT].base}/image.png`);
  const png = new Uint8Array(await res.arrayBuffer());
  servers[HIT] = await startCluster(1, PINNED.server);
  servers[BARE] = await startBareNginx(png, PINNED.server);
  console.log(
    `GET /image.png (${png.byteLength} bytes), ${connections} connections, ${rounds} rounds ` +
      `of ${seconds} s; servers on CPU ${PINNED.server ?? "any"}, wrk on CPU ${
        PINNED.load ?? "any"
      }`,
  );
  const cached = await compare(
    { [HIT]: servers[HIT], [DIRECT]: servers[DIRECT], [BARE]: servers[BARE] },
    "/image.png",
    { cpus: PINNED.load },
  );
  console.log(
    `${HIT} / ${DIRECT}: ${(cached[HIT] / cached[DIRECT]).toFixed(2)}×; / ${BARE}: ${
      (cached[HIT] / cached[BARE]).toFixed(2)
    }×`,
  );
  for (const name of [HIT, DIRECT, BARE]) {
    await servers[name].stop();
    delete servers[name];
  }

  const script = await npyPostScript("/render.png", 512, 512, 64);
  servers[DIRECT] = await startPixserve(freePort(), ["--quiet", "--workers", "1"]);
  servers["cluster INSTANCES=1"] = await startCluster(1);
  servers["cluster INSTANCES=2"] = await startCluster(2);
  console.log(
    `\nPOST /render.png (512×512 .npy, 64 bodies in turn, never cached), ${RENDER_CONNECTIONS} ` +
      `connections, ${rounds} rounds of ${seconds} s; nothing pinned`,
  );
  const renders = await compare(
    {
      [DIRECT]: servers[DIRECT],
      "cluster INSTANCES=1": servers["cluster INSTANCES=1"],
      "cluster INSTANCES=2": servers["cluster INSTANCES=2"],
    },
    "/render.png",
    { script, connections: RENDER_CONNECTIONS },
  );
  console.log(
    `INSTANCES=2 / INSTANCES=1: ${
      (renders["cluster INSTANCES=2"] / renders["cluster INSTANCES=1"]).toFixed(2)
    }×; INSTANCES=1 / ${DIRECT}: ${(renders["cluster INSTANCES=1"] / renders[DIRECT]).toFixed(2)}×`,
  );
} finally {
  for (const server of Object.values(servers)) await server.stop();
}
