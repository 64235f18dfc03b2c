// End-to-end test of the playground in a real headless Chromium (Debian's
// `chromium`, driven by playwright-core; no browser download).
//
// It starts the whole shop (the `shop` binary, on free ports and a fresh data
// folder), opens the playground, runs a query across products and inventory, and
// checks the data; signs in through the authorization panel (a pasted token,
// then the sign-in operation the shop's router config names); draws the plan of
// a query across all five services and measures it on screen (every label at
// least 11 px, inside its box, every box reachable inside the scrolling
// viewport); checks the trace waterfall; runs a query with `@defer` (answered
// as multipart, shown merged) and a subscription whose result changes when an
// order takes stock, with its plan drawn; that the token is never stored, and
// that the page never requested anything outside 127.0.0.1. It saves a
// screenshot of each panel to docs/images/.
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

/** The shop's largest plan: users, then orders, then products, inventory and payments. */
const EVERYTHING = `query Everything {
  me {
    name
    orders {
      id
      status
      total { amountCents currency }
      items {
        quantity
        product {
          name
          price { amountCents currency }
          stock
          shippingEstimate { amountCents currency }
        }
      }
      payment { status amount { amountCents currency } }
    }
  }
}`;

/** `@defer`: the name from products at once, the stock from inventory later. */
const DEFERRED = `query Deferred {
  product(id: "prod-07") {
    name
    ... @defer(label: "stock") { stock inStock }
  }
}`;

/** A live view: the product's stock, each time it changes. */
const STOCK = `subscription Stock {
  stockChanged(productId: "prod-07") { id name stock }
}`;

/** Smallest text allowed on screen, in CSS pixels. */
const MIN_TEXT_PX = 11;

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
  // Back to the start of the document: the one-line paste scrolled it sideways.
  await editor.click();
  await page.keyboard.press('ControlOrMeta+Home');
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

/** Waits until the result pane's text matches `pattern`; returns the text. */
async function waitForResult(page, pattern) {
  const handle = await page.waitForFunction(
    (source) => {
      // Monaco draws spaces as no-break spaces.
      const text = (document.querySelector('.graphiql-response .view-lines')?.innerText ?? '').replace(/\u00a0/g, ' ');
      return new RegExp(source).test(text) ? text : false;
    },
    pattern.source,
    { timeout: 20_000 },
  );
  return handle.jsonValue();
}

/** Clicks run on `operationName` and returns its HTTP response (not a plan-only one). */
async function startOperation(page, operationName) {
  const answered = page.waitForResponse(
    (response) =>
      response.url().endsWith('/graphql') &&
      JSON.parse(response.request().postData() ?? '{}').operationName === operationName &&
      !response.request().headers()['x-switchyard-plan']?.includes('only'),
  );
  await page.locator('.graphiql-tab-active').getByText(operationName, { exact: true }).waitFor();
  await page.locator('.graphiql-execute-button').click();
  return answered;
}

async function openPanel(page, title) {
  const button = page.locator(`.graphiql-sidebar button[aria-label="Show ${title}"]`);
  await button.click();
}

/** A customer token straight from the shop (what a person would paste). */
async function demoToken(origin) {
  const response = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }',
      variables: { e: 'demo@switchyard.dev', p: 'Switchyard-demo-1' },
    }),
  });
  const token = (await response.json()).data?.signIn?.token;
  assert.ok(token, 'the shop signs the demo customer in');
  return token;
}

/** An order for the demo customer, so that `Everything` reaches all five services. */
async function placeOrder(origin, token, idempotencyKey = 'playground-e2e') {
  const response = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: `mutation { placeOrder(input: { items: [{ productId: "prod-07", quantity: 1 }],
        card: { number: "4242 4242 4242 4242", expiryMonth: 12, expiryYear: 2035, cvc: "123" },
        idempotencyKey: "${idempotencyKey}" }) { id status } }`,
    }),
  });
  const answer = await response.json();
  assert.ok(answer.data?.placeOrder?.id, `the order is placed: ${JSON.stringify(answer)}`);
}

/**
 * Where each line of the query editor ends, and where its visible part ends:
 * the welcome document must be readable without scrolling sideways.
 */
async function editorLines(page) {
  return page.evaluate(() => {
    const editor = document.querySelector('.graphiql-query-editor .monaco-scrollable-element');
    const right = editor.getBoundingClientRect().right - 14; // the vertical scrollbar
    const lines = [...document.querySelectorAll('.graphiql-query-editor .view-line')]
      .filter((line) => line.textContent.trim() !== '')
      .map((line) => {
        const spans = [...line.querySelectorAll('span span')];
        const end = Math.max(...spans.map((span) => span.getBoundingClientRect().right));
        return { text: line.textContent, end, right };
      });
    return lines;
  });
}

/**
 * Measures the diagram in `viewport` as it is on screen: each label's font size
 * times the SVG's scale, each label's box inside its fetch box, and each fetch
 * box inside the scrolled content and, once scrolled to, fully visible.
 */
async function measurePlan(viewport) {
  return viewport.evaluate((element) => {
    const labels = [...element.querySelectorAll('svg text')].map((text) => {
      const scale = text.getScreenCTM().a;
      return {
        text: text.textContent,
        px: parseFloat(getComputedStyle(text).fontSize) * scale,
        height: text.getBoundingClientRect().height,
      };
    });
    const overflowing = [];
    for (const node of element.querySelectorAll('[data-testid=plan-fetch]')) {
      const box = node.querySelector('rect').getBBox();
      for (const text of node.querySelectorAll('text')) {
        const t = text.getBBox();
        if (t.x < box.x || t.y < box.y || t.x + t.width > box.x + box.width || t.y + t.height > box.y + box.height) {
          overflowing.push(`${text.textContent}: ${JSON.stringify(t)} outside ${JSON.stringify(box)}`);
        }
      }
    }
    const placements = [];
    for (const node of element.querySelectorAll('[data-testid=plan-fetch]')) {
      const rect = node.querySelector('rect');
      const view = element.getBoundingClientRect();
      const before = rect.getBoundingClientRect();
      const left = before.left - view.left - element.clientLeft + element.scrollLeft;
      const top = before.top - view.top - element.clientTop + element.scrollTop;
      const inContent =
        left >= 0 && top >= 0 && left + before.width <= element.scrollWidth && top + before.height <= element.scrollHeight;
      element.scrollLeft = left - 4;
      element.scrollTop = top - 4;
      const after = rect.getBoundingClientRect();
      const inner = {
        left: view.left + element.clientLeft,
        top: view.top + element.clientTop,
        right: view.left + element.clientLeft + element.clientWidth,
        bottom: view.top + element.clientTop + element.clientHeight,
      };
      const fitsAcross = after.width <= element.clientWidth;
      const fitsDown = after.height <= element.clientHeight;
      const visible =
        after.left >= inner.left - 0.5 &&
        after.top >= inner.top - 0.5 &&
        (!fitsAcross || after.right <= inner.right + 0.5) &&
        (!fitsDown || after.bottom <= inner.bottom + 0.5);
      placements.push({ subgraph: node.dataset.subgraph, inContent, visible, fitsAcross, fitsDown });
    }
    element.scrollLeft = 0;
    element.scrollTop = 0;
    return { labels, overflowing, placements };
  });
}

/** `mustFit`: at 100% every box fits in the viewport (zoomed in, one may not). */
function checkPlan(measured, where, mustFit = true) {
  assert.ok(measured.labels.length >= 15, `${where}: labels drawn (${measured.labels.length})`);
  for (const label of measured.labels) {
    assert.ok(label.px >= MIN_TEXT_PX, `${where}: "${label.text}" is ${label.px.toFixed(1)} px on screen`);
    assert.ok(label.height >= MIN_TEXT_PX, `${where}: "${label.text}" is ${label.height.toFixed(1)} px tall on screen`);
  }
  assert.deepEqual(measured.overflowing, [], `${where}: labels outside their boxes`);
  for (const placement of measured.placements) {
    assert.ok(placement.inContent, `${where}: ${placement.subgraph} lies outside the scrollable area`);
    assert.ok(placement.visible, `${where}: ${placement.subgraph} is clipped once scrolled to`);
    if (mustFit) {
      assert.ok(placement.fitsAcross && placement.fitsDown, `${where}: ${placement.subgraph} is larger than the viewport`);
    }
  }
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

    // 0. The welcome document fits beside an open panel.
    await openPanel(page, 'Query plan');
    await page.getByTestId('plan-diagram').waitFor();
    const welcome = await editorLines(page);
    assert.ok(welcome.filter((line) => line.text.startsWith('#')).length >= 2, `welcome lines: ${JSON.stringify(welcome)}`);
    for (const line of welcome) {
      assert.ok(line.end <= line.right, `"${line.text}" is cut off (ends at ${line.end}, editor at ${line.right})`);
    }
    await page.locator('.graphiql-sidebar button[aria-label="Hide Query plan"]').click();

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

    // 2. Authorization: a pasted token, then the sign-in operation the shop's
    // router config names (the router itself knows no sign-in).
    await openPanel(page, 'Authorization');
    const auth = page.getByTestId('auth-panel');
    const status = page.getByTestId('auth-status');
    const token = await demoToken(origin);
    await placeOrder(origin, token);
    await auth.getByLabel('Token').fill(token);
    await auth.getByRole('button', { name: 'Use token' }).click();
    await status.filter({ hasText: 'Token set' }).waitFor();
    assert.equal(await auth.getByLabel('Token').inputValue(), '', 'the field is cleared: the token lives in the headers');
    await setQuery(page, ME);
    const pasted = await runQuery(page, 'Me');
    assert.equal(pasted.data?.me?.email, 'demo@switchyard.dev', JSON.stringify(pasted));
    log('token field: me.email is demo@switchyard.dev');

    await auth.getByRole('button', { name: 'Remove header' }).click();
    await status.filter({ hasText: 'removed' }).waitFor();
    const anonymous = await runQuery(page, 'Me');
    assert.notEqual(anonymous.data?.me?.email, 'demo@switchyard.dev', JSON.stringify(anonymous));

    const form = page.getByTestId('signin-form');
    assert.match(await page.getByTestId('signin-hint').innerText(), /demo@switchyard\.dev/);
    assert.equal(await form.locator('input[name=email]').inputValue(), 'demo@switchyard.dev', 'prefilled from the config');
    assert.equal(await form.locator('input[name=password]').getAttribute('type'), 'password');
    await form.locator('input[name=password]').fill('not-the-password-1');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await status.filter({ hasText: 'Sign-in failed' }).waitFor();
    await form.locator('input[name=password]').fill('Switchyard-demo-1');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await status.filter({ hasText: 'Signed in with SignIn' }).waitFor();
    const me = await runQuery(page, 'Me');
    assert.equal(me.data?.me?.email, 'demo@switchyard.dev', JSON.stringify(me));
    await page.locator('.graphiql-editor-tools button', { hasText: 'Headers' }).click();
    const headersEditor = page.locator('.graphiql-editor-tool .monaco-editor .view-lines').last();
    await headersEditor.filter({ hasText: 'Bearer' }).waitFor();
    const headersText = await headersEditor.innerText();
    // (The message leaves the token out: tests print no credentials either.)
    assert.match(headersText, /"Authorization":\s*"Bearer\s\S/, 'the header is in the Headers editor');
    await page.screenshot({ path: path.join(screenshots, 'playground-auth.png') });
    await page.locator('button[aria-label="Hide editor tools"]').click();
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    assert.ok(!stored.includes(token.split('.')[2]), 'the pasted token reached the browser storage');
    assert.ok(!/eyJ[\w-]+\.eyJ[\w-]+\./.test(stored), 'a JWT reached the browser storage');
    assert.ok(!stored.includes('Bearer'), 'an Authorization header reached the browser storage');
    log('sign-in form: me.email is demo@switchyard.dev; no token in the browser storage');

    // 3. The plan of the shop's largest query, as drawn on screen.
    await setQuery(page, EVERYTHING);
    await openPanel(page, 'Query plan');
    const diagram = page.getByTestId('plan-diagram');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=plan-diagram] [data-testid=plan-fetch]').length >= 5,
    );
    const fetches = await diagram.getByTestId('plan-fetch').evaluateAll((nodes) => nodes.map((n) => n.dataset.subgraph));
    assert.deepEqual([...fetches].sort(), ['inventory', 'orders', 'payments', 'products', 'users'], `plan fetches: ${fetches}`);
    assert.ok((await diagram.locator('polyline.sy-arrow').count()) >= 4, 'the diagram draws the order of the fetches');
    assert.ok(await diagram.getByText('Sequence').count(), 'the diagram shows the sequence');
    assert.ok(await diagram.getByText('Parallel').count(), 'the diagram shows the parallel fetches');
    const viewport = page.getByTestId('plan-viewport');
    checkPlan(await measurePlan(viewport), 'panel');

    // Dragging pans a diagram wider than the panel; zooming never goes below 100%.
    const room = await viewport.evaluate((e) => ({ across: e.scrollWidth - e.clientWidth, down: e.scrollHeight - e.clientHeight }));
    if (room.across > 0 || room.down > 0) {
      const box = await viewport.boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 - 80, box.y + box.height / 2 - 80, { steps: 4 });
      await page.mouse.up();
      const moved = await viewport.evaluate((e) => e.scrollLeft + e.scrollTop);
      assert.ok(moved > 0, 'dragging pans the diagram');
    }
    assert.ok(await page.getByRole('button', { name: 'Zoom out' }).isDisabled(), 'no zooming out below 100%');
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.getByTestId('plan-zoom').filter({ hasText: '125%' }).waitFor();
    const zoomed = await measurePlan(viewport);
    checkPlan(zoomed, 'panel at 125%', false);
    assert.ok(zoomed.labels.every((label) => label.px >= 12 * 1.25 - 0.01), 'zooming in enlarges the text');
    await page.getByRole('button', { name: 'Zoom out' }).click();
    await page.getByTestId('plan-zoom').filter({ hasText: '100%' }).waitFor();

    await page.getByRole('button', { name: 'Enlarge' }).click();
    const large = page.getByRole('dialog', { name: 'Query plan, enlarged' }).getByTestId('plan-viewport');
    await large.waitFor();
    checkPlan(await measurePlan(large), 'enlarged');
    await page.screenshot({ path: path.join(screenshots, 'playground-plan.png') });
    await page.getByRole('button', { name: 'Close' }).click();
    log(`plan: ${fetches.join(' -> ')}`);

    // 4. The trace waterfall of that query across the five services.
    const everything = await runQuery(page, 'Everything');
    assert.equal(everything.errors, undefined, JSON.stringify(everything.errors));
    await openPanel(page, 'Trace');
    const waterfall = page.getByTestId('trace-waterfall');
    await waterfall.waitFor();
    const rows = await waterfall.getByTestId('trace-row').evaluateAll((nodes) => nodes.map((n) => n.dataset.subgraph));
    assert.deepEqual([...new Set(rows)].sort(), ['inventory', 'orders', 'payments', 'products', 'users'], `trace rows: ${rows}`);
    const bars = await waterfall.locator('.sy-wf-bar').count();
    assert.equal(bars, rows.length);
    await page.screenshot({ path: path.join(screenshots, 'playground-trace.png') });
    log(`trace: ${rows.join(', ')}`);

    // 5. @defer: the answer comes in parts; GraphiQL shows them merged.
    await setQuery(page, DEFERRED);
    const deferred = await startOperation(page, 'Deferred');
    assert.match(deferred.headers()['content-type'], /^multipart\/mixed/, 'the deferred answer is multipart');
    assert.match(deferred.request().headers().accept, /multipart\/mixed/);
    const merged = await waitForResult(page, /"inStock"/);
    assert.match(merged, /"name": "Gooseneck Kettle"/);
    assert.match(merged, /"stock": \d+/);
    log('@defer: name first, stock in a later part, shown merged');

    // 6. A subscription: each change of the stock appears as it happens.
    const before = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ product(id: "prod-07") { stock } }' }),
    }).then((r) => r.json());
    const stock = before.data.product.stock;
    await setQuery(page, STOCK);
    await openPanel(page, 'Query plan');
    const subscriptionPlan = page.getByTestId('plan-diagram');
    await subscriptionPlan.getByText('Subscribed once').waitFor();
    assert.deepEqual(
      await subscriptionPlan.getByTestId('plan-fetch').evaluateAll((nodes) => nodes.map((n) => n.dataset.subgraph)),
      ['inventory', 'products'],
      'the stock is subscribed to at inventory; each event is completed by products',
    );
    const streaming = await startOperation(page, 'Stock');
    assert.match(streaming.headers()['content-type'], /^text\/event-stream/, 'the subscription is an event stream');
    await waitForResult(page, new RegExp(`"stock": ${stock}\\b`));
    await placeOrder(origin, token, 'playground-e2e-live');
    await waitForResult(page, new RegExp(`"stock": ${stock - 1}\\b`));
    await page.screenshot({ path: path.join(screenshots, 'playground-subscription.png') });
    // The run button stops it.
    await page.locator('.graphiql-execute-button').click();
    log(`subscription: stock ${stock}, then ${stock - 1} after an order`);

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
