import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api } from '../api.js';
import { dateTime } from '../format.js';
import { ConfirmButton } from './alert-confirm.js';
import { AlertHistory } from './alert-history.js';
import { RuleForm } from './rule-form.js';
import { EnabledBadge, SourceBadge, toggleEditPath, toggleRule } from './rule-list.js';
import { draftOf } from './rule-draft.js';
import { type ApiRule, describeDestination, hasHiddenSecrets, RULE_TYPE_HELP, THRESHOLDS, NUMBER_FIELDS } from './rule-model.js';
import { RuleState, RuleTest } from './rule-state.js';

const rulePath = (projectId: number, ruleId: string) => `/api/${projectId}/alerts/rules/${encodeURIComponent(ruleId)}`;

/** One rule: what it is, what it sees, a test, its history; edit/enable/delete for API rules. */
export function RuleDetail(props: { projectId: number; rule: ApiRule; edit: boolean; enabled?: boolean; onChanged: () => void }) {
  const { route } = useLocation();
  const { rule, projectId } = props;
  const [sent, setSent] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const here = `/alerts/${encodeURIComponent(rule.id)}`;

  if (props.edit && rule.source === 'api') {
    const initial = { ...draftOf(rule), enabled: props.enabled ?? rule.enabled };
    const switching = props.enabled !== undefined && props.enabled !== rule.enabled ? `To ${props.enabled ? 'enable' : 'disable'} the rule, save it. ` : '';
    const secrets = hasHiddenSecrets(rule) ? 'Secrets are never shown: leave a secret field empty to keep the stored one.' : '';
    const notice = switching + secrets || undefined;
    return (
      <RuleForm
        projectId={projectId}
        ruleId={rule.id}
        initial={initial}
        notice={notice}
        onSaved={() => {
          props.onChanged();
          route(here);
        }}
        onCancel={() => route(here)}
      />
    );
  }

  async function toggle() {
    setError(null);
    try {
      if (await toggleRule(projectId, rule)) props.onChanged();
      else route(toggleEditPath(rule));
    } catch (failure) {
      setError((failure as Error).message);
    }
  }

  return (
    <>
      <div class="rule-head">
        <EnabledBadge rule={rule} />
        <SourceBadge rule={rule} />
      </div>
      {rule.source === 'config' ? (
        <p class="notice">This rule comes from the config file (id {rule.id}): it is read-only here. Change it in lookout.config.json / .yaml and restart the collector. You can still send a test and read its history.</p>
      ) : (
        <div class="toolbar">
          <a class="button" href={`${here}?edit=1`}>
            Edit
          </a>
          <button type="button" onClick={toggle}>
            {rule.enabled ? 'Disable' : 'Enable'}
          </button>
          <ConfirmButton
            label="Delete"
            confirmLabel="Delete the rule"
            danger
            warning={<p>Delete “{rule.name}”? It stops alerting at once on every collector. Its history is kept.</p>}
            onConfirm={async () => {
              await api(rulePath(projectId, rule.id), { method: 'DELETE' });
              props.onChanged();
              route('/alerts');
            }}
          />
        </div>
      )}
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      <div class="grid-2">
        <RuleSummary rule={rule} />
        <RuleState projectId={projectId} ruleId={rule.id} enabled={rule.enabled} />
      </div>
      <RuleTest projectId={projectId} ruleId={rule.id} onSent={() => setSent((n) => n + 1)} />
      <AlertHistory projectId={projectId} ruleId={rule.id} refresh={sent} />
    </>
  );
}

function RuleSummary(props: { rule: ApiRule }) {
  const { rule } = props;
  const filters = Object.entries(rule.filters).filter(([, value]) => value !== undefined);
  return (
    <section class="panel" aria-labelledby="summary-heading">
      <h2 id="summary-heading">Definition</h2>
      <dl class="facts">
        <dt>Type</dt>
        <dd>
          <span class="mono">{rule.type}</span> — {RULE_TYPE_HELP[rule.type]}
        </dd>
        {rule.vital && (
          <>
            <dt>Web Vital</dt>
            <dd>{rule.vital}</dd>
          </>
        )}
        {THRESHOLDS[rule.type].fields
          .filter((field) => rule.threshold?.[field] !== undefined)
          .map((field) => (
            <>
              <dt>{NUMBER_FIELDS[field].label}</dt>
              <dd>{rule.threshold![field]}</dd>
            </>
          ))}
        <dt>Filters</dt>
        <dd>{filters.length ? filters.map(([key, value]) => <div class="mono">{`${key}: ${Array.isArray(value) ? value.join(', ') : Object.entries(value).map(([k, v]) => `${k}=${v}`).join(', ')}`}</div>) : 'none: every event'}</dd>
        {rule.type.startsWith('issue.') && (
          <>
            <dt>Noise</dt>
            <dd>
              digest every {rule.digest_minutes} min, cooldown {rule.cooldown_minutes} min
            </dd>
          </>
        )}
        <dt>Destinations</dt>
        <dd>
          <ul class="plain">
            {rule.destinations.map((destination) => (
              <li class="mono">{describeDestination(destination)}</li>
            ))}
          </ul>
          <small class="hint">Secrets (webhook URLs’ paths, signing secrets, passwords) are never shown.</small>
        </dd>
        {rule.updated_at > 0 && (
          <>
            <dt>Changed</dt>
            <dd>{dateTime(rule.updated_at)}</dd>
          </>
        )}
      </dl>
    </section>
  );
}
