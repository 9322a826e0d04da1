import { type DestinationDraft, type DraftErrors, emptyDestination } from './rule-draft.js';
import { NUMBER_FIELDS } from './rule-model.js';
import { Field, TextField } from './rule-fields.js';

const TYPE_LABELS: Record<DestinationDraft['type'], string> = { slack: 'Slack', webhook: 'Webhook (signed JSON)', icinga2: 'Icinga2 (passive check)' };

/** The rule's destinations (one to ten), each with the fields its type needs. */
export function RuleDestinations(props: { destinations: DestinationDraft[]; errors: DraftErrors; onChange: (destinations: DestinationDraft[]) => void }) {
  const replace = (index: number, next: DestinationDraft) => props.onChange(props.destinations.map((old, i) => (i === index ? next : old)));
  return (
    <fieldset class="rule-section">
      <legend>Destinations</legend>
      {props.errors.destinations && <p class="field-error">{props.errors.destinations}</p>}
      {props.destinations.map((destination, index) => (
        <div class="destination" key={index}>
          <div class="destination-head">
            <h3>Destination {index + 1}</h3>
            <button type="button" onClick={() => props.onChange(props.destinations.filter((_, i) => i !== index))} aria-label={`Remove destination ${index + 1}`}>
              Remove
            </button>
          </div>
          <DestinationFields index={index} destination={destination} errors={props.errors} onChange={(next) => replace(index, next)} />
        </div>
      ))}
      {props.destinations.length < 10 && (
        <button type="button" onClick={() => props.onChange([...props.destinations, emptyDestination()])}>
          Add destination
        </button>
      )}
    </fieldset>
  );
}

function DestinationFields(props: { index: number; destination: DestinationDraft; errors: DraftErrors; onChange: (next: DestinationDraft) => void }) {
  const { destination, index } = props;
  const id = (field: string) => `destination-${index}-${field}`;
  const error = (field: string) => props.errors[`destinations.${index}.${field}`];
  const set = (field: keyof DestinationDraft) => (value: string) => props.onChange({ ...destination, [field]: value });
  const text = (field: keyof DestinationDraft, label: string, extra: { required?: boolean; hint?: string; type?: 'text' | 'password' | 'url'; placeholder?: string } = {}) => (
    <TextField id={id(field)} label={label} value={String(destination[field] ?? '')} onInput={set(field)} error={error(field)} {...extra} />
  );
  // Editing: the API never sends secrets back; left empty, the stored one is kept.
  const secretHint = (what: string) => (destination.redacted ? `Stored (${destination.redacted}): leave empty to keep it, or type a new ${what}.` : undefined);
  return (
    <div class="destination-fields">
      <Field id={id('type')} label="Type">
        {(describedBy) => (
          <select id={id('type')} value={destination.type} aria-describedby={describedBy} onChange={(event) => props.onChange({ ...emptyDestination(event.currentTarget.value as DestinationDraft['type']), name: destination.name })}>
            {Object.entries(TYPE_LABELS).map(([value, label]) => (
              <option value={value}>{label}</option>
            ))}
          </select>
        )}
      </Field>
      {text('name', 'Name', { hint: 'Shown in the history instead of the host (optional).' })}
      {destination.type === 'slack' &&
        text('webhook_url', 'Webhook URL', {
          required: !destination.redacted,
          type: 'password',
          placeholder: 'https://hooks.slack.com/services/…',
          hint: secretHint('webhook URL') ?? 'Slack → Apps → Incoming Webhooks. The URL is a secret: the server never shows it again.',
        })}
      {destination.type === 'webhook' && (
        <>
          {text('url', 'URL', { required: true, type: 'url', placeholder: 'https://ops.example.com/lookout' })}
          {text('secret', 'Signing secret', { required: !destination.redacted, type: 'password', hint: secretHint('secret') ?? 'At least 16 characters; requests carry an HMAC-SHA256 signature made with it.' })}
        </>
      )}
      {destination.type === 'icinga2' && (
        <>
          {text('url', 'API URL', { required: true, type: 'url', placeholder: 'https://icinga.example.com:5665' })}
          {text('host', 'Host', { required: true, hint: 'The Icinga2 host object.' })}
          {text('service', 'Service', { required: true, hint: 'The passive service that receives the results.' })}
          {text('username', 'API user')}
          {text('password', 'Password', { type: 'password', hint: secretHint('password') ?? 'With the API user; or use a client certificate below.' })}
          {text('cert_file', 'Client certificate file', { hint: 'A path on the collector.' })}
          {text('key_file', 'Client key file', { hint: 'A path on the collector.' })}
          {text('ca_file', 'CA file', { hint: 'A path on the collector.' })}
          {text('ttl_seconds', NUMBER_FIELDS.ttl_seconds.label, { hint: NUMBER_FIELDS.ttl_seconds.hint })}
        </>
      )}
    </div>
  );
}
