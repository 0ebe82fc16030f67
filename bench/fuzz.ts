/**
 * The parsers' property checks (tests/_properties.ts) with many generated inputs each:
 * `deno task fuzz` runs 10,000 per property, or the count given (`deno task fuzz 50000`).
 * Prints one line per property with its count and time, and fails at the first
 * counterexample, printing it.
 *
 * @module
 */

import { PROPERTIES } from "../tests/_properties.ts";

const runs = Number(Deno.args[0] ?? 10_000);
if (!Number.isSafeInteger(runs) || runs < 1) {
  console.error(`fuzz: the run count must be a positive integer, got ${Deno.args[0]}`);
  Deno.exit(2);
}
for (const property of PROPERTIES) {
  const start = performance.now();
  property.run(runs);
  console.log(`${property.name}: ${runs} inputs, ${(performance.now() - start).toFixed(0)} ms`);
}
