// Composes each corpus case's subgraphs/*.graphql into supergraph.graphql with
// The Guild's federation composition (a reference composer independent of ours).
//
// usage: node compose.mjs [family/case ...]   (default: every case)
// Exits non-zero if any case fails to compose, printing the composer's errors.
import { readdirSync, readFileSync, writeFileSync, existsSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "graphql";
import { composeServices } from "@theguild/federation-composition";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "cases");

function allCases() {
  const cases = [];
  for (const family of readdirSync(root).sort()) {
    const familyDir = join(root, family);
    if (!statSync(familyDir).isDirectory()) continue;
    for (const c of readdirSync(familyDir).sort()) {
      if (existsSync(join(familyDir, c, "subgraphs"))) cases.push(`${family}/${c}`);
    }
  }
  return cases;
}

const wanted = process.argv.slice(2);
let failed = 0;
for (const id of wanted.length ? wanted : allCases()) {
  const dir = join(root, id);
  if (existsSync(join(dir, "HAND-EDITED.md"))) {
    // A supergraph no composer would write (see that file); kept as committed.
    console.log(`kept ${id} (HAND-EDITED.md)`);
    continue;
  }
  const services = readdirSync(join(dir, "subgraphs"))
    .filter((f) => f.endsWith(".graphql"))
    .sort()
    .map((f) => {
      const name = f.replace(/\.graphql$/, "");
      return {
        name,
        typeDefs: parse(readFileSync(join(dir, "subgraphs", f), "utf8")),
        url: `http://${name}.invalid/graphql`,
      };
    });
  const result = composeServices(services);
  if (result.errors && result.errors.length) {
    failed++;
    console.error(`FAIL ${id}`);
    for (const e of result.errors) console.error(`  ${e.message}`);
    continue;
  }
  writeFileSync(join(dir, "supergraph.graphql"), result.supergraphSdl.trimEnd() + "\n");
  console.log(`ok   ${id}`);
}
process.exit(failed ? 1 : 0);
