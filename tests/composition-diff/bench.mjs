// Speed of the reference composer on the same cases as
// `cargo run --release -p switchyard-composition --example compose_bench`.
// Run: node bench.mjs [ITERATIONS]
import { composeServices } from "@theguild/federation-composition";
import { parse } from "graphql";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const workspace = join(here, "..", "..");
const casesDir = join(here, "cases");
const iterations = Number(process.argv[2] ?? 200);
let total = 0;
for (const name of readdirSync(casesDir).sort()) {
  if (existsSync(join(casesDir, name, "expect-error"))) continue;
  const from = join(casesDir, name, "subgraphs-from");
  const dir = existsSync(from) ? join(workspace, readFileSync(from, "utf8").trim()) : join(casesDir, name);
  const sdls = readdirSync(dir)
    .filter((f) => f.endsWith(".graphql"))
    .sort()
    .map((f) => ({ name: f.replace(/\.graphql$/, ""), sdl: readFileSync(join(dir, f), "utf8") }));
  // Parsing is part of composing: ours starts from SDL text too.
  const compose = () =>
    composeServices(sdls.map(({ name, sdl }) => ({ name, url: `http://${name}`, typeDefs: parse(sdl) })));
  for (let i = 0; i < 20; i++) compose(); // warm-up for the JIT
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) compose();
  const micros = Number(process.hrtime.bigint() - start) / 1000 / iterations;
  total += micros;
  console.log(`${name.padEnd(28)} ${micros.toFixed(1).padStart(10)} µs`);
}
console.log(`${"total (sum of means)".padEnd(28)} ${total.toFixed(1).padStart(10)} µs`);
