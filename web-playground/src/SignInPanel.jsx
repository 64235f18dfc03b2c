// The shop's sign-in helper: runs `signIn(email, password)` against the router and
// puts the token in the headers editor as `Authorization: Bearer <token>`, which
// GraphiQL then sends with every operation.
import { useState } from 'react';
import { useGraphiQL } from '@graphiql/react';
import { signIn } from './endpoint.js';

const DEMO_EMAIL = 'demo@switchyard.dev';
const DEMO_PASSWORD = 'Switchyard-demo-1';

/** The headers editor's object without any `Authorization` header (unparseable text gives {}). */
function headersWithoutAuthorization(headersText) {
  let headers = {};
  try {
    const parsed = JSON.parse(headersText || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) headers = parsed;
  } catch {
    // Unparseable headers are replaced rather than sent broken.
  }
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === 'authorization') delete headers[name];
  }
  return headers;
}

export function SignInPanel() {
  const headerEditor = useGraphiQL((s) => s.headerEditor);
  const [email, setEmail] = useState(DEMO_EMAIL);
  const [password, setPassword] = useState(DEMO_PASSWORD);
  const [status, setStatus] = useState(null);

  async function submit(event) {
    event.preventDefault();
    setStatus({ busy: true });
    try {
      const token = await signIn(email, password);
      const headers = { ...headersWithoutAuthorization(headerEditor?.getValue()), Authorization: `Bearer ${token}` };
      headerEditor?.setValue(JSON.stringify(headers, null, 2));
      setStatus({ ok: `Signed in as ${email}: the Headers tab now sends the token.` });
    } catch (error) {
      setStatus({ error: `Sign-in failed: ${error.message ?? error}` });
    }
  }

  function signOut() {
    const headers = headersWithoutAuthorization(headerEditor?.getValue());
    headerEditor?.setValue(JSON.stringify(headers, null, 2));
    setStatus({ ok: 'Signed out: the Authorization header is removed.' });
  }

  return (
    <form className="sy-panel sy-signin" data-testid="signin-panel" onSubmit={submit}>
      <div className="graphiql-doc-explorer-title">Sign in</div>
      <p className="sy-muted">
        Runs <code>signIn</code> on the shop and sets <code>Authorization: Bearer …</code> in the Headers editor. The
        seeded demo user is <code>{DEMO_EMAIL}</code> / <code>{DEMO_PASSWORD}</code>.
      </p>
      <label>
        Email
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="username" />
      </label>
      <label>
        Password
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />
      </label>
      <div className="sy-buttons">
        <button type="submit" className="graphiql-button" disabled={status?.busy}>
          Sign in
        </button>
        <button type="button" className="graphiql-button" onClick={signOut}>
          Sign out
        </button>
      </div>
      {status?.ok ? <p className="sy-ok" data-testid="signin-status">{status.ok}</p> : null}
      {status?.error ? <p className="sy-error" data-testid="signin-status">{status.error}</p> : null}
    </form>
  );
}
