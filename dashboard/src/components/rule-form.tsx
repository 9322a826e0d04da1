import { useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { RuleDestinations } from './rule-destinations.js';
import { Field, LinesField, TextField } from './rule-fields.js';
import { bodyOf, checkDraft, type DraftErrors, type RuleDraft } from './rule-draft.js';
import { type ApiRule, FILTER_LISTS, isIssueRule, NUMBER_FIELDS, RULE_TYPE_HELP, RULE_TYPES, type RuleType, THRESHOLDS, VITALS } from './rule-model.js';

const FILTER_HINTS = {
  environment: 'e.g. production',
  release: 'e.g. shop@1.4.2',
  route: 'e.g. /checkout or /users/:id',
  browser: 'As the collector reports them: Chrome, Firefox, Mobile Safari…',
};

/**
 * Create or edit a rule. Client-side checks catch the obvious; the server validates for real and
 * its 400 message is shown next to the buttons.
 */
export function RuleForm(props: { projectId: number; ruleId: string | null; initial: RuleDraft; notice?: string; onSaved: (rule: ApiRule) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState(props.initial);
  const [errors, setErrors] = useState<DraftErrors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const summary = useRef<HTMLDivElement>(null);
  const set = <K extends keyof RuleDraft>(key: K, value: RuleDraft[K]) => setDraft((old) => ({ ...old, [key]: value }));

  async function submit(event: Event) {
    event.preventDefault();
    const found = checkDraft(draft);
    setErrors(found);
    setServerError(null);
    if (Object.keys(found).length) {
      summary.current?.focus();
      return;
    }
    setSaving(true);
    const path = props.ruleId ? `/api/${props.projectId}/alerts/rules/${encodeURIComponent(props.ruleId)}` : `/api/${props.projectId}/alerts/rules`;
    try {
      const answer = await api<{ rule: ApiRule }>(path, { method: props.ruleId ? 'PUT' : 'POST', body: bodyOf(draft) });
      props.onSaved(answer.rule);
    } catch (error) {
      setServerError((error as Error).message);
      summary.current?.focus();
    } finally {
      setSaving(false);
    }
  }

  const errorCount = Object.keys(errors).length;
  return (
    <form class="panel rule-form" onSubmit={submit} noValidate aria-label={props.ruleId ? 'Edit alert rule' : 'New alert rule'}>
      {props.notice && <p class="notice">{props.notice}</p>}
      <div ref={summary} tabIndex={-1} class="form-summary" role="alert">
        {errorCount > 0 && <p class="field-error">Fix {errorCount === 1 ? 'the field' : `the ${errorCount} fields`} marked below.</p>}
        {serverError && <p class="server-error">The server refused the rule: {serverError}</p>}
      </div>
      <fieldset class="rule-section">
        <legend>Rule</legend>
        <TextField id="rule-name" label="Name" required maxLength={200} value={draft.name} onInput={(value) => set('name', value)} error={errors.name} />
        <Field id="rule-type" label="Type" hint={RULE_TYPE_HELP[draft.type]}>
          {(describedBy) => (
            <select id="rule-type" value={draft.type} aria-describedby={describedBy} onChange={(event) => set('type', event.currentTarget.value as RuleType)}>
              {RULE_TYPES.map((type) => (
                <option value={type}>{type}</option>
              ))}
            </select>
          )}
        </Field>
        <label class="check">
          <input type="checkbox" checked={draft.enabled} onChange={(event) => set('enabled', event.currentTarget.checked)} />
          Enabled
        </label>
      </fieldset>
      <ThresholdFields draft={draft} errors={errors} onChange={(next) => setDraft(next)} />
      <fieldset class="rule-section">
        <legend>Filters</legend>
        <p class="hint">All optional; every filter given must match. One value a line.</p>
        <div class="field-grid">
          {FILTER_LISTS.map((key) => (
            <LinesField id={`filter-${key}`} label={key[0].toUpperCase() + key.slice(1)} hint={FILTER_HINTS[key]} value={draft.filters[key]} onInput={(value) => set('filters', { ...draft.filters, [key]: value })} />
          ))}
          <LinesField id="filter-tags" label="Tags" hint="key=value, one a line" value={draft.filters.tags} error={errors['filters.tags']} onInput={(value) => set('filters', { ...draft.filters, tags: value })} />
        </div>
      </fieldset>
      <RuleDestinations destinations={draft.destinations} errors={errors} onChange={(destinations) => set('destinations', destinations)} />
      <div class="toolbar">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : props.ruleId ? 'Save rule' : 'Create rule'}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The numbers the chosen type reads (and, for issue rules, the noise settings). */
function ThresholdFields(props: { draft: RuleDraft; errors: DraftErrors; onChange: (draft: RuleDraft) => void }) {
  const { draft, errors } = props;
  const { fields, required } = THRESHOLDS[draft.type];
  const number = (id: string, spec: keyof typeof NUMBER_FIELDS, value: string, error: string | undefined, isRequired: boolean, onInput: (value: string) => void) => (
    <TextField id={id} label={NUMBER_FIELDS[spec].label} hint={NUMBER_FIELDS[spec].hint} value={value} error={error} required={isRequired} inputMode={NUMBER_FIELDS[spec].integer ? 'numeric' : 'decimal'} onInput={onInput} />
  );
  if (!fields.length && !isIssueRule(draft.type)) return null;
  return (
    <fieldset class="rule-section">
      <legend>{fields.length ? 'Threshold' : 'Noise control'}</legend>
      <div class="field-grid">
        {draft.type === 'vital.threshold' && (
          <Field id="rule-vital" label="Web Vital" required>
            {(describedBy) => (
              <select id="rule-vital" value={draft.vital} aria-describedby={describedBy} onChange={(event) => props.onChange({ ...draft, vital: event.currentTarget.value })}>
                {VITALS.map((vital) => (
                  <option value={vital}>{vital}</option>
                ))}
              </select>
            )}
          </Field>
        )}
        {fields.map((field) =>
          number(`threshold-${field}`, field, draft.threshold[field], errors[`threshold.${field}`], required.includes(field), (value) => props.onChange({ ...draft, threshold: { ...draft.threshold, [field]: value } })),
        )}
        {isIssueRule(draft.type) && (
          <>
            {number('rule-digest', 'digest_minutes', draft.digest_minutes, errors.digest_minutes, false, (value) => props.onChange({ ...draft, digest_minutes: value }))}
            {number('rule-cooldown', 'cooldown_minutes', draft.cooldown_minutes, errors.cooldown_minutes, false, (value) => props.onChange({ ...draft, cooldown_minutes: value }))}
          </>
        )}
      </div>
    </fieldset>
  );
}
