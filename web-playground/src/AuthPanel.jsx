// The authorization panel: puts `Authorization: Bearer <token>` into the headers
// editor, which GraphiQL then sends with every operation. A token can be pasted;
// when the router config names a sign-in operation (`playground.auth.sign_in`),
// the panel also renders an input per variable of that operation, runs it and
// takes the token from the answer. The router serves any API, so the operation
// comes from the config, never from this code. The token lives only in the
// headers editor (GraphiQL does not persist headers): never logged, never stored.
import { useState } from 'react';
import { useGraphiQL } from '@graphiql/react';
import { runSignIn, useSettings } from './endpoint.js';
import { headersSignedOut, headersWithToken, headersWithoutAuthorization, formVariables, tokenAt } from './auth.js';

function Status({ status }) {
  if (!status) return null;
  return (
    <p className={status.error ? 'sy-error' : 'sy-ok'} data-testid="auth-status" role="status">
      {status.error ?? status.ok}
    </p>
  );
}

function TokenForm({ onToken }) {
  const [token, setToken] = useState('');
  function submit(event) {
    event.preventDefault();
    // Cleared once in the headers editor: the editor is the one place it lives.
    if (onToken(token)) setToken('');
  }
  return (
    <form className="sy-auth-form" onSubmit={submit} data-testid="token-form">
      <label>
        Token
        <input
          type="password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          placeholder="paste a bearer token"
        />
      </label>
      <div className="sy-buttons">
        <button type="submit" className="graphiql-button" disabled={!token.trim()}>
          Use token
        </button>
      </div>
    </form>
  );
}

function SignInForm({ form, headerEditor, onToken, setStatus }) {
  const [texts, setTexts] = useState(() =>
    Object.fromEntries(form.variables.map((v) => [v.name, v.default ?? ''])),
  );
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    try {
      const variables = formVariables(form.variables, texts);
      const headers = headersWithoutAuthorization(headerEditor?.getValue());
      const token = tokenAt(await runSignIn(form, variables, headers), form.token_path);
      if (token instanceof Error) throw token;
      onToken(token, `Signed in with ${form.operation_name ?? 'the sign-in operation'}`);
    } catch (error) {
      setStatus({ error: `Sign-in failed: ${error.message ?? error}` });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="sy-auth-form" onSubmit={submit} data-testid="signin-form">
      <div className="sy-auth-heading">Sign in</div>
      {form.hint ? <p className="sy-muted" data-testid="signin-hint">{form.hint}</p> : null}
      <details className="sy-auth-operation">
        <summary>
          Runs <code>{form.operation_name ?? 'the configured operation'}</code>, token at{' '}
          <code>{form.token_path.join('.')}</code>
        </summary>
        <pre>{form.operation}</pre>
      </details>
      {form.variables.map((variable) => (
        <label key={variable.name}>
          <span>
            {variable.name} <code className="sy-muted">{variable.type}</code>
          </span>
          <input
            name={variable.name}
            type={variable.secret ? 'password' : 'text'}
            value={texts[variable.name]}
            required={variable.required}
            onChange={(e) => setTexts({ ...texts, [variable.name]: e.target.value })}
            autoComplete={variable.secret ? 'current-password' : 'off'}
            spellCheck={false}
          />
        </label>
      ))}
      <div className="sy-buttons">
        <button type="submit" className="graphiql-button" disabled={busy}>
          Sign in
        </button>
      </div>
    </form>
  );
}

export function AuthPanel() {
  const headerEditor = useGraphiQL((s) => s.headerEditor);
  const settings = useSettings();
  const [status, setStatus] = useState(null);

  function applyToken(token, how = 'Token set') {
    try {
      headerEditor?.setValue(headersWithToken(headerEditor?.getValue(), token));
      setStatus({ ok: `${how}: the Headers tab now sends Authorization: Bearer …` });
      return true;
    } catch (error) {
      setStatus({ error: String(error.message ?? error) });
      return false;
    }
  }

  function signOut() {
    headerEditor?.setValue(headersSignedOut(headerEditor?.getValue()));
    setStatus({ ok: 'The Authorization header is removed.' });
  }

  const form = settings?.auth?.sign_in;
  return (
    <div className="sy-panel sy-auth" data-testid="auth-panel">
      <div className="graphiql-doc-explorer-title">Authorization</div>
      <p className="sy-muted">
        Sets <code>Authorization: Bearer …</code> in the Headers editor, which is sent with every operation. The token
        stays in the editor: it is not saved.
      </p>
      <TokenForm onToken={applyToken} />
      {form ? <SignInForm form={form} headerEditor={headerEditor} onToken={applyToken} setStatus={setStatus} /> : null}
      {settings && !form && !settings.error ? (
        <p className="sy-muted" data-testid="signin-unconfigured">
          A sign-in form appears here when the router config names a sign-in operation (
          <code>playground.auth.sign_in</code>).
        </p>
      ) : null}
      {settings?.error ? <p className="sy-error">{settings.error}</p> : null}
      <div className="sy-buttons">
        <button type="button" className="graphiql-button" onClick={signOut}>
          Remove header
        </button>
      </div>
      <Status status={status} />
    </div>
  );
}
