import { useState } from 'preact/hooks';
import { api } from '../api.js';
import type { ProjectSummary } from '../session.js';
import { checkOrigins, OriginsField, originLines } from './project-origins.js';
import { TokenOnce } from './project-token.js';
import { TextField } from './rule-fields.js';

type Created = ProjectSummary & { token: string };

/** Admin only: a new project (POST /api/projects); its token is shown once, here. */
export function ProjectCreate(props: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [origins, setOrigins] = useState('*');
  const [errors, setErrors] = useState<{ name?: string; origins?: string }>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    const found = { name: name.trim() ? undefined : 'Name is required.', origins: checkOrigins(origins) };
    setErrors(found);
    setServerError(null);
    if (found.name || found.origins) return;
    setSaving(true);
    try {
      const project = await api<Created>('/api/projects', { method: 'POST', body: { name: name.trim(), allowed_origins: originLines(origins) } });
      setCreated(project);
      setName('');
      setOrigins('*');
      props.onCreated();
    } catch (failure) {
      setServerError((failure as Error).message);
    } finally {
      setSaving(false);
    }
  }

  if (created) {
    return (
      <TokenOnce token={created.token} title={`Project “${created.name}” (#${created.id}) created — its token`} onDismiss={() => setCreated(null)}>
        <p>
          The token opens this project's API and dashboard (sign in with it, or <code>Authorization: Bearer …</code> for scripts and <code>lookout sourcemaps upload</code>).
          Next: <a href={`/projects/${created.id}`}>install the agent with this project's DSN</a>.
        </p>
      </TokenOnce>
    );
  }
  return (
    <form class="panel project-form" onSubmit={submit} noValidate aria-labelledby="create-heading">
      <h2 id="create-heading">New project</h2>
      <TextField id="new-project-name" label="Name" required maxLength={200} value={name} onInput={setName} error={errors.name} placeholder="shop" />
      <OriginsField id="new-project-origins" value={origins} error={errors.origins} onInput={setOrigins} />
      {serverError && (
        <p class="server-error" role="alert">
          The server refused: {serverError}
        </p>
      )}
      <button type="submit" disabled={saving}>
        {saving ? 'Creating…' : 'Create project'}
      </button>
    </form>
  );
}
