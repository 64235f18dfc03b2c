// The trace panel: after an operation runs, a waterfall of the subgraph requests
// the router made for it (from `extensions.trace`, asked for with
// `x-switchyard-trace: true`), so a person sees where the time went.
import { useLastRun } from './endpoint.js';
import { subgraphColor } from './colors.js';

function formatMs(ms) {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
}

function formatBytes(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${bytes} B`;
}

export function Waterfall({ trace }) {
  const total = Math.max(trace.totalMs, 0.001);
  return (
    <div className="sy-waterfall" data-testid="trace-waterfall">
      <div className="sy-wf-row sy-wf-head">
        <span className="sy-wf-name">subgraph</span>
        <span className="sy-wf-scale">
          <span>0</span>
          <span>{formatMs(total / 2)}</span>
          <span>{formatMs(total)}</span>
        </span>
      </div>
      {trace.fetches.map((fetch, i) => {
        const color = fetch.errors > 0 ? '#dc2626' : subgraphColor(fetch.subgraph);
        const left = (fetch.startMs / total) * 100;
        const width = Math.max((fetch.durationMs / total) * 100, 0.8);
        return (
          <div className="sy-wf-row" key={i} data-testid="trace-row" data-subgraph={fetch.subgraph}>
            <span className="sy-wf-name" style={{ color }}>
              {fetch.subgraph}
            </span>
            <span className="sy-wf-track">
              <span
                className="sy-wf-bar"
                style={{ left: `${left}%`, width: `${width}%`, background: color }}
                title={`starts at +${formatMs(fetch.startMs)}, takes ${formatMs(fetch.durationMs)}`}
              />
            </span>
            <span className="sy-wf-details">
              +{formatMs(fetch.startMs)} · {formatMs(fetch.durationMs)} · {formatBytes(fetch.responseBytes)}
              {fetch.representations > 0 ? ` · ${fetch.representations} entities` : ''}
              {fetch.errors > 0 ? <b className="sy-wf-errors"> · {fetch.errors} error{fetch.errors > 1 ? 's' : ''}</b> : null}
            </span>
          </div>
        );
      })}
    </div>
  );
}

export function TracePanel() {
  const { trace } = useLastRun();
  return (
    <div className="sy-panel" data-testid="trace-panel">
      <div className="graphiql-doc-explorer-title">Trace</div>
      {!trace ? (
        <p className="sy-muted">
          Run an operation to see the subgraph requests it made. (The router attaches a trace only when its config has{' '}
          <code>expose_trace</code> on.)
        </p>
      ) : trace.fetches.length === 0 ? (
        <p className="sy-muted">The last operation made no subgraph request.</p>
      ) : (
        <>
          <p className="sy-muted">
            {trace.fetches.length} subgraph request{trace.fetches.length > 1 ? 's' : ''} in {formatMs(trace.totalMs)} (from
            the start of execution).
          </p>
          <Waterfall trace={trace} />
        </>
      )}
    </div>
  );
}
