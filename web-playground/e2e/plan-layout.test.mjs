// Unit tests of the plan diagram's layout (pure, no browser): run with
// `node --test web-playground/e2e/plan-layout.test.mjs` (cargo test runs it too).
import test from 'node:test';
import assert from 'node:assert/strict';
import { fetchSummary, layout, pathText, rootFields, FETCH_W, FETCH_H } from '../src/planLayout.js';

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
  assert.ok(second.y >= first.y + FETCH_H, 'the second fetch is below the first');
  assert.equal(second.path, 'products.edges.@.node');
  assert.equal(drawn.arrows.length, 1);
  const arrow = drawn.arrows[0];
  assert.equal(arrow[0].y, first.y + FETCH_H);
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
