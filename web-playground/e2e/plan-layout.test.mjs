// Unit tests of the plan diagram's layout (pure, no browser): run with
// `node --test web-playground/e2e/plan-layout.test.mjs` (cargo test runs it too).
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  charsThatFit,
  fetchLines,
  fetchSummary,
  deferredLabel,
  layout,
  pathText,
  rootFields,
  wrapLabel,
  FETCH_W,
  FONT,
  TEXT_X,
} from '../src/planLayout.js';

const rootFetch = {
  kind: 'Fetch',
  subgraph: 'products',
  operation: 'query Q__products__0 { products(first: 3) { edges { node { id } } } me: viewer { id } }',
  operation_kind: 'Query',
  requires: [],
};
const entityFetch = (subgraph) => ({
  kind: 'Fetch',
  subgraph,
  operation: 'query Q($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { stock } } }',
  operation_kind: 'Query',
  requires: [{ kind: 'InlineFragment', type_condition: 'Product', selections: [] }],
});
const flatten = (node) => ({ kind: 'Flatten', path: [{ Key: 'products' }, { Key: 'edges' }, 'Flatten', { Key: 'node' }], node });

test('paths print like the router prints them', () => {
  assert.equal(pathText([{ Key: 'a' }, 'Flatten', { TypeCondition: ['A', 'B'] }]), 'a.@.|[A,B]');
});

test('root fields skip arguments, nested selections and aliases', () => {
  assert.deepEqual(rootFields(rootFetch.operation), ['products', 'viewer']);
  assert.deepEqual(rootFields('{ a @include(if: $x) { b } ...F __typename }'), ['a']);
  assert.equal(fetchSummary(rootFetch), 'Query.products, viewer');
  assert.equal(fetchSummary(entityFetch('inventory')), '_entities: Product');
});

test('a sequence stacks its fetches with an arrow between each pair', () => {
  const drawn = layout({ kind: 'Sequence', nodes: [rootFetch, flatten(entityFetch('inventory'))] });
  assert.equal(drawn.boxes.length, 2);
  const [first, second] = drawn.boxes;
  assert.ok(second.y >= first.y + first.h, 'the second fetch is below the first');
  assert.equal(second.path, 'products.edges.@.node');
  assert.equal(drawn.arrows.length, 1);
  const arrow = drawn.arrows[0];
  assert.equal(arrow[0].y, first.y + first.h);
  assert.equal(arrow.at(-1).y, second.y);
  assert.deepEqual(drawn.groups.map((g) => g.label), ['Sequence']);
});

test('a parallel node puts its children side by side, each reached from one fork', () => {
  const drawn = layout({ kind: 'Parallel', nodes: [entityFetch('a'), entityFetch('b'), entityFetch('c')] });
  const ys = new Set(drawn.boxes.map((b) => b.y));
  assert.equal(ys.size, 1, 'same row');
  const xs = drawn.boxes.map((b) => b.x);
  assert.ok(xs[0] + FETCH_W <= xs[1] && xs[1] + FETCH_W <= xs[2], 'no overlap, in order');
  assert.equal(drawn.arrows.length, 3);
  const forks = new Set(drawn.arrows.map((points) => `${points[0].x},${points[0].y}`));
  assert.equal(forks.size, 1);
  for (const [i, points] of drawn.arrows.entries()) {
    assert.equal(points.at(-1).x, drawn.boxes[i].x + FETCH_W / 2);
  }
  assert.ok(drawn.w >= 3 * FETCH_W);
});

test('nested groups contain their boxes', () => {
  const drawn = layout({
    kind: 'Sequence',
    nodes: [rootFetch, { kind: 'Parallel', nodes: [flatten(entityFetch('x')), flatten(entityFetch('y'))] }],
  });
  for (const box of drawn.boxes) {
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.w <= drawn.w && box.y + box.h <= drawn.h);
  }
  assert.deepEqual(drawn.groups.map((g) => g.label), ['Sequence', 'Parallel']);
});

test('conditions show both branches', () => {
  const drawn = layout({ kind: 'Condition', condition: 'withStock', if_clause: entityFetch('inventory'), else_clause: null });
  assert.equal(drawn.boxes.length, 1);
  assert.ok(drawn.groups.some((g) => g.label === 'if $withStock'));
});

test('a batched entity fetch is one box naming every path and entity type', () => {
  const requires = (type) => [{ kind: 'InlineFragment', type_condition: type, selections: [] }];
  const drawn = layout({
    kind: 'BatchFetch',
    subgraph: 'reviews',
    operation: 'query($representations0: [_Any!]!, $representations1: [_Any!]!) { _0: _entities(representations: $representations0) { ... on Product { rating } } _1: _entities(representations: $representations1) { ... on User { reviewCount } } }',
    parts: [
      { response_key: '_0', paths: [[{ Key: 'featured' }], [{ Key: 'top' }, 'Flatten']], requires: requires('Product') },
      { response_key: '_1', paths: [[{ Key: 'staff' }, 'Flatten']], requires: requires('User') },
    ],
  });
  assert.equal(drawn.boxes.length, 1);
  assert.equal(drawn.boxes[0].path, 'featured + top.@ + staff.@');
  assert.equal(fetchSummary(drawn.boxes[0].fetch), '_entities: Product, User');
});

test('labels wrap between path keys, and inside a key only when it is longer than a line', () => {
  assert.deepEqual(wrapLabel('short', 20), ['short']);
  assert.deepEqual(wrapLabel('', 20), ['']);
  assert.deepEqual(wrapLabel('me.orders.@.items.@.product.inventory', 20), ['me.orders.@.items.@.', 'product.inventory']);
  assert.deepEqual(wrapLabel('Flatten at featured + top.@', 12), ['Flatten at', 'featured +', 'top.@']);
  assert.deepEqual(wrapLabel('a'.repeat(25), 10), ['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(5)]);
  for (const text of ['checkout.order.items.@.product.shippingEstimate', 'x'.repeat(100), 'a, b, c, d, e, f, g, h, i, j']) {
    for (const max of [8, 13, 31]) {
      const lines = wrapLabel(text, max);
      assert.ok(lines.every((line) => line.length <= max), `${text} at ${max}: ${lines}`);
      assert.equal(lines.join('').replace(/\s/g, ''), text.replace(/\s/g, ''), 'nothing is lost');
    }
  }
});

test('a fetch box grows to hold its wrapped lines, each narrow enough for the box', () => {
  const longPath = 'me.orders.@.items.@.product.variants.@.warehouse.stockLevels.@';
  const short = fetchLines(entityFetch('inventory'), 'me');
  const long = fetchLines(entityFetch('inventory'), longPath);
  assert.ok(long.lines.length > short.lines.length && long.h > short.h);
  const pathLines = long.lines.filter((line) => line.kind === 'path');
  assert.ok(pathLines.length >= 2, 'the long path wraps');
  assert.equal(pathLines.map((line) => line.text).join(''), `Flatten at ${longPath}`);
  const room = FETCH_W - TEXT_X;
  for (const line of long.lines) {
    // Monospace glyphs advance 0.6 em: the widest line must stay inside the box.
    if (line.kind !== 'subgraph') assert.ok(line.text.length * FONT[line.kind] * 0.6 <= room, line.text);
    assert.ok(line.y < long.h, 'every baseline is inside the box');
  }
  const ys = long.lines.map((line) => line.y);
  assert.deepEqual([...ys].sort((a, b) => a - b), ys, 'lines go down the box');
  assert.ok(ys.every((y, i) => i === 0 || y - ys[i - 1] >= FONT.detail), 'lines do not overlap');
  const drawn = layout({ kind: 'Sequence', nodes: [rootFetch, flatten(entityFetch('inventory'))] });
  assert.ok(drawn.boxes.every((box) => box.lines.length >= 3));
  assert.equal(charsThatFit(100, 10, 1), 10);
  assert.equal(charsThatFit(10, 10, 1), 8, 'never fewer than 8');
});

test('the diagram text is never smaller than 12 px at 100%', () => {
  assert.ok(Object.values(FONT).every((size) => size >= 12));
});

test('a Defer node draws its primary part and each deferred part', () => {
  const plan = {
    kind: 'Defer',
    primary: rootFetch,
    deferred: [
      { index: 0, label: 'stock', path: [{ Key: 'products' }, 'Flatten'], parent_type: 'Product', node: flatten(entityFetch('inventory')) },
      { index: 1, path: [], parent_type: 'Query' },
    ],
  };
  const drawn = layout(plan);
  const labels = drawn.groups.map((g) => g.label);
  assert.deepEqual(labels, ['Defer', 'Primary', 'Deferred (stock) at products.@', 'Deferred at root']);
  assert.equal(drawn.boxes.length, 2);
  assert.equal(deferredLabel({ path: [{ Key: 'a' }], if_variable: 'd' }), 'Deferred at a if $d');
});

test('a subscription draws its primary once, then what runs for every event', () => {
  const primary = { ...rootFetch, operation: 'subscription { ticks { __typename n } }', operation_kind: 'Subscription' };
  delete primary.kind;
  const drawn = layout({ kind: 'Subscription', primary, rest: flatten(entityFetch('labels')) });
  assert.deepEqual(drawn.groups.map((g) => g.label), ['Subscription', 'Subscribed once', 'For every event']);
  assert.equal(drawn.boxes.length, 2);
  assert.equal(fetchSummary({ ...primary }), 'Subscription.ticks');
  const [once, perEvent] = drawn.boxes;
  assert.ok(perEvent.y > once.y + once.h, 'the per-event fetch is below the primary');
  assert.equal(drawn.arrows.length, 1);
});
