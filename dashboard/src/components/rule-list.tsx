import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api } from '../api.js';
import { bodyOf, draftOf } from './rule-draft.js';
import { type ApiRule, describeDestination } from './rule-model.js';

/** Where to go to flip `enabled` when the rule cannot be re-sent as shown (see toggleRule). */
export const toggleEditPath = (rule: ApiRule) => `/alerts/${encodeURIComponent(rule.id)}?edit=1&enabled=${rule.enabled ? '0' : '1'}`;

/**
 * Turns a rule on or off: PUT replaces the whole rule; its hidden secrets are left out and the
 * server keeps the stored ones. Returns false only when the rule has no usable draft.
 */
export async function toggleRule(projectId: number, rule: ApiRule): Promise<boolean> {
  await api(`/api/${projectId}/alerts/rules/${encodeURIComponent(rule.id)}`, { method: 'PUT', body: bodyOf({ ...draftOf(rule), enabled: !rule.enabled }) });
  return true;
}

export function SourceBadge(props: { rule: ApiRule }) {
  return props.rule.source === 'config' ? (
    <span class="badge" title="Defined in the config file: read-only here; change the file and restart the collector.">
      config file · read-only
    </span>
  ) : (
    <span class="badge">dashboard / API</span>
  );
}

export function EnabledBadge(props: { rule: ApiRule }) {
  return <span class={props.rule.enabled ? 'badge good' : 'badge'}>{props.rule.enabled ? 'enabled' : 'disabled'}</span>;
}

/** The project's rules, with enable/disable in place. */
export function RuleList(props: { projectId: number; rules: ApiRule[]; onChanged: () => void }) {
  const { route } = useLocation();
  const [error, setError] = useState<string | null>(null);
  async function toggle(rule: ApiRule) {
    setError(null);
    try {
      if (await toggleRule(props.projectId, rule)) props.onChanged();
      else route(toggleEditPath(rule));
    } catch (failure) {
      setError(`${rule.name}: ${(failure as Error).message}`);
    }
  }
  return (
    <>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      <div class="table-scroll">
        <table class="rule-table">
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Type</th>
              <th scope="col">State</th>
              <th scope="col">Destinations</th>
              <th scope="col">Source</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.rules.map((rule) => (
              <tr key={rule.id}>
                <td>
                  <a href={`/alerts/${encodeURIComponent(rule.id)}`}>{rule.name}</a>
                </td>
                <td class="mono">{rule.type}</td>
                <td>
                  <EnabledBadge rule={rule} />
                </td>
                <td>
                  <ul class="plain">
                    {rule.destinations.map((destination) => (
                      <li class="mono">{describeDestination(destination)}</li>
                    ))}
                  </ul>
                </td>
                <td>
                  <SourceBadge rule={rule} />
                </td>
                <td class="nowrap">
                  {rule.source === 'api' && (
                    <button type="button" onClick={() => toggle(rule)} aria-label={`${rule.enabled ? 'Disable' : 'Enable'} ${rule.name}`}>
                      {rule.enabled ? 'Disable' : 'Enable'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
