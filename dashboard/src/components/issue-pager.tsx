import { useState } from 'preact/hooks';

/**
 * Keyset pages: the cursors that led to the current page, newest last, so "Previous" pops one.
 * A new `resetKey` (other filters, other project) starts again at the first page — computed,
 * not reset in an effect, so the old cursor is never sent with the new filters.
 */
export function useCursorStack(resetKey: string) {
  const [state, setState] = useState<{ key: string; cursors: string[] }>({ key: resetKey, cursors: [] });
  const cursors = state.key === resetKey ? state.cursors : [];
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length + 1,
    next: (cursor: string) => setState({ key: resetKey, cursors: [...cursors, cursor] }),
    previous: () => setState({ key: resetKey, cursors: cursors.slice(0, -1) }),
  };
}

/** Previous / next page buttons for a cursor stack. */
export function Pager(props: { label: string; page: number; nextCursor: string | null | undefined; onNext: (cursor: string) => void; onPrevious: () => void; busy?: boolean }) {
  if (props.page === 1 && !props.nextCursor) return null;
  return (
    <nav class="pager toolbar" aria-label={props.label}>
      <button type="button" onClick={props.onPrevious} disabled={props.page === 1 || props.busy}>
        Previous page
      </button>
      <span class="muted">Page {props.page}</span>
      <button type="button" onClick={() => props.nextCursor && props.onNext(props.nextCursor)} disabled={!props.nextCursor || props.busy}>
        Next page
      </button>
    </nav>
  );
}
