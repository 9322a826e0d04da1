/** The Issues list's filters and sort, read from and written to the URL query (shareable links). */
import { query } from '../api.js';
import { STATUS_LABEL, type IssueStatus } from './issue-types.js';

export interface IssueFilters {
  /** An issue status, or `all`; absent from the URL means unresolved (as in Sentry). */
  status: string;
  release: string;
  environment: string;
  browser: string;
  q: string;
  sort: string;
}

const DEFAULTS: IssueFilters = { status: 'unresolved', release: '', environment: '', browser: '', q: '', sort: 'last_seen' };
const SORTS: [string, string][] = [
  ['last_seen', 'Last seen'],
  ['first_seen', 'First seen'],
  ['events', 'Events'],
  ['users', 'Users'],
];
const STATUSES = Object.keys(STATUS_LABEL) as IssueStatus[];

export function readFilters(params: Record<string, string>): IssueFilters {
  const pick = (key: keyof IssueFilters) => (typeof params[key] === 'string' ? params[key] : DEFAULTS[key]);
  const status = pick('status');
  const sort = pick('sort');
  return {
    status: status === 'all' || STATUSES.includes(status as IssueStatus) ? status : DEFAULTS.status,
    release: pick('release'),
    environment: pick('environment'),
    browser: pick('browser'),
    q: pick('q'),
    sort: SORTS.some(([value]) => value === sort) ? sort : DEFAULTS.sort,
  };
}

/** The URL of the list with these filters; defaults are left out so the plain /issues stays plain. */
export function filtersUrl(path: string, filters: IssueFilters): string {
  const differing = Object.fromEntries(Object.entries(filters).map(([key, value]) => [key, value === DEFAULTS[key as keyof IssueFilters] ? undefined : value]));
  return `${path}${query(differing)}`;
}

/** The API's query for these filters (its own spelling: no status means all). */
export const apiFilters = (filters: IssueFilters) => ({ ...filters, status: filters.status === 'all' ? undefined : filters.status });

/** Anything narrower than the default list? (decides which empty state to show) */
export const narrowed = (filters: IssueFilters) => filters.release || filters.environment || filters.browser || filters.q || filters.status !== DEFAULTS.status;

export function FilterBar(props: { filters: IssueFilters; releases: string[]; browsers: string[]; onChange: (patch: Partial<IssueFilters>) => void }) {
  const { filters, onChange } = props;
  const text = (key: 'q' | 'environment' | 'browser') => (event: Event) => onChange({ [key]: (event.currentTarget as HTMLInputElement).value.trim() });
  return (
    <form
      class="issue-filters toolbar"
      role="search"
      aria-label="Filter issues"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        onChange({ q: String(form.get('q') ?? '').trim(), environment: String(form.get('environment') ?? '').trim(), browser: String(form.get('browser') ?? '').trim() });
      }}
    >
      <label>
        Search
        <input type="search" name="q" value={filters.q} onChange={text('q')} placeholder="title, culprit or issue id" maxLength={200} />
      </label>
      <label>
        Status
        <select value={filters.status} onChange={(event) => onChange({ status: event.currentTarget.value })}>
          <option value="all">All</option>
          {STATUSES.map((status) => (
            <option value={status}>{STATUS_LABEL[status]}</option>
          ))}
        </select>
      </label>
      <label>
        Release
        <select value={filters.release} onChange={(event) => onChange({ release: event.currentTarget.value })}>
          <option value="">All releases</option>
          {withCurrent(props.releases, filters.release).map((release) => (
            <option value={release}>{release}</option>
          ))}
        </select>
      </label>
      <label>
        Environment
        <input name="environment" value={filters.environment} onChange={text('environment')} placeholder="any" size={12} maxLength={200} />
      </label>
      <label>
        Browser
        <input name="browser" list="issue-browsers" value={filters.browser} onChange={text('browser')} placeholder="any" size={10} maxLength={100} />
        <datalist id="issue-browsers">
          {props.browsers.map((browser) => (
            <option value={browser} />
          ))}
        </datalist>
      </label>
      <label>
        Sort by
        <select value={filters.sort} onChange={(event) => onChange({ sort: event.currentTarget.value })}>
          {SORTS.map(([value, label]) => (
            <option value={value}>{label}</option>
          ))}
        </select>
      </label>
      <button type="submit">Apply</button>
      {narrowed(filters) && (
        <button type="button" onClick={() => onChange({ ...DEFAULTS })}>
          Clear filters
        </button>
      )}
    </form>
  );
}

/** A shared link may name a release older than the list: keep it selectable. */
const withCurrent = (releases: string[], current: string) => (current && !releases.includes(current) ? [current, ...releases] : releases);
