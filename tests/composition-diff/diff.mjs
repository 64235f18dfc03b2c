// Differential test of Switchyard's composition against @theguild/federation-composition.
//
// For each cases/<case>/ folder (one <subgraph>.graphql file per subgraph), composes the
// subgraphs with both composers, normalises both supergraphs (parse; sort definitions,
// fields, arguments, enum values, directives and their arguments; print canonically)
// and prints the differences. A case may contain `expect-error`: then both must fail.
// Exits 1 when any case differs.
//
// Usage: node diff.mjs [case ...]      (from this folder, after `npm ci`)
import { composeServices } from "@theguild/federation-composition";
import { parse, print, Kind } from "graphql";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const workspace = join(here, "..", "..");
const casesDir = join(here, "cases");

// Our composer: `switchyard compose --config` when the binary has that subcommand,
// else the `compose_files` example of the composition crate (same library call).
// SWITCHYARD_COMPOSER=example forces the example.
const targetDir = process.env.CARGO_TARGET_DIR ?? join(workspace, "target");
function findSwitchyard() {
  if (process.env.SWITCHYARD_COMPOSER === "example") return null;
  const build = spawnSync("cargo", ["build", "-q", "-p", "switchyard", "--bin", "switchyard"], {
    cwd: workspace,
    stdio: "ignore",
  });
  if (build.status !== 0) return null;
  const bin = join(targetDir, "debug", "switchyard");
  return spawnSync(bin, ["compose", "--help"], { encoding: "utf8" }).status === 0 ? bin : null;
}
const switchyardBin = findSwitchyard();
execFileSync(
  "cargo",
  ["build", "-q", "-p", "switchyard-composition", "--example", "compose_files"],
  { cwd: workspace, stdio: "inherit" },
);
const example = join(targetDir, "debug", "examples", "compose_files");
console.log(`ours: ${switchyardBin ? "switchyard compose --config" : "compose_files example"}`);
const scratch = mkdtempSync(join(tmpdir(), "composition-diff-"));

const byName = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const nameOf = (node) => node.name?.value ?? "";

function sortArguments(args) {
  return args ? [...args].sort((a, b) => byName(a.name.value, b.name.value)) : args;
}

// Field sets are compared by their tokens: `a { b }` and `a{b}` select the same fields.
const FIELD_SET_ARGUMENTS = new Set(["key", "requires", "provides"]);
function normaliseFieldSet(argument) {
  if (!FIELD_SET_ARGUMENTS.has(argument.name.value) || argument.value.kind !== Kind.STRING) return argument;
  const value = argument.value.value.replace(/\s*([{}])\s*/g, " $1 ").replace(/\.\.\.\s*on\b/g, "... on").replace(/\s+/g, " ").trim();
  return { ...argument, value: { ...argument.value, value } };
}

function sortDirectives(directives) {
  if (!directives) return directives;
  const normalised = directives.map((d) => ({
    ...d,
    arguments: sortArguments(d.arguments)?.map(d.name.value.startsWith("join__") ? normaliseFieldSet : (a) => a),
  }));
  return normalised
    .map((d) => [print(d), d])
    .sort((a, b) => byName(a[0], b[0]))
    .map(([, d]) => d);
}

function normaliseNode(node) {
  const out = { ...node, directives: sortDirectives(node.directives) };
  if (node.fields) {
    out.fields = [...node.fields]
      .map((f) => ({
        ...f,
        directives: sortDirectives(f.directives),
        arguments: f.arguments
          ? sortArguments(f.arguments).map((a) => ({ ...a, directives: sortDirectives(a.directives) }))
          : f.arguments,
      }))
      .sort((a, b) => byName(a.name.value, b.name.value));
  }
  if (node.values) {
    out.values = [...node.values]
      .map((v) => ({ ...v, directives: sortDirectives(v.directives) }))
      .sort((a, b) => byName(a.name.value, b.name.value));
  }
  if (node.types) out.types = [...node.types].sort((a, b) => byName(a.name.value, b.name.value));
  if (node.interfaces) out.interfaces = [...node.interfaces].sort((a, b) => byName(a.name.value, b.name.value));
  if (node.arguments && node.kind === Kind.DIRECTIVE_DEFINITION) {
    out.arguments = sortArguments(node.arguments);
  }
  if (node.locations) out.locations = [...node.locations].sort((a, b) => byName(a.value, b.value));
  if (node.operationTypes) {
    out.operationTypes = [...node.operationTypes].sort((a, b) => byName(a.operation, b.operation));
  }
  return out;
}

// Definitions that only exist in some versions of the join spec. Switchyard always links
// join v0.5; the reference links the lowest version the supergraph needs (see README).
const JOIN_VERSIONED = new Set([
  "join__directive",
  "join__field",
  "join__ContextArgument",
  "join__DirectiveArguments",
  "join__FieldValue",
]);

export function normalise(sdl) {
  const document = parse(sdl.replace(/specs\.apollo\.dev\/join\/v0\.\d+/g, "specs.apollo.dev/join/v0.x"), {
    noLocation: true,
  });
  const definitions = document.definitions
    .filter((d) => !(d.kind !== Kind.OBJECT_TYPE_DEFINITION && JOIN_VERSIONED.has(nameOf(d))))
    .map(normaliseNode)
    .map((d) => [`${d.kind === Kind.SCHEMA_DEFINITION ? "0" : d.kind === Kind.DIRECTIVE_DEFINITION ? "1" : "2"}:${nameOf(d)}`, d])
    .sort((a, b) => byName(a[0], b[0]))
    .map(([, d]) => d);
  return print({ ...document, definitions });
}

function reference(subgraphs) {
  const result = composeServices(
    subgraphs.map(({ name, sdl }) => ({ name, url: `http://${name}`, typeDefs: parse(sdl) })),
  );
  if (result.errors && result.errors.length > 0) {
    return { errors: result.errors.map((e) => `[${e.extensions?.code ?? "?"}] ${e.message}`) };
  }
  return { sdl: result.supergraphSdl };
}

function switchyard(dir, subgraphs) {
  let run;
  if (switchyardBin) {
    const config = join(scratch, "compose.yaml");
    const yaml = subgraphs
      .map(({ name, file }) => `  - name: ${JSON.stringify(name)}\n    routing_url: "http://${name}"\n    schema: ${JSON.stringify(join(dir, file))}\n`)
      .join("");
    writeFileSync(config, `subgraphs:\n${yaml}`);
    run = spawnSync(switchyardBin, ["compose", "--config", config], { encoding: "utf8" });
  } else {
    run = spawnSync(example, subgraphs.map(({ name, file }) => `${name}=${join(dir, file)}`), { encoding: "utf8" });
  }
  if (run.status !== 0) {
    return { errors: run.stderr.trim().split("\n").filter((line) => line.startsWith("[")) };
  }
  return { sdl: run.stdout };
}

function lineDiff(expected, actual) {
  const a = expected.split("\n");
  const b = actual.split("\n");
  // Longest common subsequence, good enough for supergraph-sized texts.
  const dp = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || dp[i][j + 1] >= dp[i + 1][j])) {
      out.push(`  + ours: ${b[j++]}`);
    } else {
      out.push(`  - reference: ${a[i++]}`);
    }
  }
  return out;
}

const codes = (errors) => [...new Set(errors.map((e) => (e.match(/^\[([A-Z_?]+)\]/) ?? [])[1]))].sort();

const selected = process.argv.slice(2);
const cases = readdirSync(casesDir)
  .filter((c) => selected.length === 0 || selected.includes(c))
  .sort();
let failures = 0;
for (const name of cases) {
  // A case may compose SDL files kept elsewhere in the repository (e.g. `schema/`, the
  // committed SDLs of our own subgraphs): `subgraphs-from` names that folder.
  const from = join(casesDir, name, "subgraphs-from");
  const dir = existsSync(from) ? join(workspace, readFileSync(from, "utf8").trim()) : join(casesDir, name);
  const subgraphs = readdirSync(dir)
    // schema/ also holds the composed supergraph, which is not a subgraph.
    .filter((f) => f.endsWith(".graphql") && f !== "supergraph.graphql")
    .sort()
    .map((file) => ({ name: file.replace(/\.graphql$/, ""), file, sdl: readFileSync(join(dir, file), "utf8") }));
  const expectError = existsSync(join(casesDir, name, "expect-error"));
  const theirs = reference(subgraphs);
  const mine = switchyard(dir, subgraphs);
  let problems = [];
  if (theirs.errors || mine.errors) {
    if (!theirs.errors) problems.push("  reference composes, ours fails:", ...mine.errors.map((e) => `    ${e}`));
    else if (!mine.errors) problems.push("  ours composes, reference fails:", ...theirs.errors.map((e) => `    ${e}`));
    else if (!expectError) problems.push("  both fail but the case does not expect an error");
    else {
      const [t, m] = [codes(theirs.errors), codes(mine.errors)];
      if (t.join() !== m.join()) {
        problems.push(`  error codes differ: reference ${t.join(", ")} / ours ${m.join(", ")}`);
        problems.push(...theirs.errors.map((e) => `    reference: ${e}`), ...mine.errors.map((e) => `    ours: ${e}`));
      }
    }
  } else if (expectError) {
    problems.push("  both compose but the case expects an error");
  } else {
    let expected;
    let actual;
    try {
      expected = normalise(theirs.sdl);
      actual = normalise(mine.sdl);
    } catch (error) {
      problems.push(`  cannot parse a supergraph: ${error.message}`);
    }
    if (expected !== undefined && actual !== undefined && expected !== actual) {
      problems = lineDiff(expected, actual);
    }
  }
  // A difference investigated and explained in README.md is recorded next to the case;
  // it is accepted only while the difference stays exactly the same.
  const acceptedFile = join(casesDir, name, "accepted-difference.txt");
  if (problems.length > 0 && existsSync(acceptedFile) && readFileSync(acceptedFile, "utf8").trimEnd() === problems.join("\n").trimEnd()) {
    console.log(`same ${name} (accepted difference, see README.md)`);
    continue;
  }
  if (problems.length > 0) {
    failures++;
    console.log(`DIFF ${name}`);
    console.log(problems.join("\n"));
  } else {
    console.log(`same ${name}`);
  }
}
console.log(`${cases.length - failures}/${cases.length} cases agree`);
process.exit(failures > 0 ? 1 : 0);
