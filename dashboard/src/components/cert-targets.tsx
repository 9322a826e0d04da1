/** The targets of a project with their latest check: state, days left, verdicts; check now and remove. */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ago } from '../format.js';
import { type CertTargetRow, daysText, StateBadge } from './cert-types.js';

export function CertTargets(props: { projectId: number; targets: CertTargetRow[]; selected: string | null; onChanged: () => void }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState('');
  const act = async (target: CertTargetRow, method: 'POST' | 'DELETE') => {
    if (method === 'DELETE' && !confirm(`Stop checking ${target.label}?`)) return;
    setBusy(target.id);
    setError('');
    try {
      const path = `/api/${props.projectId}/certs/targets/${encodeURIComponent(target.id)}`;
      await api(method === 'POST' ? `${path}/check` : path, { method });
      props.onChanged();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section class="panel" aria-labelledby="cert-targets-heading">
      <h2 id="cert-targets-heading">Targets</h2>
      {error && (
        <p class="failure" role="alert">
          {error}
        </p>
      )}
      <table class="cert-targets">
        <thead>
          <tr>
            <th scope="col">Target</th>
            <th scope="col">State</th>
            <th scope="col">Days left</th>
            <th scope="col">Addresses</th>
            <th scope="col">Problems</th>
            <th scope="col">Checked</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.targets.map((target) => {
            const problems = target.check?.addresses.flatMap((a) => a.verdicts.filter((v) => v.severity !== 'info')) ?? [];
            const codes = [...new Set(problems.map((v) => v.code))];
            return (
              <tr key={target.id} aria-current={props.selected === target.id ? 'true' : undefined}>
                <th scope="row">
                  <a href={`/certificates?target=${encodeURIComponent(target.id)}`}>{target.label}</a>
                  {target.server_name && <span class="muted"> as {target.server_name}</span>}
                  {target.source === 'config' && <span class="badge">config file</span>}
                </th>
                <td>{target.check ? <StateBadge state={target.check.state} /> : <span class="muted">not checked yet</span>}</td>
                <td class="num">{target.check ? daysText(target.check.min_days_left) : '–'}</td>
                <td class="num">{target.check?.addresses.length ?? '–'}</td>
                <td>{codes.length ? codes.map((code) => <span class={`badge ${problems.some((v) => v.code === code && v.severity === 'critical') ? 'bad' : 'ni'}`}>{code.replaceAll('_', ' ')}</span>) : target.check ? 'none' : '–'}</td>
                <td>{target.check ? ago(target.check.checked_at) : '–'}</td>
                <td class="cert-actions">
                  <button type="button" disabled={busy === target.id} onClick={() => act(target, 'POST')} aria-label={`Check ${target.label} now`}>
                    {busy === target.id ? 'Checking…' : 'Check now'}
                  </button>
                  {target.source === 'api' && (
                    <button type="button" class="danger" disabled={busy === target.id} onClick={() => act(target, 'DELETE')} aria-label={`Remove ${target.label}`}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
