// Lays out a query plan (the router's `extensions.queryPlan.json`) as boxes for
// fetches inside labelled containers for Sequence, Parallel and Condition, with
// arrows for the order in which they run. Pure geometry: the panel draws it as SVG.

export const FETCH_W = 236;
export const FETCH_H = 58;
const PAD = 10;
const LABEL_H = 18;
const V_GAP = 26;
const H_GAP = 14;

/** The path of a Flatten node as the router prints it (`products.@`). */
export function pathText(path) {
  return path
    .map((element) => {
      if (element === 'Flatten') return '@';
      if (element.Key !== undefined) return element.Key;
      if (element.TypeCondition) return `|[${element.TypeCondition.join(',')}]`;
      return '?';
    })
    .join('.');
}

/**
 * The top-level fields of a subgraph operation (`{ a { b } x: c }` gives a, c):
 * names at depth 1 that are not aliases, type conditions, fragment names or
 * directives.
 */
export function rootFields(operation) {
  const fields = [];
  let depth = 0;
  let parens = 0;
  let previous = '';
  const tokens = operation.match(/[{}()@]|\.\.\.|"(?:\\.|[^"\\])*"|[A-Za-z_][A-Za-z0-9_]*:?|\S/g) ?? [];
  for (const token of tokens) {
    if (token === '(') parens += 1;
    else if (token === ')') parens -= 1;
    else if (parens > 0) continue;
    else if (token === '{') depth += 1;
    else if (token === '}') depth -= 1;
    else if (
      depth === 1 &&
      /^[A-Za-z_]/.test(token) &&
      !token.endsWith(':') &&
      !['on', '...', '@'].includes(previous) &&
      token !== 'on' &&
      token !== '__typename'
    ) {
      fields.push(token);
    }
    previous = token;
  }
  return fields;
}

/** What a fetch gets, in a few words: root fields or the entity types it extends. */
export function fetchSummary(fetch) {
  if (fetch.requires && fetch.requires.length > 0) {
    const types = fetch.requires.map((s) => s.type_condition).filter(Boolean);
    return `_entities: ${[...new Set(types)].join(', ')}`;
  }
  const kind = fetch.operation_kind === 'Mutation' ? 'Mutation' : 'Query';
  const fields = rootFields(fetch.operation);
  return `${kind}.${fields.join(', ') || '…'}`;
}

/**
 * Returns `{ w, h, boxes, groups, arrows }` for a plan node placed at (0, 0):
 * `boxes` are fetches, `groups` the containers, `arrows` polylines (lists of
 * points, drawn with an arrowhead at the last one).
 */
export function layout(node, flattenPath = null) {
  switch (node.kind) {
    case 'Fetch':
      return {
        w: FETCH_W,
        h: FETCH_H,
        boxes: [{ x: 0, y: 0, w: FETCH_W, h: FETCH_H, fetch: node, path: flattenPath }],
        groups: [],
        arrows: [],
      };
    case 'BatchFetch': {
      // Several entity fetches to one subgraph in one request: one box, with the
      // paths of every part and the entity types they extend.
      const paths = node.parts.flatMap((part) => part.paths.map((path) => pathText(path)));
      const fetch = { ...node, requires: node.parts.flatMap((part) => part.requires) };
      return {
        w: FETCH_W,
        h: FETCH_H,
        boxes: [{ x: 0, y: 0, w: FETCH_W, h: FETCH_H, fetch, path: paths.join(' + ') }],
        groups: [],
        arrows: [],
      };
    }
    case 'Flatten':
      return layout(node.node, pathText(node.path));
    case 'Sequence':
      return stack('Sequence', node.nodes.map((child) => layout(child)));
    case 'Parallel':
      return row('Parallel', node.nodes.map((child) => layout(child)));
    case 'Condition': {
      const branches = [];
      if (node.if_clause) branches.push(labelled(`if $${node.condition}`, layout(node.if_clause)));
      if (node.else_clause) branches.push(labelled(`unless $${node.condition}`, layout(node.else_clause)));
      return row(`Condition $${node.condition}`, branches);
    }
    default:
      return { w: FETCH_W, h: 24, boxes: [], groups: [{ x: 0, y: 0, w: FETCH_W, h: 24, label: `unknown ${node.kind}` }], arrows: [] };
  }
}

function shift(part, dx, dy) {
  return {
    boxes: part.boxes.map((b) => ({ ...b, x: b.x + dx, y: b.y + dy })),
    groups: part.groups.map((g) => ({ ...g, x: g.x + dx, y: g.y + dy })),
    arrows: part.arrows.map((points) => points.map((p) => ({ x: p.x + dx, y: p.y + dy }))),
  };
}

function merge(into, part) {
  into.boxes.push(...part.boxes);
  into.groups.push(...part.groups);
  into.arrows.push(...part.arrows);
}

function labelled(label, part) {
  return { ...part, branchLabel: label };
}

/** Children one below the other, an arrow from each to the next. */
function stack(label, children) {
  const inner = Math.max(FETCH_W, ...children.map((c) => c.w));
  const w = inner + 2 * PAD;
  const out = { w, h: 0, boxes: [], groups: [], arrows: [] };
  let y = LABEL_H + PAD;
  let previousBottom = null;
  for (const child of children) {
    const x = PAD + (inner - child.w) / 2;
    if (previousBottom !== null) {
      out.arrows.push([{ x: w / 2, y: previousBottom }, { x: w / 2, y }]);
    }
    merge(out, shift(child, x, y));
    previousBottom = y + child.h;
    y += child.h + V_GAP;
  }
  out.h = y - V_GAP + PAD;
  out.groups.unshift({ x: 0, y: 0, w, h: out.h, label });
  return out;
}

/** Children side by side, forking from one point above them. */
function row(label, children) {
  const top = LABEL_H + PAD + 16;
  const innerW = children.reduce((sum, c) => sum + c.w, 0) + H_GAP * Math.max(0, children.length - 1);
  const w = Math.max(innerW, FETCH_W) + 2 * PAD;
  const out = { w, h: 0, boxes: [], groups: [], arrows: [] };
  let x = PAD + (w - 2 * PAD - innerW) / 2;
  let tallest = 0;
  const fork = { x: w / 2, y: LABEL_H };
  const elbow = top - 12;
  for (const child of children) {
    const center = x + child.w / 2;
    out.arrows.push([fork, { x: fork.x, y: elbow }, { x: center, y: elbow }, { x: center, y: top }]);
    merge(out, shift(child, x, top));
    if (child.branchLabel) {
      out.groups.push({ x, y: top - 14, w: child.w, h: 0, label: child.branchLabel, caption: true });
    }
    tallest = Math.max(tallest, child.h);
    x += child.w + H_GAP;
  }
  out.h = top + tallest + PAD;
  out.groups.unshift({ x: 0, y: 0, w, h: out.h, label });
  return out;
}
