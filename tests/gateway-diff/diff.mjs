// Sends every federation-corpus operation to Apollo Gateway and to Switchyard,
// both running the case's supergraph against the same mock subgraphs, and
// reports every operation whose `data` differs (also saying which side matches
// the case's expected file).
//
// usage: node diff.mjs [family/case | family ...]
// needs: cargo build -p federation-corpus --bin corpus-mocks && cargo build -p switchyard
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync, existsSync, statSync, mkdtempSync } from "node:fs";
import { join, dirname } from "node:path";
import { tmpdir } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

const here = dirname(fileURLToPath(import.meta.url));
const workspace = join(here, "..", "..");
const casesRoot = join(workspace, "tests", "federation-corpus", "cases");
const targetDir = process.env.CARGO_TARGET_DIR ?? join(workspace, "target");
const mocksBin = join(targetDir, "debug", "corpus-mocks");
const routerBin = join(targetDir, "debug", "switchyard");

function allCases(filters) {
  const cases = [];
  for (const family of readdirSync(casesRoot).sort()) {
    const familyDir = join(casesRoot, family);
    if (!statSync(familyDir).isDirectory()) continue;
    for (const c of readdirSync(familyDir).sort()) {
      const id = `${family}/${c}`;
      if (!existsSync(join(familyDir, c, "subgraphs"))) continue;
      if (filters.length && !filters.some((f) => id === f || id.startsWith(`${f}/`))) continue;
      cases.push(id);
    }
  }
  return cases;
}

function operations(caseDir) {
  const dir = join(caseDir, "operations");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".graphql"))
    .sort()
    .map((f) => {
      const query = readFileSync(join(dir, f), "utf8");
      let variables = {};
      let operationName;
      for (const line of query.split("\n")) {
        if (!line.startsWith("#")) break;
        const comment = line.replace(/^#+/, "").trim();
        if (comment.startsWith("variables:")) variables = JSON.parse(comment.slice("variables:".length));
        if (comment.startsWith("operationName:")) operationName = comment.slice("operationName:".length).trim();
      }
      const name = f.replace(/\.graphql$/, "");
      const expectedPath = join(dir, `${name}.expected.json`);
      const expected = existsSync(expectedPath) ? JSON.parse(readFileSync(expectedPath, "utf8")) : undefined;
      return { name, query, variables, operationName, expected };
    });
}

function startMocks(caseDir) {
  return new Promise((resolve, reject) => {
    const child = spawn(mocksBin, [caseDir], { stdio: ["pipe", "pipe", "inherit"] });
    child.on("error", reject);
    createInterface({ input: child.stdout }).once("line", (line) => resolve({ child, urls: JSON.parse(line).subgraphs }));
  });
}

function rewriteUrls(sdl, urls) {
  return sdl.replace(/@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g, (all, name) =>
    urls[name] ? `@join__graph(name: "${name}", url: "${urls[name]}")` : all,
  );
}

async function waitForHealth(url) {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`router did not become healthy at ${url}`);
}

let nextPort = 41000 + Math.floor(Math.random() * 2000);
async function startSwitchyard(sdl) {
  const dir = mkdtempSync(join(tmpdir(), "gateway-diff-"));
  const port = nextPort++;
  writeFileSync(join(dir, "supergraph.graphql"), sdl);
  writeFileSync(join(dir, "router.yaml"), "timeouts:\n  subgraph_request_ms: 1000\n");
  const child = spawn(
    routerBin,
    ["serve", "--supergraph", join(dir, "supergraph.graphql"), "--listen", `127.0.0.1:${port}`, "--config", join(dir, "router.yaml")],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  await waitForHealth(`http://127.0.0.1:${port}/health`);
  return { child, url: `http://127.0.0.1:${port}/graphql` };
}

async function startGateway(sdl) {
  const gateway = new ApolloGateway({ supergraphSdl: sdl });
  const server = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: "127.0.0.1" } });
  return { server, url };
}

async function send(url, op) {
  const body = { query: op.query, variables: op.variables };
  if (op.operationName) body.operationName = op.operationName;
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
    return await res.json();
  } catch (e) {
    return { transportError: String(e) };
  }
}

const filters = process.argv.slice(2);
let same = 0;
const differences = [];
// Operations where the reference gateway's data differs from the expected file:
// each one is either a case bug or a reference bug (recorded in README.md).
const gatewayOff = [];
// Same data, but only one side reports errors.
const errorPresence = [];
for (const id of allCases(filters)) {
  const caseDir = join(casesRoot, id);
  const mocks = await startMocks(caseDir);
  const sdl = rewriteUrls(readFileSync(join(caseDir, "supergraph.graphql"), "utf8"), mocks.urls);
  let gateway, router;
  try {
    gateway = await startGateway(sdl).catch((e) => ({ error: String(e) }));
    router = await startSwitchyard(sdl).catch((e) => ({ error: String(e) }));
    for (const op of operations(caseDir)) {
      const a = gateway.error ? { startError: gateway.error } : await send(gateway.url, op);
      const b = router.error ? { startError: router.error } : await send(router.url, op);
      const expectedData = op.expected?.data;
      if (!isDeepStrictEqual(a.data, expectedData)) gatewayOff.push({ op: `${id}/${op.name}`, gateway: a.data ?? a, expected: expectedData });
      const hasErrors = (r) => Array.isArray(r.errors) && r.errors.length > 0;
      if (isDeepStrictEqual(a.data, b.data) && !a.startError && !b.startError) {
        same++;
        if (hasErrors(a) !== hasErrors(b)) {
          errorPresence.push({ op: `${id}/${op.name}`, gateway: a.errors ?? [], switchyard: b.errors ?? [] });
        }
        continue;
      }
      const expected = op.expected?.data;
      differences.push({
        op: `${id}/${op.name}`,
        gateway: a.data ?? a,
        switchyard: b.data ?? b,
        gatewayMatchesExpected: isDeepStrictEqual(a.data, expected),
        switchyardMatchesExpected: isDeepStrictEqual(b.data, expected),
      });
    }
  } finally {
    if (gateway?.server) await gateway.server.stop();
    router?.child?.kill();
    mocks.child.stdin.end();
    mocks.child.kill();
  }
}
for (const d of differences) {
  console.log(`DIFF ${d.op}`);
  console.log(`  gateway    (${d.gatewayMatchesExpected ? "matches" : "differs from"} expected): ${JSON.stringify(d.gateway)}`);
  console.log(`  switchyard (${d.switchyardMatchesExpected ? "matches" : "differs from"} expected): ${JSON.stringify(d.switchyard)}`);
}
for (const e of errorPresence) {
  console.log(`ERRORS-DIFFER ${e.op}`);
  console.log(`  gateway:    ${JSON.stringify(e.gateway)}`);
  console.log(`  switchyard: ${JSON.stringify(e.switchyard)}`);
}
for (const g of gatewayOff) {
  console.log(`GATEWAY-VS-EXPECTED ${g.op}`);
  console.log(`  gateway:  ${JSON.stringify(g.gateway)}`);
  console.log(`  expected: ${JSON.stringify(g.expected)}`);
}
console.log(
  `gateway-diff: ${same} same, ${differences.length} different; errors present on one side only in ${errorPresence.length}; gateway differs from expected in ${gatewayOff.length}`,
);
process.exit(0);
