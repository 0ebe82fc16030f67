/**
 * The display mapping's benchmarks, in one run:
 *
 * 1. one 1920×1080 float32 depth map (metres, with NaN holes) rendered with
 *    `POST /render.png?cmap=viridis&vmin=p2&vmax=p98`, against the same image made by
 *    `matplotlib.pyplot.imsave` into a `BytesIO` (Debian's python3-matplotlib, percentiles by
 *    `np.nanpercentile`, `bench/_display_matplotlib.py`), and against `POST /render.png` of
 *    a uint8 RGB array of the same size (the same picture's colours): one request at a time,
 *    alternating rounds, medians, after ten requests of each kind to warm the server up (as
 *    each Python process is warm after its imports); pixserve and Python pinned to the same
 *    CPU, the client (curl, or this process's `fetch`) on the other;
 * 2. `/health` latency while 4 wrk connections render such depth maps with a colormap
 *    (pixserve unpinned and alone, as `bench/responsive_load.ts` runs it).
 *
 * Run: `deno run -A bench/display_load.ts [rounds] [seconds] [curl|fetch]`
 * (needs curl, wrk and Debian's python3-matplotlib and python3-numpy)
 *
 * @module
 */

import { encodeNpy } from "../lib/arrays/npy.ts";
import type { PixelArray } from "../lib/arrays/types.ts";
import { DEPTH_HEIGHT, DEPTH_WIDTH, depthMap } from "./_depth.ts";
import { expandIndexed, renderDisplay } from "../lib/arrays/display.ts";
import {
  DEBIAN_PYTHON,
  fmt,
  freePort,
  median,
  PINNED,
  probe,
  PROJECT_DIR,
  startPixserve,
  wrk,
} from "./_wrk.ts";

const rounds = Number(Deno.args[0] ?? 5);
const seconds = Number(Deno.args[1] ?? 10);
/** Who posts the timed requests: curl (the default) or this process's `fetch`. */
const client = Deno.args[2] ?? "curl";
if (client !== "curl" && client !== "fetch") throw new Error(`client must be curl or fetch`);
const PER_ROUND = 3;
/** Requests of each kind before the rounds: a server's first few run colder code. */
const WARM_UP = 10;
const WIDTH = DEPTH_WIDTH;
const HEIGHT = DEPTH_HEIGHT;
const QUERY = "cmap=viridis&vmin=p2&vmax=p98";

/** The same picture as a uint8 RGB array. */
function rgbOf(depth: PixelArray): PixelArray {
  const pixels = renderDisplay(depth, {
    cmap: "viridis",
    vmin: { percentile: 2 },
    vmax: { percentile: 98 },
  });
  const rgba = pixels.kind === "indexed" ? expandIndexed(pixels) : pixels.data;
  const rgb = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let p = 0; p < WIDTH * HEIGHT; p++) rgb.set(rgba.subarray(p * 4, p * 4 + 3), p * 3);
  return { shape: [HEIGHT, WIDTH, 3], dtype: "uint8", data: rgb };
}

/**
 * Milliseconds of one POST of the `.npy` file at `path`, the answer read whole: curl's own
 * `time_total` (from the connection to the last byte, curl's start-up excluded), or with
 * `fetch` this process's clock around Deno's `fetch`, which adds more time of its own for an
 * 8 MB body (figures in `bench/README.md`).
 */
async function timePost(url: string, path: string): Promise<number> {
  if (client === "fetch") {
    const start = performance.now();
    const res = await fetch(url, {
      method: "POST",
      body: await Deno.readFile(path),
      headers: { "content-type": "application/x-npy" },
    });
    const bytes = await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url}: ${res.status} ${new TextDecoder().decode(bytes)}`);
    return performance.now() - start;
  }
  const args = ["-s", "-o", "/dev/null", "-H", "content-type: application/x-npy", "-H", "expect:"];
  args.push("--data-binary", `@${path}`, "-w", "%{http_code} %{time_total}", url);
  const out = await new Deno.Command("curl", { args, stderr: "inherit" }).output();
  const [status, seconds] = new TextDecoder().decode(out.stdout).split(" ");
  if (!out.success || status !== "200") throw new Error(`${url}: curl ${status}`);
  return Number(seconds) * 1000;
}

/** matplotlib's wall and CPU milliseconds per image, `iterations` times in one Python process. */
async function timeMatplotlib(
  path: string,
  iterations: number,
): Promise<{ ms: number[]; cpu_ms: number[] }> {
  const script = `${PROJECT_DIR}/bench/_display_matplotlib.py`;
  const args = [DEBIAN_PYTHON, script, path, String(iterations)];
  const [program, programArgs] = PINNED.server === undefined
    ? [args[0], args.slice(1)]
    : ["taskset", ["-c", PINNED.server, ...args]];
  const out = await new Deno.Command(program, { args: programArgs, stderr: "inherit" }).output();
  if (!out.success) throw new Error("bench/_display_matplotlib.py failed");
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

const dir = await Deno.makeTempDir({ prefix: "pixserve-display-" });
const depth = depthMap();
const depthNpy = encodeNpy(depth);
const rgbNpy = encodeNpy(rgbOf(depth));
const depthPath = `${dir}/depth.npy`;
const rgbPath = `${dir}/rgb.npy`;
await Deno.writeFile(depthPath, depthNpy);
await Deno.writeFile(rgbPath, rgbNpy);
console.log(
  `1920×1080 float32 depth map (${depthNpy.byteLength} bytes .npy), ${rounds} rounds of ` +
    `${PER_ROUND} images each; server and Python on CPU ${PINNED.server ?? "any"}, the ` +
    `client (${client}) on CPU ${PINNED.load ?? "any"}`,
);

if (PINNED.load !== undefined) {
  // This process is the client: on the other CPU, every thread of it (taskset -a).
  const pin = ["-a", "-cp", PINNED.load, String(Deno.pid)];
  await new Deno.Command("taskset", { args: pin, stdout: "null" }).output();
}
const server = await startPixserve(freePort(), ["--quiet"], PINNED.server);
try {
  const cmapUrl = `${server.base}/render.png?${QUERY}`;
  const rgbUrl = `${server.base}/render.png`;
  // A long-running server's steady state: the encode worker's loops optimized, its heap grown.
  for (let i = 0; i < WARM_UP; i++) {
    await timePost(cmapUrl, depthPath);
    await timePost(rgbUrl, rgbPath);
  }
  const times: Record<string, number[]> = { cmap: [], rgb: [], matplotlib: [] };
  const cpu: Record<string, number[]> = { cmap: [], rgb: [], matplotlib: [] };
  /** Wall times of PER_ROUND posts, and the server's CPU milliseconds per post. */
  const posts = async (name: string, url: string, path: string) => {
    const before = await server.cpuSeconds();
    for (let i = 0; i < PER_ROUND; i++) times[name].push(await timePost(url, path));
    cpu[name].push((await server.cpuSeconds() - before) * 1000 / PER_ROUND);
  };
  for (let round = 0; round < rounds; round++) {
    await posts("cmap", cmapUrl, depthPath);
    await posts("rgb", rgbUrl, rgbPath);
    const python = await timeMatplotlib(depthPath, PER_ROUND);
    times.matplotlib.push(...python.ms);
    cpu.matplotlib.push(...python.cpu_ms);
  }
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  const c = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, median(v)]));
  const line = (label: string, name: string) =>
    console.log(
      `${label.padEnd(48)} median ${m[name].toFixed(1).padStart(7)} ms wall, ` +
        `${c[name].toFixed(1).padStart(7)} ms CPU`,
    );
  line(`POST /render.png?${QUERY}`, "cmap");
  line("POST /render.png (uint8 RGB, same picture)", "rgb");
  line("matplotlib.pyplot.imsave + np.nanpercentile", "matplotlib");
  console.log(
    `matplotlib / pixserve cmap: ${(m.matplotlib / m.cmap).toFixed(1)}× wall, ` +
      `${(c.matplotlib / c.cmap).toFixed(1)}× CPU (target ≥ 10×)`,
  );
  console.log(
    `pixserve cmap / uint8 RGB: ${(m.cmap / m.rgb).toFixed(2)}× wall, ` +
      `${(c.cmap / c.rgb).toFixed(2)}× CPU (target ≤ 1.5×)`,
  );
} finally {
  await server.stop();
}

// Responsiveness: pixserve alone and unpinned, as bench/responsive_load.ts runs it; the same
// load of uint8 RGB renders (no mapping) is the baseline, in the same run.
const scripts: Record<string, string> = {};
for (const name of ["depth", "rgb"]) {
  scripts[name] = `${dir}/${name}.lua`;
  await Deno.writeTextFile(
    scripts[name],
    `local f = assert(io.open("${dir}/${name}.npy", "rb"))
local body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/x-npy"
`,
  );
}
const alone = await startPixserve(freePort(), ["--quiet"]);
try {
  console.log(`\n4 connections POST /render.png for ${seconds} s while GET /health is probed`);
  await (await fetch(`${alone.base}/health`)).arrayBuffer();
  for (
    const [label, path, body] of [
      [`float32 ?${QUERY}`, `/render.png?${QUERY}`, "depth"],
      ["uint8 RGB (baseline)", "/render.png", "rgb"],
    ]
  ) {
    const [load, health] = await Promise.all([
      wrk(`${alone.base}${path}`, { seconds, connections: 4, script: scripts[body] }),
      probe(`${alone.base}/health`, seconds - 1),
    ]);
    console.log(
      `${label.padEnd(42)} ${fmt(load.rps)} req/s, non-2xx ${load.errors}; /health p50 ` +
        `${health.p50.toFixed(2)} ms, p99 ${health.p99.toFixed(2)} ms, max ` +
        `${health.max.toFixed(2)} ms over ${health.count} requests (target p99 < 20 ms)`,
    );
  }
} finally {
  await alone.stop();
  await Deno.remove(dir, { recursive: true });
}
