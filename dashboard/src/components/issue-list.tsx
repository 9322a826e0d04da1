/** The Issues table: one row per issue, checkboxes for bulk changes, a 24-hour sparkline each. */
import { ago, count, dateTime } from '../format.js';
import { Sparkline } from './sparkline.js';
import { StatusBadge, type IssueListItem, type IssueStatus } from './issue-types.js';

export function IssueTable(props: { issues: IssueListItem[]; selected: Set<string>; onSelect: (ids: string[], on: boolean) => void }) {
  const { issues, selected } = props;
  const allOn = issues.length > 0 && issues.every((issue) => selected.has(issue.id));
  return (
    <table class="issue-table">
      <thead>
        <tr>
          <th class="pick">
            <input
              type="checkbox"
              aria-label="Select all issues on this page"
              checked={allOn}
              onChange={() => props.onSelect(issues.map((issue) => issue.id), !allOn)}
            />
          </th>
          <th>Issue</th>
          <th>Status</th>
          <th class="num">Events</th>
          <th class="num">Users</th>
          <th>First seen</th>
          <th>Last seen</th>
          <th>Last 24 h</th>
        </tr>
      </thead>
      <tbody>
        {issues.map((issue) => (
          <IssueRow issue={issue} selected={selected.has(issue.id)} onSelect={(on) => props.onSelect([issue.id], on)} />
        ))}
      </tbody>
    </table>
  );
}

function IssueRow(props: { issue: IssueListItem; selected: boolean; onSelect: (on: boolean) => void }) {
  const { issue } = props;
  return (
    <tr class={props.selected ? 'selected' : undefined}>
      <td class="pick">
        <input type="checkbox" aria-label={`Select ${issue.title}`} checked={props.selected} onChange={(event) => props.onSelect(event.currentTarget.checked)} />
      </td>
      <td class="issue-cell">
        <a class="issue-title" href={`/issues/${encodeURIComponent(issue.id)}`}>
          {issue.title}
        </a>
        <div class="issue-culprit mono muted">{issue.culprit || '—'}</div>
      </td>
      <td>
        <StatusBadge issue={issue} />
      </td>
      <td class="num">{count(issue.events)}</td>
      <td class="num">{count(issue.users)}</td>
      <td class="nowrap">
        <Instant ms={issue.first_seen} />
      </td>
      <td class="nowrap">
        <Instant ms={issue.last_seen} />
      </td>
      <td>
        <Sparkline values={issue.sparkline_24h} label={`${count(sum(issue.sparkline_24h))} events in the last 24 hours`} />
      </td>
    </tr>
  );
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** "3 h ago", with the exact time for those who hover or use a screen reader. */
export function Instant(props: { ms: number | null | undefined }) {
  if (!props.ms) return <span class="muted">—</span>;
  const exact = dateTime(props.ms);
  return (
    <time dateTime={new Date(props.ms).toISOString()} title={exact}>
      {ago(props.ms)}
    </time>
  );
}

/** What can be done to the checked issues at once. */
export function BulkBar(props: { selected: number; busy: boolean; onStatus: (status: IssueStatus) => void; onClear: () => void }) {
  const none = props.selected === 0 || props.busy;
  return (
    <div class="bulk-bar toolbar" role="group" aria-label="Change the selected issues">
      <span class="muted" aria-live="polite">
        {props.selected === 0 ? 'Select issues to change them' : `${count(props.selected)} selected`}
      </span>
      <button type="button" disabled={none} onClick={() => props.onStatus('resolved')}>
        Resolve
      </button>
      <button type="button" disabled={none} onClick={() => props.onStatus('ignored')}>
        Ignore
      </button>
      <button type="button" disabled={none} onClick={() => props.onStatus('unresolved')}>
        Unresolve
      </button>
      {props.selected > 0 && (
        <button type="button" disabled={props.busy} onClick={props.onClear}>
          Clear selection
        </button>
      )}
    </div>
  );
}
