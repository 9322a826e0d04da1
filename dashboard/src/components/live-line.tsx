/** One line of the live tail: time, kind, and what happened — all event data as text. */
import { ms, vitalValue } from '../format.js';
import type { FeedEvent, Line } from './live-feed.js';

const time = (at: number) => new Date(at).toLocaleTimeString();
const RATING_CLASS = { good: 'good', 'needs-improvement': 'ni', poor: 'poor' } as const;
const KIND_LABELS = { error: 'error', vital: 'vital', navigation: 'nav' } as const;

export function LiveLine(props: { line: Line }) {
  const { line } = props;
  if (line.kind === 'notice')
    return (
      <li class="live-line live-notice">
        <time dateTime={new Date(line.at).toISOString()}>{time(line.at)}</time> <span class="badge ni">notice</span> {line.text}
      </li>
    );
  const { event } = line;
  return (
    <li class={`live-line live-${event.kind}`}>
      <time dateTime={new Date(line.at).toISOString()}>{time(line.at)}</time> <span class={`badge live-kind live-kind-${event.kind}`}>{KIND_LABELS[event.kind] ?? event.kind}</span>{' '}
      <Summary event={event} />
    </li>
  );
}

function Summary({ event }: { event: FeedEvent }) {
  if (event.kind === 'error') return <ErrorSummary event={event} />;
  if (event.kind === 'vital')
    return (
      <span>
        <strong>{event.name}</strong> {vitalValue(event.name ?? '', event.value)}{' '}
        {event.rating && <span class={`badge ${RATING_CLASS[event.rating] ?? ''}`}>{event.rating}</span>} <Route route={event.route} />
      </span>
    );
  return (
    <span>
      <strong>{event.type === 'load' ? 'page load' : 'route change'}</strong> {event.from_route ? <Route route={event.from_route} /> : null}
      {event.from_route ? ' → ' : null}
      <Route route={event.route} /> {ms(event.duration)}
      {event.status && event.status !== 'ok' && <span class="badge bad live-flag">{event.status}</span>}
    </span>
  );
}

function ErrorSummary({ event }: { event: FeedEvent }) {
  const issue = event.issue;
  return (
    <span>
      <strong>{event.type || 'Error'}</strong>: {event.message} <Route route={event.route} />{' '}
      {issue && (
        <>
          <a href={`/issues/${encodeURIComponent(issue.id)}`}>view issue</a>
          {issue.new && <span class="badge bad live-flag">new</span>}
          {issue.regression && <span class="badge bad live-flag">regression</span>}
        </>
      )}
    </span>
  );
}

const Route = (props: { route: string | undefined }) => (props.route ? <span class="live-route">{props.route}</span> : null);
