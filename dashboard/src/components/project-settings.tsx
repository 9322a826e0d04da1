import { useState } from 'preact/hooks';
import { api } from '../api.js';
import type { ProjectSummary } from '../session.js';
import { checkOrigins, OriginsField, originLines } from './project-origins.js';
import { TextField } from './rule-fields.js';

/** Name and allowed origins (PATCH /api/projects/:id). */
export function ProjectSettings(props: { project: ProjectSummary; onSaved: () => Promise<void> }) {
  const { project } = props;
  const [name, setName] = useState(project.name);
  const [origins, setOrigins] = useState(project.allowed_origins.join('\n'));
  const [errors, setErrors] = useState<{ name?: string; origins?: string }>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [saving, setSaving] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const found = { name: name.trim() ? undefined : 'Name is required.', origins: checkOrigins(origins) };
    setErrors(found);
    setMessage(null);
    if (found.name || found.origins) return;
    setSaving(true);
    try {
      await api(`/api/projects/${project.id}`, { method: 'PATCH', body: { name: name.trim(), allowed_origins: originLines(origins) } });
      await props.onSaved();
      setMessage({ ok: true, text: 'Saved. This collector applies it at once, others on the same ClickHouse within 10 s.' });
    } catch (failure) {
      setMessage({ ok: false, text: `The server refused: ${(failure as Error).message}` });
    } finally {
      setSaving(false);
    }
  }

  return (
    <form class="panel project-form" onSubmit={submit} noValidate aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      <TextField id="project-name" label="Name" required maxLength={200} value={name} onInput={setName} error={errors.name} />
      <OriginsField id="project-origins" value={origins} error={errors.origins} onInput={setOrigins} />
      <div class="toolbar">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save settings'}
        </button>
        <span role="status" class={message ? (message.ok ? 'saved' : 'server-error') : undefined}>
          {message?.text}
        </span>
      </div>
    </form>
  );
}
