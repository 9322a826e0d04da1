import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A button whose action waits for a second, explicit click after a warning that says what will
 * happen (delete a rule, rotate a key). Used by the Alerts and Projects views.
 */
export function ConfirmButton(props: { label: string; confirmLabel: string; warning: ComponentChildren; onConfirm: () => Promise<unknown>; danger?: boolean }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  // Focus follows the step: to the confirm button when asked, back to the opener when done.
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) confirm.current?.focus();
    else if (wasAsking.current) opener.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  const close = () => {
    setAsking(false);
    setError(null);
  };
  async function run() {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      setAsking(false);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (!asking) {
    return (
      <button type="button" ref={opener} class={props.danger ? 'danger' : undefined} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  }
  return (
    <div class="confirm" role="group" aria-label={`Confirm: ${props.label}`} onKeyDown={(event) => event.key === 'Escape' && close()}>
      <div class="confirm-warning">{props.warning}</div>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      <div class="toolbar">
        <button type="button" ref={confirm} class={props.danger ? 'danger solid' : 'primary'} disabled={busy} onClick={run}>
          {busy ? 'Working…' : props.confirmLabel}
        </button>
        <button type="button" disabled={busy} onClick={close}>
          Cancel
        </button>
      </div>
    </div>
  );
}
