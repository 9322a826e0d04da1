import type { ComponentChildren } from 'preact';

/**
 * A labelled form field: its hint and its error are tied to the input (aria-describedby), so a
 * screen reader reads why the field was refused.
 */
export function Field(props: { id: string; label: string; hint?: ComponentChildren; error?: string; required?: boolean; children: (describedBy: string | undefined, invalid: boolean) => ComponentChildren }) {
  const hintId = props.hint ? `${props.id}-hint` : '';
  const errorId = props.error ? `${props.id}-error` : '';
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <label for={props.id}>
        {props.label}
        {props.required && (
          <span class="required" aria-hidden="true">
            {' '}
            *
          </span>
        )}
      </label>
      {props.children(describedBy, !!props.error)}
      {props.hint && (
        <small id={hintId} class="hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <small id={errorId} class="field-error">
          {props.error}
        </small>
      )}
    </div>
  );
}

/** A text input inside a Field. */
export function TextField(props: {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  hint?: ComponentChildren;
  error?: string;
  required?: boolean;
  type?: 'text' | 'password' | 'url';
  placeholder?: string;
  maxLength?: number;
  inputMode?: 'decimal' | 'numeric';
  autoComplete?: string;
}) {
  return (
    <Field id={props.id} label={props.label} hint={props.hint} error={props.error} required={props.required}>
      {(describedBy, invalid) => (
        <input
          id={props.id}
          type={(props.type ?? 'text') as 'text'}
          value={props.value}
          placeholder={props.placeholder}
          maxLength={props.maxLength}
          inputMode={props.inputMode}
          autoComplete={props.autoComplete ?? 'off'}
          aria-describedby={describedBy}
          aria-invalid={invalid ? 'true' : undefined}
          aria-required={props.required ? 'true' : undefined}
          onInput={(event) => props.onInput(event.currentTarget.value)}
        />
      )}
    </Field>
  );
}

/** A multi-line input inside a Field (one value a line). */
export function LinesField(props: { id: string; label: string; value: string; onInput: (value: string) => void; hint?: ComponentChildren; error?: string; rows?: number }) {
  return (
    <Field id={props.id} label={props.label} hint={props.hint} error={props.error}>
      {(describedBy, invalid) => (
        <textarea
          id={props.id}
          rows={props.rows ?? 2}
          value={props.value}
          aria-describedby={describedBy}
          aria-invalid={invalid ? 'true' : undefined}
          onInput={(event) => props.onInput(event.currentTarget.value)}
        />
      )}
    </Field>
  );
}
