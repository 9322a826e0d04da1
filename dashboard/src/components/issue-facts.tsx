/** The issue at a glance: counts, when, which releases — and the per-release table. */
import { count } from '../format.js';
import { Instant } from './issue-list.js';
import { StatusBadge, type IssueDetailAnswer, type ReleaseCounts } from './issue-types.js';

type Issue = IssueDetailAnswer['issue'];

export function IssueFacts(props: { issue: Issue }) {
  const { issue } = props;
  return (
    <dl class="issue-facts">
      <Fact term="Status">
        <StatusBadge issue={issue} />
      </Fact>
      <Fact term="Type">
        <span class="mono">{issue.type || '—'}</span>
      </Fact>
      <Fact term="Events">{count(issue.events)}</Fact>
      <Fact term="Users">{count(issue.users)}</Fact>
      <Fact term="First seen">
        <Instant ms={issue.first_seen} />
      </Fact>
      <Fact term="Last seen">
        <Instant ms={issue.last_seen} />
      </Fact>
      <Fact term="First release">{issue.first_release ?? <span class="muted">none</span>}</Fact>
      <Fact term="Releases">{count(new Set(issue.releases.map((row) => row.release ?? '')).size)}</Fact>
    </dl>
  );
}

function Fact(props: { term: string; children: preact.ComponentChildren }) {
  return (
    <div>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

export function ReleaseTable(props: { releases: ReleaseCounts[] }) {
  if (props.releases.length === 0) return <p class="muted">No events counted yet.</p>;
  return (
    <table class="release-counts">
      <thead>
        <tr>
          <th>Release</th>
          <th>Environment</th>
          <th class="num">Events</th>
          <th class="num">Users</th>
          <th>First seen</th>
          <th>Last seen</th>
        </tr>
      </thead>
      <tbody>
        {props.releases.map((row) => (
          <tr>
            <td class="mono">{row.release ?? <span class="muted">no release</span>}</td>
            <td>{row.environment ?? <span class="muted">none</span>}</td>
            <td class="num">{count(row.events)}</td>
            <td class="num">{count(row.users)}</td>
            <td>
              <Instant ms={row.first_seen_in_range} />
            </td>
            <td>
              <Instant ms={row.last_seen} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
