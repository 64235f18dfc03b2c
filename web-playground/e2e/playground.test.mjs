// End-to-end test of the playground in a real headless Chromium (Debian's
// `chromium`, driven by playwright-core; no browser download).
//
// It starts the whole shop (the `shop` binary, on free ports and a fresh data
// folder), opens the playground, runs a query across products and inventory, and
// checks the data, the query plan diagram, the trace waterfall and the sign-in
// helper, and that the page never requested anything outside 127.0.0.1. It saves
// a screenshot of each panel to docs/images/.
//
// Usage: SHOP_BIN=target/debug/shop node web-playground/e2e/playground.test.mjs
// (`cargo test --test playground_browser` runs it with the right binary.)
// CHROMIUM (default /usr/bin/chromium) and SCREENSHOT_DIR (default docs/images)
// can be overridden.

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const shopBin = process.env.SHOP_BIN ?? path.join(repo, 'target', 'debug', 'shop');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const screenshots = path.resolve(repo, process.env.SCREENSHOT_DIR ?? 'docs/images');

const QUERY = `query ProductsWithShipping {
  products(first: 3) {
    edges {
      node {
        name
        price { amountCents currency }
        stock
        shippingEstimate { amountCents currency }
      }
    }
  }
}`;

const ME = `query Me {
  me { email name }
}`;

function log(message) {
  process.stdout.write(`[playground e2e] ${message}\n`);
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A router port and five consecutive subgraph ports, all free right now. */
async function choosePorts() {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const ports = [base, base + 1, base + 2, base + 3, base + 4, base + 5];
    const free = await Promise.all(ports.map(portIsFree));
    if (free.every(Boolean)) return { router: base, firstSubgraph: base + 1 };
  }
  throw new Error('found no six consecutive free ports');
}

async function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the shop exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/**
 * Replaces the text of the query editor (Monaco) as a person pasting it would:
 * focus, select all, insert the operation on one line (Monaco re-indents pasted
 * newlines), then press GraphiQL's prettify button.
 */
async function setQuery(page, text) {
  const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.insertText(text.replace(/\s+/g, ' ').trim());
  await page.keyboard.press('Escape');
  await page.locator('button[aria-label^="Prettify"]').click();
}

async function runQuery(page, operationName) {
  const answered = page.waitForResponse(
    (response) =>
      response.url().endsWith('/graphql') &&
      response.request().method() === 'POST' &&
      JSON.parse(response.request().postData() ?? '{}').operationName === operationName &&
      !response.request().headers()['x-switchyard-plan']?.includes('only'),
  );
  // GraphiQL takes the operation name from the editor after a short debounce; the
  // active tab shows it once it is current.
  await page.locator('.graphiql-tab-active').getByText(operationName, { exact: true }).waitFor();
  await page.locator('.graphiql-execute-button').click();
  const response = await answered;
  return response.json();
}

async function openPanel(page, title) {
  const button = page.locator(`.graphiql-sidebar button[aria-label="Show ${title}"]`);
  await button.click();
}

async function main() {
  const ports = await choosePorts();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-playground-e2e-'));
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-chromium-profile-'));
  mkdirSync(screenshots, { recursive: true });
  log(`starting ${shopBin} (router :${ports.router}, subgraphs from :${ports.firstSubgraph})`);
  const shop = spawn(
    shopBin,
    ['--first-subgraph-port', String(ports.firstSubgraph), '--router-port', String(ports.router), '--data-dir', dataDir],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  let context;
  let failureShot = null;
  try {
    const origin = `http://127.0.0.1:${ports.router}`;
    await waitForHealth(`${origin}/health`, shop, 120_000);
    log('shop is up; launching chromium');
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1440, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const requested = [];
    const pageErrors = [];
    context.on('request', (request) => requested.push(request.url()));
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error' || process.env.E2E_VERBOSE) log(`console ${message.type()}: ${message.text()}`);
    });
    failureShot = (file) => page.screenshot({ path: file });

    // GraphiQL introspects the schema (for docs and autocompletion) as it starts.
    const introspected = page.waitForResponse(
      (r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('__schema'),
    );
    await page.goto(`${origin}/`);
    await page.locator('.graphiql-container').waitFor();
    const schema = await (await introspected).json();
    assert.ok(schema.data?.__schema?.types?.some((t) => t.name === 'Product'), 'the API schema was introspected');

    // 1. Editor and results.
    await setQuery(page, QUERY);
    const result = await runQuery(page, 'ProductsWithShipping');
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const products = result.data.products.edges.map((edge) => edge.node);
    assert.equal(products.length, 3);
    for (const product of products) {
      assert.equal(typeof product.name, 'string');
      assert.equal(typeof product.stock, 'number');
      assert.equal(typeof product.shippingEstimate.amountCents, 'number');
    }
    assert.ok(result.extensions?.queryPlan?.json, 'the playground asked for the plan');
    assert.ok(result.extensions?.trace?.fetches, 'the playground asked for the trace');
    const shown = page.locator('.graphiql-response');
    await shown.getByText(JSON.stringify(products[0].name)).first().waitFor();
    await shown.getByText('"shippingEstimate"').first().waitFor();
    assert.equal(await shown.getByText('"queryPlan"').count(), 0, 'the plan goes to its panel, not the result');
    await page.screenshot({ path: path.join(screenshots, 'playground-results.png') });
    log(`results: ${products.map((p) => `${p.name} (stock ${p.stock})`).join(', ')}`);

    // 2. The plan diagram: products first, then inventory's entity fetch.
    await openPanel(page, 'Query plan');
    const diagram = page.getByTestId('plan-diagram');
    await diagram.waitFor();
    const fetches = await diagram.getByTestId('plan-fetch').evaluateAll((nodes) => nodes.map((n) => n.dataset.subgraph));
    assert.ok(fetches.includes('products') && fetches.includes('inventory'), `plan fetches: ${fetches}`);
    const arrows = await diagram.locator('polyline.sy-arrow').count();
    assert.ok(arrows >= 1, 'the diagram draws the order of the fetches');
    assert.ok(await diagram.getByText('Sequence').count(), 'the diagram shows the sequence');
    await page.screenshot({ path: path.join(screenshots, 'playground-plan.png') });
    log(`plan: ${fetches.join(' -> ')}`);

    // 3. The trace waterfall of the run above.
    await openPanel(page, 'Trace');
    const waterfall = page.getByTestId('trace-waterfall');
    await waterfall.waitFor();
    const rows = await waterfall.getByTestId('trace-row').evaluateAll((nodes) => nodes.map((n) => n.dataset.subgraph));
    assert.ok(rows.includes('products') && rows.includes('inventory'), `trace rows: ${rows}`);
    const bars = await waterfall.locator('.sy-wf-bar').count();
    assert.equal(bars, rows.length);
    await page.screenshot({ path: path.join(screenshots, 'playground-trace.png') });
    log(`trace: ${rows.join(', ')}`);

    // 4. Sign in as the demo user; the token goes to the headers editor and `me` works.
    await openPanel(page, 'Sign in');
    await page.getByTestId('signin-panel').getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signin-status').filter({ hasText: 'Signed in' }).waitFor();
    await setQuery(page, ME);
    const me = await runQuery(page, 'Me');
    assert.equal(me.data?.me?.email, 'demo@switchyard.dev', JSON.stringify(me));
    log('sign-in helper: me.email is demo@switchyard.dev');

    // Nothing left the machine.
    const outside = requested.filter((url) => {
      const { protocol, hostname } = new URL(url);
      if (protocol === 'data:' || protocol === 'blob:') return false;
      return hostname !== '127.0.0.1';
    });
    assert.deepEqual(outside, [], 'requests to other hosts');
    assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
    log(`${requested.length} requests, all to 127.0.0.1; screenshots in ${screenshots}`);
  } catch (error) {
    if (failureShot) {
      const file = path.join(os.tmpdir(), 'switchyard-playground-e2e-failure.png');
      await failureShot(file).catch(() => {});
      log(`screenshot of the failure: ${file}`);
    }
    throw error;
  } finally {
    if (context) await context.close().catch(() => {});
    shop.kill('SIGTERM');
    await new Promise((resolve) => (shop.exitCode !== null ? resolve() : shop.once('exit', resolve)));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(profileDir, { recursive: true, force: true });
  }
}

main().then(
  () => log('passed'),
  (error) => {
    process.stderr.write(`[playground e2e] FAILED: ${error.stack ?? error}\n`);
    process.exit(1);
  },
);
