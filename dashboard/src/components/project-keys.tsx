import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { loadSession, type ProjectSummary, useApp } from '../session.js';
import { ConfirmButton } from './alert-confirm.js';
import { CodeBlock } from './code-block.js';
import { TokenOnce } from './project-token.js';

/** The ingest key (public, in the DSN) and the secret project token, each rotated after a warning. */
export function ProjectKeys(props: { project: ProjectSummary; onIngestKeyRotated: () => Promise<void> }) {
  const { session, signOut } = useApp();
  const { project } = props;
  const [token, setToken] = useState<{ value: string; ownSession: 'renewed' | 'ended' | null } | null>(null);
  // A project-token session is tied to the token it signed in with: rotating it ends this session.
  const rotatesOwnSession = !session.admin && session.projectId === project.id;

  async function rotateToken() {
    const answer = await api<ProjectSummary & { token: string }>(`/api/projects/${project.id}/rotate-token`, { method: 'POST' });
    if (!rotatesOwnSession) return setToken({ value: answer.token, ownSession: null });
    // Sign this browser in again with the new token (other sessions with the old one stay out),
    // and take the new session's CSRF token; until then no other call is made (it would be a 401).
    const renewed = await api('/api/session', { method: 'POST', body: { token: answer.token } })
      .then(() => loadSession())
      .then((now) => now !== null)
      .catch(() => false);
    setToken({ value: answer.token, ownSession: renewed ? 'renewed' : 'ended' });
  }

  return (
    <section class="panel project-keys" aria-labelledby="keys-heading">
      <h2 id="keys-heading">Keys</h2>
      <h3>Ingest key (public)</h3>
      <p class="hint">Sent by every page (it is in the DSN); the allowed origins decide which sites may use it.</p>
      <CodeBlock code={project.ingest_key} label="ingest key" />
      <ConfirmButton
        label="Rotate ingest key"
        confirmLabel="Rotate the ingest key"
        danger
        warning={
          <p>
            Pages and apps that still carry the old key <strong>stop reporting at once</strong> (their events are refused) until they are deployed with the new DSN.
          </p>
        }
        onConfirm={async () => {
          await api(`/api/projects/${project.id}/rotate-ingest-key`, { method: 'POST' });
          await props.onIngestKeyRotated();
        }}
      />
      <h3>Project token (secret)</h3>
      <p class="hint">Opens this project's API and dashboard: scripts, CI source-map uploads, sign-in. Only its hash is stored, so it cannot be shown; rotate it to get a new one.</p>
      {token ? (
        <TokenOnce
          token={token.value}
          title="New project token"
          level={3}
          dismissLabel={token.ownSession === 'ended' ? 'I have copied it — sign in again' : 'I have copied it'}
          onDismiss={() => (token.ownSession === 'ended' ? signOut() : setToken(null))}
        >
          {token.ownSession === 'renewed' && <p>This browser was signed in again with the new token; other dashboard sessions that used the old one are signed out.</p>}
          {token.ownSession === 'ended' && <p class="warning">This dashboard session used the old token and has ended: copy the new token, then sign in with it.</p>}
        </TokenOnce>
      ) : (
        <ConfirmButton
          label="Rotate project token"
          confirmLabel="Rotate the token"
          danger
          warning={
            <>
              <p>
                The old token <strong>stops working at once</strong>: scripts, CI jobs (<code>lookout sourcemaps upload</code>), <code>lookout check</code> and dashboard
                sessions signed in with it are refused until they use the new one. The new token is shown once.
              </p>
              {rotatesOwnSession && <p>You are signed in with this token: this browser will be signed in again with the new one.</p>}
            </>
          }
          onConfirm={rotateToken}
        />
      )}
    </section>
  );
}
