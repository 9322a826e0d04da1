import { useState } from 'preact/hooks';
import { api } from '../api.js';

/**
 * The admin or a project token, exchanged for the session cookie. The token never stays in the
 * page: the cookie is httpOnly, and the link printed at first start (`/?token=…`) is turned into
 * the cookie by the collector before this page loads.
 */
export function SignIn(props: { onSignedIn: () => void }) {
  const rejectedLink = new URLSearchParams(location.search).get('error') === 'token';
  const [token, setToken] = useState('');
  const [error, setError] = useState(rejectedLink ? 'The sign-in link’s token is not valid (it may have been rotated). Paste a current token.' : '');
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" class="sign-in" data-ready="true">
      <h1>Sign in to Lookout</h1>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError('');
          try {
            await api('/api/session', { method: 'POST', body: { token } });
            setToken('');
            if (location.pathname === '/sign-in') history.replaceState(null, '', '/issues');
            props.onSignedIn();
          } catch (failure) {
            setError((failure as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label for="token">Admin or project token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required value={token} onInput={(event) => setToken(event.currentTarget.value)} />
        <p class="hint">
          The admin token is printed when the collector first starts (and kept in <code>&lt;data&gt;/admin-token</code>); the start banner’s
          Dashboard link signs you in directly.
        </p>
        {error && (
          <p class="failure" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
