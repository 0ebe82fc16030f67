/**
 * `/images` transforms against IPX (`ipx@3.1.1`, the Nuxt image server, sharp-based, run in
 * Node from `bench/ipx_peer/`), both serving the same 4000×3000 JPEG (`_photo.ts`) from disk,
 * both pinned to the same CPU with wrk on the other, in alternating rounds; medians.
 *
 * 1. cache-missing resizes to 800 px wide WebP: every request a new quality (40–69); pixserve
 *    twice: with `--cache-bytes 0`, nothing kept (as IPX, which keeps nothing), and with
 *    `--max-variants 1`, every variant evicted by the next but the decoded source kept;
 * 2. cache-missing 400×400 cover AVIF, the same way;
 * 3. and 4. the same two variants at one fixed URL: pixserve answers from its cache, IPX
 *    transforms again (it has no result cache);
 * 5. 20 widths (100 to 2000 px, WebP quality 80) of the photo asked at once from cold servers:
 *    wall time.
 *
 * Run: `deno run -A bench/transforms_load.ts [seconds per round] [rounds] [connections] [case]`
 * (needs wrk, node and npm; installs `bench/ipx_peer/` with `npm ci` when missing).
 *
 * @module
 */

import { makePhoto } from "./_photo.ts";
import {
  type BenchServer,
  freePort,
  median,
  PINNED,
  PROJECT_DIR,
  startPixserve,
  startServer,
  wrk,
} from "./_wrk.ts";

const seconds = Number(Deno.args[0] ?? 20);
const rounds = Number(Deno.args[1] ?? 3);
const connections = Number(Deno.args[2] ?? 4);
/** Only the cases whose title contains this, and no 20-widths part, when given. */
const only = Deno.args[3];
const PEER_DIR = `${PROJECT_DIR}/bench/ipx_peer`;

async function ensureIpx(): Promise<void> {
  try {
    await Deno.stat(`${PEER_DIR}/node_modules/ipx/package.json`);
  } catch {
    const out = await new Deno.Command("npm", {
      args: ["ci", "--no-audit", "--no-fund"],
      cwd: PEER_DIR,
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error("npm ci in bench/ipx_peer failed");
  }
}

/**
 * A wrk script asking `template` with `{q}` replaced by a new quality, 40 to 69, each time
 * (AVIF past 90 takes ten times as long: a test of libaom, not of the servers).
 */
async function qualityScript(template: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "pixserve-bench-" });
  const path = `${dir}/miss.lua`;
  const [head, tail] = template.split("{q}");
  await Deno.writeTextFile(
    path,
    `local counter = math.random(0, 29)
function request()
  counter = (counter + 1) % 30
  return wrk.format("GET", "${head}" .. (40 + counter) .. "${tail}")
end
`,
  );
  return path;
}

interface Case {
  title: string;
  /** Per server: the path, or a `{q}` template for a new quality each request. */
  paths: Record<string, string>;
  miss: boolean;
}

const CASES: Case[] = [
  {
    title: "cache miss: 800 px wide WebP",
    miss: true,
    paths: {
      pixserve: "/images/photo.webp?w=800&quality={q}",
      ipx: "/w_800,q_{q},f_webp/photo.jpg",
    },
  },
  {
    title: "cache miss: 400×400 cover AVIF",
    miss: true,
    paths: {
      pixserve: "/images/photo.avif?w=400&h=400&fit=cover&quality={q}",
      ipx: "/s_400x400,fit_cover,q_{q},f_avif/photo.jpg",
    },
  },
  {
    title: "cached: 800 px wide WebP",
    miss: false,
    paths: { pixserve: "/images/photo.webp?w=800&quality=80", ipx: "/w_800,q_80,f_webp/photo.jpg" },
  },
  {
    title: "cached: 400×400 cover AVIF",
    miss: false,
    paths: {
      pixserve: "/images/photo.avif?w=400&h=400&fit=cover&quality=50",
      ipx: "/s_400x400,fit_cover,q_50,f_avif/photo.jpg",
    },
  },
];

async function startIpx(media: string): Promise<BenchServer> {
  const port = freePort();
  return await startServer("node", [`${PEER_DIR}/server.mjs`, media, String(port)], port, {
    readyPath: "/w_16/photo.jpg",
    cpus: PINNED.server,
  });
}

/** pixserve with one serving isolate on the peer's CPU, with extra flags. */
async function startPixserveOn(media: string, flags: string[] = []): Promise<BenchServer> {
  return await startPixserve(
    freePort(),
    ["--quiet", "--workers", "1", "--media-root", media, ...flags],
    PINNED.server,
  );
}

/** Wall time of 20 widths asked at once, in milliseconds. */
async function twentyWidths(server: BenchServer, path: (w: number) => string): Promise<number> {
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const res = await fetch(`${server.base}${path(100 * (i + 1))}`);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${res.status} for width ${100 * (i + 1)}`);
    }),
  );
  return performance.now() - start;
}

async function main(): Promise<void> {
  await ensureIpx();
  const media = await Deno.makeTempDir({ prefix: "pixserve-photo-" });
  const size = await makePhoto(`${media}/photo.jpg`);
  console.log(
    `photo.jpg 4000×3000, ${size} bytes; server CPU ${PINNED.server ?? "-"}, wrk CPU ` +
      `${PINNED.load ?? "-"}; ${connections} connections, ${rounds} rounds of ${seconds} s`,
  );
  const servers: BenchServer[] = [];
  try {
    const ipx = await startIpx(media);
    const nothingKept = await startPixserveOn(media, ["--cache-bytes", "0"]);
    const oneVariant = await startPixserveOn(media, ["--max-variants", "1"]);
    const warm = await startPixserveOn(media);
    servers.push(ipx, nothingKept, oneVariant, warm);
    for (const c of CASES.filter((c) => only === undefined || c.title.includes(only))) {
      const targets: [string, BenchServer, string][] = c.miss
        ? [
          ["pixserve, CACHE_BYTES=0", nothingKept, c.paths.pixserve],
          ["pixserve, MAX_VARIANTS=1", oneVariant, c.paths.pixserve],
          ["ipx", ipx, c.paths.ipx],
        ]
        : [["pixserve", warm, c.paths.pixserve], ["ipx", ipx, c.paths.ipx]];
      const rps: Record<string, number[]> = Object.fromEntries(targets.map(([n]) => [n, []]));
      const scripts: Record<string, string | undefined> = {};
      const run = (name: string, server: BenchServer, path: string, secs: number) =>
        wrk(`${server.base}${c.miss ? "/" : path}`, {
          seconds: secs,
          connections,
          script: scripts[name],
          cpus: PINNED.load,
          timeout: 60,
        });
      for (const [name, server, path] of targets) {
        scripts[name] = c.miss ? await qualityScript(path) : undefined;
        await run(name, server, path, 2);
      }
      for (let round = 0; round < rounds; round++) {
        for (const [name, server, path] of targets) {
          const r = await run(name, server, path, seconds);
          if (r.errors > 0) throw new Error(`${name}: ${r.errors} errors on ${path}`);
          rps[name].push(r.rps);
        }
      }
      console.log(`\n${c.title}`);
      for (const [name] of targets) {
        console.log(
          `  ${name.padEnd(26)} median ${median(rps[name]).toFixed(1).padStart(8)} req/s ` +
            `(${rps[name].map((r) => r.toFixed(1)).join(", ")})`,
        );
      }
      for (const [name] of targets.slice(0, -1)) {
        console.log(`  ${name} / ipx: ${(median(rps[name]) / median(rps.ipx)).toFixed(2)}×`);
      }
    }
    for (const server of servers.splice(0)) await server.stop();
    if (only !== undefined) return;
    console.log(
      "\n20 widths (100…2000 px WebP, quality 80) asked at once, cold servers, wall time",
    );
    const times: Record<string, number[]> = { pixserve: [], ipx: [] };
    for (let round = 0; round < rounds; round++) {
      const p = await startPixserveOn(media);
      servers.push(p);
      times.pixserve.push(await twentyWidths(p, (w) => `/images/photo.webp?w=${w}&quality=80`));
      await p.stop();
      servers.pop();
      const i = await startIpx(media);
      servers.push(i);
      times.ipx.push(await twentyWidths(i, (w) => `/w_${w},q_80,f_webp/photo.jpg`));
      await i.stop();
      servers.pop();
    }
    for (const name of ["pixserve", "ipx"]) {
      console.log(
        `  ${name.padEnd(9)} median ${median(times[name]).toFixed(0).padStart(6)} ms ` +
          `(${times[name].map((t) => t.toFixed(0)).join(", ")})`,
      );
    }
    console.log(`  ipx / pixserve: ${(median(times.ipx) / median(times.pixserve)).toFixed(2)}×`);
  } finally {
    for (const server of servers) await server.stop();
    await Deno.remove(media, { recursive: true });
  }
}

await main();
