/**
 * Live: the project's events as they are stored, newest on top — pause to read (the socket stays
 * open and counts what arrives), filter by kind and route, and see the connection's state.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { query } from '../api.js';
import { type Line, type LiveFeed, MAX_LINES, type Status, useLiveFeed } from '../components/live-feed.js';
import { KINDS, LiveFilters, type LiveFilterState } from '../components/live-filters.js';
import { LiveLine } from '../components/live-line.js';
import { Empty, View } from '../components/view.js';
import { count } from '../format.js';
import { useApp } from '../session.js';

/** `value`, once it has stayed the same for `delayMs`: typing a route does not reconnect per keystroke. */
function useSettled<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

/** The socket URL carries the filters the feed applies itself: kinds (unless all) and an exact route. */
function feedUrl(projectId: number, filters: LiveFilterState): string | null {
  if (filters.kinds.length === 0) return null;
  const kind = filters.kinds.length === KINDS.length ? undefined : filters.kinds.join(',');
  const route = filters.match === 'exact' ? filters.route.trim() : undefined;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/api/${projectId}/live${query({ kind, route })}`;
}

/** The same filters on lines already on screen, and "route contains" (which the feed has not). */
function shows(line: Line, filters: LiveFilterState): boolean {
  if (line.kind === 'notice') return true;
  const { event } = line;
  if (!filters.kinds.includes(event.kind)) return false;
  const route = filters.route.trim();
  if (!route) return true;
  const routes = [event.route ?? '', event.from_route ?? ''];
  return filters.match === 'exact' ? event.route === route : routes.some((candidate) => candidate.toLowerCase().includes(route.toLowerCase()));
}

export function Live() {
  const { projectId } = useApp();
  const [filters, setFilters] = useState<LiveFilterState>({ kinds: KINDS.map(([kind]) => kind), route: '', match: 'contains' });
  const url = feedUrl(projectId, useSettled(filters, 500));
  const feed = useLiveFeed(url, 'No kind of event is selected: tick at least one.');
  // Another project's lines do not belong in this one's tail.
  useEffect(() => feed.clear(), [projectId]);
  const visible = useMemo(() => feed.lines.filter((line) => shows(line, filters)), [feed.lines, filters]);

  return (
    <View title="Live" ready={feed.opened} actions={<FeedControls feed={feed} />}>
      <StatusLine status={feed.status} onReconnect={feed.reconnectNow} />
      <LiveFilters value={filters} onChange={setFilters} />
      {feed.paused && (
        <p class="live-paused">
          Paused.{' '}
          <button type="button" onClick={feed.resume}>
            {count(feed.pending)} new{feed.pending > MAX_LINES ? ` (latest ${MAX_LINES} kept)` : ''} — show
          </button>
        </p>
      )}
      {visible.length === 0 ? (
        <Waiting any={feed.lines.length > 0} />
      ) : (
        <ol class="tail live-tail" aria-label="Events, newest first">
          {visible.map((line) => (
            <LiveLine key={line.key} line={line} />
          ))}
        </ol>
      )}
    </View>
  );
}

function FeedControls({ feed }: { feed: LiveFeed }) {
  return (
    <>
      <button type="button" aria-pressed={feed.paused} onClick={feed.paused ? feed.resume : feed.pause}>
        {feed.paused ? 'Resume' : 'Pause'}
      </button>
      <button type="button" onClick={feed.clear} disabled={feed.lines.length === 0}>
        Clear
      </button>
    </>
  );
}

const STATUS_TEXT = { connecting: 'Connecting…', live: 'Live: events appear as they are stored.' } as const;

/** The connection's state, announced politely when it changes. */
function StatusLine(props: { status: Status; onReconnect: () => void }) {
  const { status } = props;
  const text =
    status.state === 'reconnecting'
      ? `Connection lost: reconnecting in ${status.inSeconds} s (attempt ${status.attempt}).`
      : status.state === 'closed'
        ? `Closed. ${status.reason}`
        : STATUS_TEXT[status.state];
  return (
    <div class="live-status-row">
      <p class={`live-status live-status-${status.state}`} role="status" aria-live="polite">
        <span class="live-dot" aria-hidden="true" /> {text}
      </p>
      {status.state === 'reconnecting' && (
        <button type="button" onClick={props.onReconnect}>
          Reconnect now
        </button>
      )}
    </div>
  );
}

function Waiting(props: { any: boolean }) {
  if (props.any) return <p class="muted">No event received matches the filters.</p>;
  return (
    <Empty title="Waiting for events">
      <p>
        Events show here the moment the collector stores them. Open the{' '}
        <a href="/demo/" target="_blank" rel="noopener">
          demo apps
        </a>{' '}
        (opens in a new tab; they report to the default project) and click their buttons, or install the snippet from <a href="/projects">Projects</a> on your own pages.
      </p>
    </Empty>
  );
}
