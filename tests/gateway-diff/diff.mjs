// Sends every federation-corpus operation to Apollo Gateway and to Switchyard,
// both running the case's supergraph against the same mock subgraphs, and
// reports every operation whose `data` differs (also saying which side matches
// the case's expected file).
//
// Exits 1 when a data difference (DIFF) or an errors-on-one-side-only difference
// (ERRORS-DIFFER) is not covered by allow-list.json, or when an allow-list entry
// no longer matches any difference among the operations that ran (STALE); exits 2
// when allow-list.json is malformed.
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

// Switchyard binds a port the OS picks (`--listen 127.0.0.1:0`) and says which in its
// "serving" log line: a port chosen here could already be taken by a mock or the
// gateway (both listen on OS-picked ports too), and the health check would then
// reach them instead.
async function startSwitchyard(sdl) {
  const dir = mkdtempSync(join(tmpdir(), "gateway-diff-"));
  writeFileSync(join(dir, "supergraph.graphql"), sdl);
  writeFileSync(join(dir, "router.yaml"), "timeouts:\n  subgraph_request_ms: 1000\n");
  const child = spawn(
    routerBin,
    ["serve", "--supergraph", join(dir, "supergraph.graphql"), "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--config", join(dir, "router.yaml")],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const address = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stderr });
    lines.on("line", (line) => {
      process.stderr.write(line + "\n");
      const found = /serving \/graphql.*address=(\S+)/.exec(line);
      if (found) resolve(found[1]);
    });
    child.on("exit", (code) => reject(new Error(`switchyard exited (${code}) before serving`)));
    child.on("error", reject);
  });
  await waitForHealth(`http://${address}/health`);
  return { child, url: `http://${address}/graphql` };
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

// The allow-list: differences where Switchyard's answer is the right one per the
// specs. Each entry: `operation` (a `family/case/operation` glob, `*` matching
// within one path segment), `kind` ("data" covers DIFF, "errors" covers
// ERRORS-DIFFER) and a mandatory `why`.
function loadAllowList() {
  const path = join(here, "allow-list.json");
  const fail = (message) => {
    console.error(`gateway-diff: ${path}: ${message}`);
    process.exit(2);
  };
  let entries;
  try {
    entries = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    fail(String(e));
  }
  if (!Array.isArray(entries)) fail("must be a JSON array of entries");
  return entries.map((entry, index) => {
    const where = `entry ${index}`;
    if (typeof entry?.operation !== "string" || entry.operation.split("/").length !== 3) {
      fail(`${where}: "operation" must be a "family/case/operation" glob`);
    }
    if (entry.kind !== "data" && entry.kind !== "errors") fail(`${where} (${entry.operation}): "kind" must be "data" or "errors"`);
    if (typeof entry.why !== "string" || entry.why.trim().length < 20) {
      fail(`${where} (${entry.operation}): "why" must say why Switchyard's answer is right per the spec`);
    }
    const source = entry.operation
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("[^/]*");
    return { ...entry, pattern: new RegExp(`^${source}$`), used: false };
  });
}

const allowList = loadAllowList();
// The operations that ran: an entry none of them matches is not stale (a subset run).
const ran = [];
function allowed(op, kind) {
  const entry = allowList.find((e) => e.kind === kind && e.pattern.test(op));
  if (entry) entry.used = true;
  return entry;
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
      ran.push(`${id}/${op.name}`);
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
const unexplained = [];
for (const d of differences) {
  const entry = allowed(d.op, "data");
  if (!entry) unexplained.push(`DIFF ${d.op}`);
  console.log(`DIFF ${d.op}${entry ? " (allow-listed)" : ""}`);
  console.log(`  gateway    (${d.gatewayMatchesExpected ? "matches" : "differs from"} expected): ${JSON.stringify(d.gateway)}`);
  console.log(`  switchyard (${d.switchyardMatchesExpected ? "matches" : "differs from"} expected): ${JSON.stringify(d.switchyard)}`);
}
for (const e of errorPresence) {
  const entry = allowed(e.op, "errors");
  if (!entry) unexplained.push(`ERRORS-DIFFER ${e.op}`);
  console.log(`ERRORS-DIFFER ${e.op}${entry ? " (allow-listed)" : ""}`);
  console.log(`  gateway:    ${JSON.stringify(e.gateway)}`);
  console.log(`  switchyard: ${JSON.stringify(e.switchyard)}`);
}
for (const g of gatewayOff) {
  console.log(`GATEWAY-VS-EXPECTED ${g.op}`);
  console.log(`  gateway:  ${JSON.stringify(g.gateway)}`);
  console.log(`  expected: ${JSON.stringify(g.expected)}`);
}
const stale = allowList.filter((e) => !e.used && ran.some((op) => e.pattern.test(op)));
for (const e of stale) {
  console.log(`STALE allow-list entry ${e.operation} (${e.kind}): no such difference any more; remove it`);
}
for (const u of unexplained) {
  console.log(`NOT ALLOW-LISTED ${u}: a Switchyard bug to fix, or an allow-list.json entry saying why Switchyard is right`);
}
console.log(
  `gateway-diff: ${same} same, ${differences.length} different; errors present on one side only in ${errorPresence.length}; gateway differs from expected in ${gatewayOff.length}; not allow-listed ${unexplained.length}; stale allow-list entries ${stale.length}`,
);
process.exit(unexplained.length || stale.length ? 1 : 0);
