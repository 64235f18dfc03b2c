// Talking to the router: the GraphiQL fetcher (which asks for the plan and the
// trace of every operation a person runs), a plan-only request for the plan panel,
// the sign-in operation the config names, the playground's settings, and a tiny
// store the panels subscribe to.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { Kind, parse } from 'graphql';
import { multipartResults, sseResults } from './streaming.js';

/** The router's GraphQL endpoint, on the same origin as the page. */
export const ENDPOINT = new URL('/graphql', window.location.href).toString();

/** What the router config says about the playground (`playground.auth`). */
const SETTINGS = new URL('/playground/settings.json', window.location.href).toString();

const ACCEPT = 'application/graphql-response+json, application/json;q=0.9';

let lastRun = { plan: null, trace: null, error: null, at: 0 };
const listeners = new Set();

function publish(run) {
  lastRun = { ...run, at: Date.now() };
  for (const listener of listeners) listener();
}

/** The plan and trace of the last operation run from the editor. */
export function useLastRun() {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => lastRun,
  );
}

async function post(body, headers, accept = ACCEPT) {
  const response = await fetch(ENDPOINT, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
  }
}

/**
 * How an operation is answered: `subscription` (a stream of events),
 * `deferred` (an operation with `@defer`: parts), or `single`.
 */
function streamingKind(query, operationName) {
  let document;
  try {
    document = parse(query);
  } catch {
    return 'single'; // The router answers the syntax error.
  }
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName
    ? operations.find((o) => o.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation) return 'single';
  if (operation.operation === 'subscription') return 'subscription';
  return /@defer\b/.test(query) ? 'deferred' : 'single';
}

/** Accept headers of the streamed answers. */
const SSE = 'text/event-stream';
const INCREMENTAL = 'multipart/mixed;deferSpec=20220824, application/json;q=0.9';

/**
 * A subscription (events over SSE) or an operation with `@defer` (parts over
 * multipart), as an async iterator GraphiQL reads as results arrive. GraphiQL
 * stops it (the stop button, another run) with `return()`, which aborts the
 * request: the router then ends the subscription at the subgraph.
 */
async function* streamed(kind, params, headers) {
  const controller = new AbortController();
  try {
    const response = await fetch(ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: kind === 'subscription' ? SSE : INCREMENTAL, ...headers },
      body: JSON.stringify(params),
      signal: controller.signal,
    });
    // Streamed answers carry no plan or trace: the plan panel plans the
    // operation itself.
    publish({ plan: null, trace: null, error: null });
    yield* kind === 'subscription' ? sseResults(response) : multipartResults(response);
  } finally {
    controller.abort();
  }
}

/**
 * GraphiQL's fetcher. Subscriptions and operations with `@defer` are streamed
 * (see `streamed`). Introspection (the schema for docs and autocompletion) goes
 * out as is; operations from the editor also ask for `extensions.queryPlan` and
 * `extensions.trace`, which are moved to the panels rather than shown in the result.
 */
export function fetcher(params, options) {
  const kind = streamingKind(params.query ?? '', params.operationName);
  if (kind !== 'single') return streamed(kind, params, { ...(options?.headers ?? {}) });
  return single(params, options);
}

async function single(params, options) {
  const headers = { ...(options?.headers ?? {}) };
  const introspection = params.operationName === 'IntrospectionQuery';
  if (!introspection) {
    headers['x-switchyard-plan'] = 'true';
    headers['x-switchyard-trace'] = 'true';
  }
  const result = await post(params, headers);
  if (!introspection && result && typeof result === 'object') {
    const { queryPlan = null, trace = null, ...rest } = result.extensions ?? {};
    publish({ plan: queryPlan, trace, error: null });
    if (result.extensions) {
      if (Object.keys(rest).length) result.extensions = rest;
      else delete result.extensions;
    }
  }
  return result;
}

/** Plans an operation without executing it (`x-switchyard-plan: only`). */
export async function planOnly(query, operationName, variables, headers) {
  // application/json: an operation still being typed is invalid, which is an answer
  // (HTTP 200 with errors), not a failed request for the browser console.
  const result = await post(
    { query, operationName, variables },
    { ...headers, 'x-switchyard-plan': 'only' },
    'application/json',
  );
  if (result?.extensions?.queryPlan) return { plan: result.extensions.queryPlan, errors: null };
  return { plan: null, errors: result?.errors ?? [{ message: 'The router returned no plan' }] };
}

/**
 * Runs the configured sign-in operation (`settings.auth.sign_in`) with the typed
 * variables and the headers editor's other headers; returns the whole answer
 * (the panel takes the token out of it).
 */
export function runSignIn(form, variables, headers) {
  return post({ query: form.operation, operationName: form.operation_name ?? undefined, variables }, headers);
}

let settings = null;

/**
 * The playground's settings, fetched once per page load: `null` while loading,
 * then `{ auth: { sign_in } }` (`sign_in` null when none is configured), or
 * `{ error }` when the router did not answer them.
 */
export function useSettings() {
  const [value, setValue] = useState(null);
  useEffect(() => {
    let cancelled = false;
    settings ??= fetch(SETTINGS, { headers: { accept: 'application/json' } })
      .then(async (response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.json();
      })
      .catch((error) => ({ error: `The playground settings did not load: ${error.message ?? error}` }));
    settings.then((loaded) => !cancelled && setValue(loaded));
    return () => {
      cancelled = true;
    };
  }, []);
  return value;
}
