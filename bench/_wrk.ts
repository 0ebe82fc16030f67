/**
 * Helpers of the HTTP load benchmarks: free ports, servers started and stopped as child
 * processes, wrk runs on loopback (bounded in time) and their figures, a latency prober.
 *
 * @module
 */

/** The project's folder. */
export const PROJECT_DIR: string = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Debian's interpreter, which has PIL, NumPy and FastAPI once installed with apt. */
export const DEBIAN_PYTHON = "/usr/bin/python3";

/** What one wrk run measured. */
export interface WrkResult {
  /** Requests per second. */
  readonly rps: number;
  /** Latency percentiles in milliseconds: p50, p90, p99. */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  /** Responses that were not 2xx or 3xx. */
  readonly errors: number;
  /** Requests completed. */
  readonly requests: number;
}

/** A server started by a benchmark. */
export interface BenchServer {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** Its process id. */
  readonly pid: number;
  /** CPU seconds (user + system, every thread) the process has used so far. */
  cpuSeconds(): Promise<number>;
  /** Stops it (SIGTERM, then waits). */
  stop(): Promise<void>;
}

/**
 * CPUs to pin a server and its load generator to, so that they do not take turns on the
 * same core: on a machine with at least two, the server gets CPU 0 and wrk CPU 1; else
 * neither is pinned.
 */
export const PINNED: { readonly server?: string; readonly load?: string } =
  navigator.hardwareConcurrency >= 2 && hasTaskset() ? { server: "0", load: "1" } : {};

function hasTaskset(): boolean {
  try {
    return new Deno.Command("taskset", { args: ["-V"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** `command args` run through `taskset -c cpus` when `cpus` is given. */
function pinned(command: string, args: string[], cpus?: string): [string, string[]] {
  return cpus === undefined ? [command, args] : ["taskset", ["-c", cpus, command, ...args]];
}

/** User + system CPU seconds of a process, from `/proc/<pid>/stat`. */
async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * A TCP port that is free now on 127.0.0.1.
 *
 * @returns The port.
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/**
 * Starts a server process and waits until `readyPath` answers.
 *
 * @param command The executable.
 * @param args Its arguments.
 * @param port The port it listens on.
 * @param options Environment, working folder and the path polled for readiness.
 * @returns The running server.
 */
export async function startServer(
  command: string,
  args: string[],
  port: number,
  options: {
    env?: Record<string, string>;
    cwd?: string;
    readyPath?: string;
    cpus?: string;
    /** A regular file that takes the server's standard output (else it is discarded). */
    stdoutFile?: string;
  } = {},
): Promise<BenchServer> {
  const [program, programArgs] = pinned(command, args, options.cpus);
  const spawn = options.stdoutFile === undefined
    ? (a: string[]) => a
    : (a: string[]) => ["-c", 'exec "$0" "$@" >> "$PIXSERVE_BENCH_STDOUT"', ...a];
  const child = new Deno.Command(options.stdoutFile === undefined ? program : "sh", {
    args: spawn(options.stdoutFile === undefined ? programArgs : [program, ...programArgs]),
    env: {
      ...options.env,
      ...(options.stdoutFile === undefined ? {} : { PIXSERVE_BENCH_STDOUT: options.stdoutFile }),
    },
    cwd: options.cwd ?? PROJECT_DIR,
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (true) {
    try {
      const res = await fetch(`${base}${options.readyPath ?? "/health"}`);
      await res.body?.cancel();
      if (res.ok) break;
    } catch {
      if (Date.now() > deadline) {
        await stopChild(child);
        throw new Error(`${command} ${args.join(" ")} did not start`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    base,
    pid: child.pid,
    cpuSeconds: () => cpuSecondsOf(child.pid),
    stop: () => stopChild(child),
  };
}

/** SIGTERM, unless it has exited already, then its exit. */
async function stopChild(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    // it has exited already
  }
  await child.status;
}

/**
 * pixserve through `main.ts` with the launcher's permissions, flags and environment.
 *
 * @param port The port.
 * @param flags Extra flags (`--workers 1`, …).
 * @param cpus CPUs to pin it to (`taskset -c`), e.g. {@linkcode PINNED}`.server`.
 * @param stdoutFile A regular file for its request log (else the log is discarded).
 * @returns The running server.
 */
export async function startPixserve(
  port: number,
  flags: string[] = [],
  cpus?: string,
  stdoutFile?: string,
): Promise<BenchServer> {
  const { serverArgs, serverEnv } = await import("../lib/launch.ts");
  const { ownLibcPath } = await import("../lib/memory.ts");
  const { loadConfig } = await import("../lib/config.ts");
  const args = ["--port", String(port), ...flags];
  const config = await loadConfig(args, () => undefined, () => PROJECT_DIR);
  if (typeof config === "string") throw new Error("no config");
  const libc = ownLibcPath();
  return await startServer(Deno.execPath(), serverArgs(config, args, PROJECT_DIR, libc), port, {
    cpus,
    stdoutFile,
    env: serverEnv((name) => Deno.env.get(name), libc),
  });
}

/**
 * The bare baseline, `bench/_bare_server.ts` under `deno serve`.
 *
 * @param headers `type`: `Content-Type` only; `full`: pixserve's six headers.
 * @param jobs Isolates; more than one runs `deno serve --parallel` with `DENO_JOBS`.
 * @param cpus CPUs to pin it to (`taskset -c`).
 * @returns The running server.
 */
export async function startBare(
  headers: "type" | "full",
  jobs = 1,
  cpus?: string,
): Promise<BenchServer> {
  const port = freePort();
  return await startServer(
    Deno.execPath(),
    [
      "serve",
      "-A",
      ...(jobs > 1 ? ["--parallel"] : []),
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      `${PROJECT_DIR}/bench/_bare_server.ts`,
    ],
    port,
    { readyPath: "/", env: { DENO_JOBS: String(jobs), BARE_HEADERS: headers }, cpus },
  );
}

/**
 * The FastAPI peer of `../shared/peers/fastapi_reference.py`, as its header says to run it.
 *
 * @param port The port.
 * @param workers uvicorn workers.
 * @param cpus CPUs to pin it to (`taskset -c`).
 * @returns The running server.
 */
export async function startFastApi(
  port: number,
  workers = 1,
  cpus?: string,
): Promise<BenchServer> {
  const peers = `${PROJECT_DIR}/../shared/peers`;
  return await startServer(
    DEBIAN_PYTHON,
    [
      "-m",
      "uvicorn",
      "fastapi_reference:app",
      "--app-dir",
      peers,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--workers",
      String(workers),
      "--log-level",
      "warning",
      "--loop",
      "uvloop",
      "--http",
      "httptools",
    ],
    port,
    { readyPath: "/image-cached.png", cpus },
  );
}

/**
 * Runs wrk against a URL on loopback.
 *
 * @param url The target; must be on 127.0.0.1.
 * @param options Connections, seconds, threads, a Lua script, and CPUs to pin wrk to.
 * @returns Its figures.
 */
export async function wrk(
  url: string,
  options: {
    connections?: number;
    seconds?: number;
    threads?: number;
    script?: string;
    cpus?: string;
    /** Seconds before wrk gives a request up (wrk's default is 2). */
    timeout?: number;
  } = {},
): Promise<WrkResult> {
  if (!url.startsWith("http://127.0.0.1:")) throw new Error(`not loopback: ${url}`);
  const args = [
    "--latency",
    `-t${options.threads ?? 1}`,
    `-c${options.connections ?? 32}`,
    `-d${options.seconds ?? 10}s`,
    ...(options.script === undefined ? [] : ["-s", options.script]),
    ...(options.timeout === undefined ? [] : ["--timeout", `${options.timeout}s`]),
    url,
  ];
  const [program, programArgs] = pinned("wrk", args, options.cpus);
  const out = await new Deno.Command(program, { args: programArgs, stdin: "null" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`wrk failed: ${new TextDecoder().decode(out.stderr)}`);
  const number = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  const ms = (pct: string) => {
    const m = new RegExp(`^\\s+${pct}%\\s+([\\d.]+)(us|ms|s)$`, "m").exec(text);
    if (m === null) return NaN;
    return Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1);
  };
  return {
    rps: number(/Requests\/sec:\s+([\d.]+)/),
    p50: ms("50"),
    p90: ms("90"),
    p99: ms("99"),
    errors: number(/Non-2xx or 3xx responses:\s+(\d+)/) || 0,
    requests: number(/(\d+) requests in/),
  };
}

/** What {@linkcode alternateRounds} measured of one server. */
export interface RoundsResult {
  /** Requests per second of each round. */
  readonly rps: number[];
  /** Server CPU time per request of each round, in microseconds. */
  readonly cpuUs: number[];
}

/**
 * The median of some numbers (the upper one of an even count).
 *
 * @param xs The numbers.
 * @returns Their median.
 */
export function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

/**
 * Loads each server with wrk for a 2 s warm-up, then for `rounds` rounds that take the
 * servers in turn, so that a slow spell of a shared machine falls on all of them.
 *
 * @param servers The servers by name.
 * @param path The path every request asks for, or each server's path and wrk script.
 * @param options wrk's connections, seconds per round and threads; rounds; CPUs for wrk.
 * @returns Each server's requests per second and CPU time per request, per round.
 */
export async function alternateRounds(
  servers: Record<string, BenchServer>,
  path: string | Record<string, { path: string; script?: string }>,
  options: {
    connections: number;
    seconds: number;
    rounds: number;
    threads?: number;
    cpus?: string;
  },
): Promise<Record<string, RoundsResult>> {
  const { connections, seconds, threads, cpus } = options;
  const results: Record<string, RoundsResult> = {};
  const target = (name: string) => typeof path === "string" ? { path } : path[name];
  for (const [name, server] of Object.entries(servers)) {
    const { path, script } = target(name);
    await wrk(`${server.base}${path}`, { seconds: 2, connections, threads, cpus, script });
    results[name] = { rps: [], cpuUs: [] };
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, server] of Object.entries(servers)) {
      const before = await server.cpuSeconds();
      const { path, script } = target(name);
      const url = `${server.base}${path}`;
      const result = await wrk(url, { seconds, connections, threads, cpus, script });
      results[name].rps.push(result.rps);
      results[name].cpuUs.push((await server.cpuSeconds() - before) * 1e6 / result.requests);
    }
  }
  return results;
}

/**
 * One line of a rounds report: median requests per second, median CPU per request, and
 * every round's requests per second.
 *
 * @param name The server's name.
 * @param result What {@linkcode alternateRounds} measured of it.
 * @returns The line.
 */
export function roundsLine(name: string, result: RoundsResult): string {
  return `${name.padEnd(32)} median ${fmt(median(result.rps)).padStart(7)} req/s ` +
    `${median(result.cpuUs).toFixed(1).padStart(5)} µs CPU/request  ` +
    `(${result.rps.map(fmt).join(", ")})`;
}

/**
 * How one server compares with a baseline: the ratio of median requests per second, and
 * the inverse ratio of median CPU time per request.
 *
 * @param name The server's name.
 * @param result What {@linkcode alternateRounds} measured of it.
 * @param baseName The baseline's name.
 * @param base What it measured of the baseline.
 * @returns The line.
 */
export function ratioLine(
  name: string,
  result: RoundsResult,
  baseName: string,
  base: RoundsResult,
): string {
  return `${name} / ${baseName}: ${(median(result.rps) / median(base.rps)).toFixed(2)}× req/s, ` +
    `${(median(base.cpuUs) / median(result.cpuUs)).toFixed(2)}× by CPU/request`;
}

/**
 * Sends requests one after another on one connection for a while and reports latencies.
 *
 * @param url The target; must be on 127.0.0.1.
 * @param seconds How long.
 * @param pauseMs Pause between requests.
 * @returns p50, p99 and max in milliseconds, the count and the failures.
 */
export async function probe(
  url: string,
  seconds: number,
  pauseMs = 5,
): Promise<{ p50: number; p99: number; max: number; count: number; failed: number }> {
  if (!url.startsWith("http://127.0.0.1:")) throw new Error(`not loopback: ${url}`);
  const client = Deno.createHttpClient({});
  const times: number[] = [];
  let failed = 0;
  const end = performance.now() + seconds * 1000;
  try {
    while (performance.now() < end) {
      const start = performance.now();
      const res = await fetch(url, { client });
      await res.arrayBuffer();
      times.push(performance.now() - start);
      if (!res.ok) failed++;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  } finally {
    client.close();
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { p50: at(0.5), p99: at(0.99), max: times[times.length - 1], count: times.length, failed };
}

/**
 * A `.npy` file (version 1.0) of a `uint8` RGB array.
 *
 * @param rgb `height * width * 3` bytes.
 * @param width Columns.
 * @param height Rows.
 * @returns The file.
 */
export function npyRgb(rgb: Uint8Array, width: number, height: number): Uint8Array {
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${height}, ${width}, 3), }`;
  header = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11, " ") + "\n";
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + head.length + rgb.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, head.length & 0xff, head.length >> 8]);
  out.set(head, 10);
  out.set(rgb, 10 + head.length);
  return out;
}

/**
 * The sample pattern as RGB bytes: red upper-left quarter, black elsewhere.
 *
 * @param width Columns.
 * @param height Rows.
 * @returns `height * width * 3` bytes.
 */
export function sampleRgb(width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height >> 1; y++) {
    for (let x = 0; x < width >> 1; x++) rgb[(y * width + x) * 3] = 255;
  }
  return rgb;
}

/**
 * Writes a wrk Lua script that POSTs `variants` different `.npy` bodies in turn: the
 * sample pattern with one pixel changed per variant, so that no two neighbours match.
 *
 * @param path Request path, e.g. `/render.png`.
 * @param width Columns.
 * @param height Rows.
 * @param variants How many distinct bodies.
 * @returns The script's path (in a temporary folder).
 */
export async function npyPostScript(
  path: string,
  width: number,
  height: number,
  variants: number,
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "pixserve-bench-" });
  const npy = npyRgb(sampleRgb(width, height), width, height);
  await Deno.writeFile(`${dir}/body.npy`, npy);
  const offset = npy.length - width * height * 3 + (height - 1) * width * 3;
  const script = `${dir}/post.lua`;
  await Deno.writeTextFile(
    script,
    `local f = assert(io.open("${dir}/body.npy", "rb"))
local body = f:read("*a")
f:close()
local requests = {}
local counter = 0
function init(args)
  for i = 1, ${variants} do
    local b = body:sub(1, ${offset}) .. string.char(i % 256, (i * 7) % 256, 1) ..
      body:sub(${offset} + 4)
    requests[i] = wrk.format("POST", "${path}", { ["Content-Type"] = "application/x-npy" }, b)
  end
end
function request()
  counter = counter % ${variants} + 1
  return requests[counter]
end
`,
  );
  return script;
}

/**
 * Writes a wrk Lua script that asks `GET /image.png` at a new size near 512×512 every
 * request (384 to 639 on each side), so that every request misses pixserve's caches.
 *
 * @returns The script's path (in a temporary folder).
 */
export async function missScript(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "pixserve-bench-" });
  const path = `${dir}/miss.lua`;
  await Deno.writeTextFile(
    path,
    `local counter = math.random(0, 65535)
function request()
  counter = (counter + 1) % 65536
  local w = 384 + counter % 256
  local h = 384 + math.floor(counter / 256)
  return wrk.format("GET", "/image.png?width=" .. w .. "&height=" .. h)
end
`,
  );
  return path;
}

/**
 * Formats a number with thousands separators and no decimals.
 *
 * @param n The number.
 * @returns The text.
 */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
