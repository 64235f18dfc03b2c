// The query plan panel: plans the operation in the editor with
// `x-switchyard-plan: only` (nothing runs, so a mutation can be inspected safely)
// whenever the operation changes or is run, and draws the plan as a diagram.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useGraphiQL } from '@graphiql/react';
import { planOnly, useLastRun } from './endpoint.js';
import { TEXT_X, layout } from './planLayout.js';
import { subgraphColor } from './colors.js';

function parseJson(text) {
  if (!text || !text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

function useEditorText(editor) {
  const [text, setText] = useState(() => editor?.getValue() ?? '');
  useEffect(() => {
    if (!editor) return undefined;
    setText(editor.getValue());
    let timer;
    const subscription = editor.onDidChangeModelContent(() => {
      clearTimeout(timer);
      timer = setTimeout(() => setText(editor.getValue()), 400);
    });
    return () => {
      clearTimeout(timer);
      subscription.dispose();
    };
  }, [editor]);
  return text;
}

/**
 * The plan as SVG at `zoom` times its laid-out size. Never drawn smaller than
 * 100%: its text is laid out at readable sizes, and the container scrolls and
 * pans instead of shrinking it.
 */
export function PlanDiagram({ plan, zoom = 1 }) {
  if (!plan.node) {
    return <p className="sy-muted">Nothing to fetch: the router answers this operation itself.</p>;
  }
  const drawn = layout(plan.node);
  const margin = 6;
  const width = drawn.w + 2 * margin;
  const height = drawn.h + 2 * margin;
  return (
    <svg
      className="sy-plan-diagram"
      data-testid="plan-diagram"
      width={Math.round(width * zoom)}
      height={Math.round(height * zoom)}
      viewBox={`${-margin} ${-margin} ${width} ${height}`}
      role="img"
      aria-label="Query plan diagram"
    >
      <defs>
        <marker id="sy-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" className="sy-arrow-head" />
        </marker>
      </defs>
      {drawn.groups.map((g, i) =>
        g.caption ? (
          <text key={`g${i}`} x={g.x + 4} y={g.y + 11} className="sy-group-caption">
            {g.label}
          </text>
        ) : (
          <g key={`g${i}`} className="sy-group" data-kind={g.label.split(' ')[0]}>
            <rect x={g.x} y={g.y} width={g.w} height={g.h} rx="8" />
            <text x={g.x + 8} y={g.y + 15}>{g.label}</text>
          </g>
        ),
      )}
      {drawn.arrows.map((points, i) => (
        <polyline
          key={`a${i}`}
          points={points.map((p, j) => `${p.x},${j === points.length - 1 ? p.y - 1 : p.y}`).join(' ')}
          className="sy-arrow"
          markerEnd="url(#sy-arrow)"
        />
      ))}
      {drawn.boxes.map((b, i) => {
        const color = subgraphColor(b.fetch.subgraph);
        return (
          <g key={`b${i}`} className="sy-fetch" data-testid="plan-fetch" data-subgraph={b.fetch.subgraph}>
            <title>{`${b.fetch.subgraph}${b.path ? ` at ${b.path}` : ''}\n\n${b.fetch.operation}`}</title>
            <rect x={b.x} y={b.y} width={b.w} height={b.h} rx="6" style={{ stroke: color }} />
            <rect x={b.x} y={b.y} width="6" height={b.h} rx="3" style={{ fill: color }} />
            {b.lines.map((line, j) => (
              <text
                key={j}
                x={b.x + TEXT_X}
                y={b.y + line.y}
                className={`sy-fetch-${line.kind}`}
                style={line.kind === 'subgraph' ? { fill: color } : undefined}
              >
                {line.text}
              </text>
            ))}
          </g>
        );
      })}
    </svg>
  );
}

const ZOOMS = [1, 1.25, 1.5, 2];

/**
 * A scrolling viewport around the diagram: scrollbars, dragging to pan, and
 * zoom buttons from 100% up (zooming out would make the text unreadable).
 */
export function PlanViewport({ plan, className = '' }) {
  const [zoom, setZoom] = useState(1);
  const drag = useRef(null);
  const viewportRef = useRef(null);
  const at = ZOOMS.indexOf(zoom);

  // A plan starts at its top and centred across, where its first fetch is
  // drawn (containers centre their children), rather than at its left edge.
  useLayoutEffect(() => {
    const viewport = viewportRef.current;
    if (viewport) viewport.scrollLeft = (viewport.scrollWidth - viewport.clientWidth) / 2;
  }, [plan, zoom]);

  function onPointerDown(event) {
    if (event.button !== 0) return;
    const viewport = event.currentTarget;
    // A press on a scrollbar moves that scrollbar, not the diagram.
    const box = viewport.getBoundingClientRect();
    if (event.clientX - box.left >= viewport.clientLeft + viewport.clientWidth) return;
    if (event.clientY - box.top >= viewport.clientTop + viewport.clientHeight) return;
    drag.current = { x: event.clientX, y: event.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
    viewport.setPointerCapture(event.pointerId);
  }
  function onPointerMove(event) {
    if (!drag.current) return;
    const viewport = event.currentTarget;
    viewport.scrollLeft = drag.current.left - (event.clientX - drag.current.x);
    viewport.scrollTop = drag.current.top - (event.clientY - drag.current.y);
  }
  function onPointerUp() {
    drag.current = null;
  }

  return (
    <>
      <div className="sy-buttons sy-zoom">
        <button type="button" className="graphiql-button" aria-label="Zoom out" disabled={at <= 0} onClick={() => setZoom(ZOOMS[at - 1])}>
          −
        </button>
        <span className="sy-muted" data-testid="plan-zoom">
          {Math.round(zoom * 100)}%
        </span>
        <button
          type="button"
          className="graphiql-button"
          aria-label="Zoom in"
          disabled={at >= ZOOMS.length - 1}
          onClick={() => setZoom(ZOOMS[at + 1])}
        >
          +
        </button>
      </div>
      <div
        className={`sy-plan-scroll ${className}`}
        data-testid="plan-viewport"
        ref={viewportRef}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
      >
        <PlanDiagram plan={plan} zoom={zoom} />
      </div>
    </>
  );
}

export function PlanPanel() {
  const { queryEditor, variableEditor, headerEditor, operationName } = useGraphiQL((s) => ({
    queryEditor: s.queryEditor,
    variableEditor: s.variableEditor,
    headerEditor: s.headerEditor,
    operationName: s.operationName,
  }));
  const query = useEditorText(queryEditor);
  const lastRun = useLastRun();
  const [state, setState] = useState({ loading: false, plan: null, errors: null });
  const [enlarged, setEnlarged] = useState(false);

  useEffect(() => {
    if (!query.trim()) {
      setState({ loading: false, plan: null, errors: null });
      return undefined;
    }
    let cancelled = false;
    setState((s) => ({ ...s, loading: true }));
    const variables = parseJson(variableEditor?.getValue());
    const headers = parseJson(headerEditor?.getValue());
    planOnly(query, operationName || undefined, variables, headers)
      .then((result) => !cancelled && setState({ loading: false, ...result }))
      .catch((error) => !cancelled && setState({ loading: false, plan: null, errors: [{ message: String(error.message ?? error) }] }));
    return () => {
      cancelled = true;
    };
  }, [query, operationName, lastRun.at, variableEditor, headerEditor]);

  return (
    <div className="sy-panel" data-testid="plan-panel">
      <div className="graphiql-doc-explorer-title">Query plan</div>
      <p className="sy-muted">
        The fetches the router runs for the operation in the editor (planned with{' '}
        <code>x-switchyard-plan: only</code>; nothing is executed). Boxes are subgraph requests; arrows show what waits
        for what. Drag or scroll to move around it.
      </p>
      {state.loading && !state.plan ? <p className="sy-muted">Planning…</p> : null}
      {state.errors ? (
        <div className="sy-error" data-testid="plan-errors">
          {state.errors.map((e, i) => (
            <p key={i}>{e.message}</p>
          ))}
        </div>
      ) : null}
      {state.plan ? (
        <>
          <div className="sy-buttons">
            <button type="button" className="graphiql-button" onClick={() => setEnlarged(true)}>
              Enlarge
            </button>
          </div>
          <PlanViewport plan={state.plan.json} />
          {enlarged ? (
            <div className="sy-plan-overlay" role="dialog" aria-label="Query plan, enlarged" onClick={() => setEnlarged(false)}>
              <div className="sy-plan-overlay-body" onClick={(e) => e.stopPropagation()}>
                <div className="sy-buttons">
                  <b>Query plan</b>
                  <button type="button" className="graphiql-button" onClick={() => setEnlarged(false)}>
                    Close
                  </button>
                </div>
                <PlanViewport plan={state.plan.json} className="sy-plan-scroll-large" />
              </div>
            </div>
          ) : null}
          <details className="sy-plan-text">
            <summary>Plan as text</summary>
            <pre>{state.plan.text}</pre>
          </details>
        </>
      ) : null}
    </div>
  );
}
