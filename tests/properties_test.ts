import { PROPERTIES } from "./_properties.ts";

/** Inputs per property inside `deno task test`; `deno task fuzz` runs 10,000 and more. */
const RUNS = 300;

for (const property of PROPERTIES) {
  Deno.test(property.name, () => property.run(RUNS));
}
