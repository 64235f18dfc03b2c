// The query plan panel: plans the operation in the editor with
// `x-switchyard-plan: only` (nothing runs, so a mutation can be inspected safely)
// whenever the operation changes or is run, and draws the plan as a diagram.
import { useEffect, useState } from 'react';
import { useGraphiQL } from '@graphiql/react';
import { planOnly, useLastRun } from './endpoint.js';
import { fetchSummary, layout } from './planLayout.js';
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

export function PlanDiagram({ plan, fit }) {
  if (!plan.node) {
    return <p className="sy-muted">Nothing to fetch: the router answers this operation itself.</p>;
  }
  const drawn = layout(plan.node);
  const margin = 6;
  return (
    <svg
      className={fit ? 'sy-plan-diagram sy-plan-fit' : 'sy-plan-diagram'}
      data-testid="plan-diagram"
      width={drawn.w + 2 * margin}
      height={drawn.h + 2 * margin}
      // Fitted to the panel, but never below 60% (the panel scrolls instead).
      style={fit ? { minWidth: `${Math.round((drawn.w + 2 * margin) * 0.6)}px` } : undefined}
      viewBox={`${-margin} ${-margin} ${drawn.w + 2 * margin} ${drawn.h + 2 * margin}`}
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
          <text key={`g${i}`} x={g.x + 4} y={g.y + 10} className="sy-group-caption">
            {g.label}
          </text>
        ) : (
          <g key={`g${i}`} className="sy-group" data-kind={g.label.split(' ')[0]}>
            <rect x={g.x} y={g.y} width={g.w} height={g.h} rx="8" />
            <text x={g.x + 8} y={g.y + 13}>{g.label}</text>
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
        const summary = fetchSummary(b.fetch);
        return (
          <g key={`b${i}`} className="sy-fetch" data-testid="plan-fetch" data-subgraph={b.fetch.subgraph}>
            <title>{`${b.fetch.subgraph}${b.path ? ` at ${b.path}` : ''}\n\n${b.fetch.operation}`}</title>
            <rect x={b.x} y={b.y} width={b.w} height={b.h} rx="6" style={{ stroke: color }} />
            <rect x={b.x} y={b.y} width="6" height={b.h} rx="3" style={{ fill: color }} />
            <text x={b.x + 14} y={b.y + 18} className="sy-fetch-subgraph" style={{ fill: color }}>
              Fetch · {b.fetch.subgraph}
            </text>
            <text x={b.x + 14} y={b.y + 34} className="sy-fetch-detail">
              {clip(summary, 32)}
            </text>
            <text x={b.x + 14} y={b.y + 49} className="sy-fetch-path">
              {b.path ? `Flatten at ${clip(b.path, 30)}` : 'root'}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function clip(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
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
        for what.
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
              Full size
            </button>
          </div>
          <div className="sy-plan-scroll">
            <PlanDiagram plan={state.plan.json} fit />
          </div>
          {enlarged ? (
            <div className="sy-plan-overlay" role="dialog" aria-label="Query plan, full size" onClick={() => setEnlarged(false)}>
              <div className="sy-plan-overlay-body" onClick={(e) => e.stopPropagation()}>
                <div className="sy-buttons">
                  <b>Query plan</b>
                  <button type="button" className="graphiql-button" onClick={() => setEnlarged(false)}>
                    Close
                  </button>
                </div>
                <PlanDiagram plan={state.plan.json} />
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
