// Lays out a query plan (the router's `extensions.queryPlan.json`) as boxes for
// fetches inside labelled containers for Sequence, Parallel, Condition and Defer, with
// arrows for the order in which they run. Pure geometry: the panel draws it as SVG.
//
// Text is laid out here too, at the sizes the panel draws it (never scaled
// down: the panel scrolls and pans instead), and long labels are wrapped into
// lines that fit their box, so a box grows downwards rather than its text
// running out of it.

export const FETCH_W = 264;
/** Font sizes (px at 100% zoom) of the diagram's text; panels.css uses the same. */
export const FONT = { subgraph: 13, detail: 12, path: 12, group: 12 };
/** Generous average advance per em: monospace is 0.6, the bold sans title less than 0.68. */
const EM = { mono: 0.62, sansBold: 0.68 };
/** Where a box's text starts (after the subgraph colour bar) and the room kept on its right. */
export const TEXT_X = 14;
const TEXT_RIGHT = 10;
const BOX_PAD_Y = 8;
const LINE_HEIGHT = 1.35;
const PAD = 10;
const LABEL_H = 20;
const V_GAP = 26;
const H_GAP = 16;

/** How many characters of a font fit in `width` px (at least 8: a box never shows less). */
export function charsThatFit(width, fontSize, em) {
  return Math.max(8, Math.floor(width / (fontSize * em)));
}

/**
 * Splits `text` into lines of at most `maxChars`, breaking after `.`, `,`, `+`,
 * `|`, `/` or a space where it can (so a path breaks between its keys), and
 * inside a word only when the word alone is longer than a line.
 */
export function wrapLabel(text, maxChars) {
  const pieces = text.match(/[^.,+|/\s]*(?:[.,+|/\s]+|$)/g).filter((piece) => piece !== '');
  const lines = [];
  let line = '';
  for (let piece of pieces) {
    if ((line + piece).trimEnd().length <= maxChars) {
      line += piece;
      continue;
    }
    if (line.trim()) lines.push(line.trimEnd());
    line = '';
    piece = piece.trimStart();
    while (piece.trimEnd().length > maxChars) {
      lines.push(piece.slice(0, maxChars));
      piece = piece.slice(maxChars);
    }
    line = piece;
  }
  if (line.trim() || lines.length === 0) lines.push(line.trimEnd());
  return lines;
}

/**
 * The lines of a fetch box, top to bottom: `{ text, kind, y }` with `kind` one of
 * FONT's keys and `y` the baseline from the box's top; and the box's height.
 */
export function fetchLines(fetch, path, width = FETCH_W) {
  const room = width - TEXT_X - TEXT_RIGHT;
  const parts = [
    ['subgraph', `Fetch · ${fetch.subgraph}`, EM.sansBold],
    ['detail', fetchSummary(fetch), EM.mono],
    ['path', path ? `Flatten at ${path}` : 'root', EM.mono],
  ];
  const lines = [];
  let y = BOX_PAD_Y;
  for (const [kind, text, em] of parts) {
    const size = FONT[kind];
    for (const line of wrapLabel(text, charsThatFit(room, size, em))) {
      y += size;
      lines.push({ text: line, kind, y });
      y += size * (LINE_HEIGHT - 1);
    }
    y += 2;
  }
  return { lines, h: Math.ceil(y + BOX_PAD_Y - 2) };
}

function fetchBox(fetch, path) {
  const { lines, h } = fetchLines(fetch, path);
  return {
    w: FETCH_W,
    h,
    boxes: [{ x: 0, y: 0, w: FETCH_W, h, fetch, path, lines }],
    groups: [],
    arrows: [],
  };
}

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
  const kind = ['Mutation', 'Subscription'].includes(fetch.operation_kind) ? fetch.operation_kind : 'Query';
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
      return fetchBox(node, flattenPath);
    case 'BatchFetch': {
      // Several entity fetches to one subgraph in one request: one box, with the
      // paths of every part and the entity types they extend.
      const paths = node.parts.flatMap((part) => part.paths.map((path) => pathText(path)));
      const fetch = { ...node, requires: node.parts.flatMap((part) => part.requires) };
      return fetchBox(fetch, paths.join(' + '));
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
    case 'Defer': {
      // `@defer`: the primary part, then each deferred part, one below the
      // other (each runs after the ones above it).
      const primary = stack('Primary', node.primary ? [layout(node.primary)] : []);
      const parts = node.deferred.map((part) =>
        stack(deferredLabel(part), part.node ? [layout(part.node)] : []),
      );
      return stack('Defer', [primary, ...parts]);
    }
    case 'Subscription': {
      // The subscription sent once to its subgraph, then what runs for each of
      // its events.
      const primary = stack('Subscribed once', [layout({ kind: 'Fetch', ...node.primary })]);
      const rest = node.rest ? [stack('For every event', [layout(node.rest)])] : [];
      return stack('Subscription', [primary, ...rest]);
    }
    default:
      return { w: FETCH_W, h: LABEL_H + PAD, boxes: [], groups: [{ x: 0, y: 0, w: FETCH_W, h: LABEL_H + PAD, label: `unknown ${node.kind}` }], arrows: [] };
  }
}

/** `Deferred (label) at path`, as the container of a deferred part says it. */
export function deferredLabel(part) {
  const label = part.label ? ` (${part.label})` : '';
  const path = pathText(part.path) || 'root';
  const condition = part.if_variable ? ` if $${part.if_variable}` : '';
  return `Deferred${label} at ${path}${condition}`;
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
  const top = LABEL_H + PAD + 18;
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
      out.groups.push({ x, y: top - 16, w: child.w, h: 0, label: child.branchLabel, caption: true });
    }
    tallest = Math.max(tallest, child.h);
    x += child.w + H_GAP;
  }
  out.h = top + tallest + PAD;
  out.groups.unshift({ x: 0, y: 0, w, h: out.h, label });
  return out;
}
