/** The issue's events, newest first, a page at a time. Everything from the event is text. */
import { query } from '../api.js';
import { dateTime } from '../format.js';
import { useApi } from '../use-api.js';
import { Pager, useCursorStack } from './issue-pager.js';
import { nameVersion, type ErrorEvent } from './issue-types.js';
import { Failure } from './view.js';

const PAGE_SIZE = 20;

export function IssueEvents(props: { projectId: number; issueId: string }) {
  const base = `/api/${props.projectId}/issues/${encodeURIComponent(props.issueId)}/events`;
  const pages = useCursorStack(base);
  const events = useApi<{ events: ErrorEvent[]; next_cursor: string | null }>(`${base}${query({ limit: PAGE_SIZE, cursor: pages.cursor })}`);
  const rows = events.data?.events ?? [];
  return (
    <div class="issue-events">
      <Failure error={events.error} retry={events.reload} />
      {events.data && rows.length === 0 && <p class="muted">No events stored for this issue.</p>}
      {rows.length > 0 && (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th>Time</th>
                <th>Release</th>
                <th>Browser</th>
                <th>OS</th>
                <th>URL</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((event) => (
                <tr>
                  <td class="nowrap">{dateTime(event.timestamp)}</td>
                  <td class="mono">{event.release ?? '—'}</td>
                  <td>{nameVersion(event.browser)}</td>
                  <td>{nameVersion(event.os)}</td>
                  <td class="mono event-url">{event.url}</td>
                  <td class="event-message">{event.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager label="Event pages" page={pages.page} nextCursor={events.data?.next_cursor} onNext={pages.next} onPrevious={pages.previous} busy={events.loading} />
    </div>
  );
}
