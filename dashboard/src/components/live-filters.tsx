/**
 * The live tail's filters. Kinds and an exact route are the feed's own filters (they go into the
 * socket's URL); "route contains" is applied here, to the lines already received too.
 */
export const KINDS = [
  ['error', 'Errors'],
  ['vital', 'Vitals'],
  ['navigation', 'Navigations'],
] as const;
export type Kind = (typeof KINDS)[number][0];

export interface LiveFilterState {
  kinds: Kind[];
  route: string;
  /** `exact`: the feed filters on the route template; `contains`: this page filters on part of it. */
  match: 'contains' | 'exact';
}

export function LiveFilters(props: { value: LiveFilterState; onChange: (next: LiveFilterState) => void }) {
  const { value, onChange } = props;
  const toggle = (kind: Kind, on: boolean) => onChange({ ...value, kinds: on ? KINDS.map(([k]) => k).filter((k) => k === kind || value.kinds.includes(k)) : value.kinds.filter((k) => k !== kind) });
  return (
    <div class="toolbar live-filters">
      <fieldset class="live-kinds">
        <legend class="visually-hidden">Kinds of events</legend>
        {KINDS.map(([kind, label]) => (
          <label>
            <input type="checkbox" checked={value.kinds.includes(kind)} onChange={(event) => toggle(kind, event.currentTarget.checked)} />
            {label}
          </label>
        ))}
      </fieldset>
      <label for="live-route">Route</label>
      <select aria-label="How the route matches" value={value.match} onChange={(event) => onChange({ ...value, match: event.currentTarget.value as LiveFilterState['match'] })}>
        <option value="contains">contains</option>
        <option value="exact">is exactly</option>
      </select>
      <input
        id="live-route"
        type="search"
        placeholder={value.match === 'exact' ? '/users/:id' : 'users'}
        value={value.route}
        maxLength={256}
        onInput={(event) => onChange({ ...value, route: event.currentTarget.value })}
      />
    </div>
  );
}
