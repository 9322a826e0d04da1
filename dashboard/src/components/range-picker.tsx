import { useState } from 'preact/hooks';
import type { RangeChoice } from '../time-range.js';

const toInput = (ms: number) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const fromInput = (value: string) => new Date(value).getTime();

/** 1 h, 24 h, 7 d, or a custom from–to (local time). */
export function RangePicker(props: { value: RangeChoice; onChange: (range: RangeChoice) => void }) {
  const now = Date.now();
  const [since, setSince] = useState(toInput(props.value.kind === 'custom' ? props.value.since : now - 86_400_000));
  const [until, setUntil] = useState(toInput(props.value.kind === 'custom' ? props.value.until : now));
  return (
    <div class="range-picker" role="group" aria-label="Time range">
      {(['1h', '24h', '7d'] as const).map((kind) => (
        <button type="button" aria-pressed={props.value.kind === kind} onClick={() => props.onChange({ kind })}>
          {kind === '1h' ? '1 h' : kind === '24h' ? '24 h' : '7 d'}
        </button>
      ))}
      <form
        class="custom-range"
        onSubmit={(event) => {
          event.preventDefault();
          const from = fromInput(since);
          const to = fromInput(until);
          if (Number.isFinite(from) && Number.isFinite(to) && from < to) props.onChange({ kind: 'custom', since: from, until: to });
        }}
      >
        <label>
          From <input type="datetime-local" value={since} onInput={(event) => setSince(event.currentTarget.value)} />
        </label>
        <label>
          To <input type="datetime-local" value={until} onInput={(event) => setUntil(event.currentTarget.value)} />
        </label>
        <button type="submit" aria-pressed={props.value.kind === 'custom'}>
          Apply
        </button>
      </form>
    </div>
  );
}
