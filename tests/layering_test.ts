import assert from "node:assert/strict";
import { PROJECT_DIR } from "./_server.ts";

/** The folders whose modules must know no HTTP: the codecs and the client. */
const HTTP_FREE = ["lib/arrays/", "lib/image/", "lib/client/"];

/** Modules the HTTP-free folders must not reach, by path below the project. */
const SERVER_ONLY = [/^lib\/errors\.ts$/, /^lib\/routes\//, /^lib\/body\.ts$/];

/** Source text that builds a `Response`. */
const BUILDS_RESPONSE = /\bnew Response\(|\bResponse\.(json|redirect|error)\(/;

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
}

/** Every local module below the HTTP-free folders, as a path below the project. */
async function httpFreeModules(): Promise<string[]> {
  const found: string[] = [];
  for (const folder of HTTP_FREE) {
    for await (const entry of Deno.readDir(`${PROJECT_DIR}/${folder}`)) {
      if (entry.isFile && entry.name.endsWith(".ts")) found.push(`${folder}${entry.name}`);
    }
  }
  return found.sort();
}

/** The import graph `deno info` resolves from the given modules: path → paths it imports. */
async function importGraph(modules: readonly string[]): Promise<Map<string, string[]>> {
  const entry = await Deno.makeTempFile({ prefix: "layering_", suffix: ".ts" });
  try {
    await Deno.writeTextFile(
      entry,
      modules.map((m) => `import "file://${PROJECT_DIR}/${m}";\n`).join(""),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", `${PROJECT_DIR}/deno.json`, entry],
      cwd: PROJECT_DIR,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
    const local = (specifier: string | undefined) =>
      specifier?.startsWith(`file://${PROJECT_DIR}/`)
        ? specifier.slice(`file://${PROJECT_DIR}/`.length)
        : undefined;
    const graph = new Map<string, string[]>();
    for (const module of info.modules) {
      const from = local(module.specifier);
      if (from === undefined) continue;
      const to = (module.dependencies ?? []).flatMap((d) =>
        [local(d.code?.specifier), local(d.type?.specifier)].filter((p) => p !== undefined)
      );
      graph.set(from, to);
    }
    return graph;
  } finally {
    await Deno.remove(entry);
  }
}

/** The import chains from `start` to every module it reaches, shortest first. */
function reach(graph: Map<string, string[]>, start: string): Map<string, string[]> {
  const chains = new Map<string, string[]>([[start, [start]]]);
  const queue = [start];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const to of graph.get(from) ?? []) {
      if (chains.has(to)) continue;
      chains.set(to, [...chains.get(from)!, to]);
      queue.push(to);
    }
  }
  return chains;
}

Deno.test("lib/arrays/, lib/image/ and lib/client/ reach no HTTP error, route, body or Response builder", async () => {
  const modules = await httpFreeModules();
  assert.ok(modules.includes("lib/arrays/npz.ts") && modules.includes("lib/client/main.ts"));
  const graph = await importGraph(modules);
  const buildsResponse = new Map<string, boolean>();
  for (const path of graph.keys()) {
    const text = path.endsWith(".ts") ? await Deno.readTextFile(`${PROJECT_DIR}/${path}`) : "";
    buildsResponse.set(path, BUILDS_RESPONSE.test(text));
  }
  const breaches: string[] = [];
  for (const start of modules) {
    for (const [path, chain] of reach(graph, start)) {
      if (path === start || HTTP_FREE.some((folder) => path.startsWith(folder))) continue;
      if (SERVER_ONLY.some((p) => p.test(path)) || buildsResponse.get(path)) {
        breaches.push(chain.join(" → "));
      }
    }
  }
  assert.deepEqual(breaches, []);
});

Deno.test("the layering check sees a route reached through another module", async () => {
  const graph = await importGraph(["lib/app.ts"]);
  const reached = [...reach(graph, "lib/app.ts").keys()];
  assert.ok(reached.includes("lib/routes/arrays.ts"), reached.join(", "));
  assert.ok(reached.includes("lib/arrays/npz.ts"), reached.join(", "));
  assert.ok(reached.includes("lib/errors.ts"), reached.join(", "));
});

Deno.test("the ./http and ./files entry points load no codec, and ./arrays no image codec", async () => {
  const entries: [string, string[]][] = [
    ["lib/http/mod.ts", ["lib/arrays/", "lib/image/", "lib/pool/"]],
    ["lib/files/mod.ts", ["lib/arrays/", "lib/image/", "lib/pool/"]],
    ["lib/arrays/mod.ts", ["lib/image/", "lib/pool/"]],
  ];
  const graph = await importGraph(entries.map(([entry]) => entry));
  for (const [entry, banned] of entries) {
    const loaded = [...reach(graph, entry).values()]
      .filter((chain) => banned.some((folder) => chain[chain.length - 1].startsWith(folder)))
      .map((chain) => chain.join(" → "));
    assert.deepEqual(loaded, [], entry);
  }
});
