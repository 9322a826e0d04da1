import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';

/**
 * A view's <main>: its heading, the page title, and `data-ready` once its first data is on
 * screen (tests and bench:dashboard wait for it).
 */
export function View(props: { title: string; ready: boolean; actions?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${props.title} · Lookout`;
  }, [props.title]);
  return (
    <main id="main" tabIndex={-1} data-ready={props.ready ? 'true' : undefined} aria-busy={!props.ready}>
      <div class="view-head">
        <h1>{props.title}</h1>
        {props.actions && <div class="view-actions">{props.actions}</div>}
      </div>
      {props.children}
    </main>
  );
}

/** An API failure, said plainly, with a retry. */
export function Failure(props: { error: Error | undefined; retry?: () => void }) {
  if (!props.error) return null;
  return (
    <p class="failure" role="alert">
      {props.error.message}
      {props.retry && (
        <button type="button" onClick={props.retry}>
          Retry
        </button>
      )}
    </p>
  );
}

/** What to do next when a view has nothing to show yet. */
export function Empty(props: { title: string; children: ComponentChildren }) {
  return (
    <section class="empty" aria-label={props.title}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}
