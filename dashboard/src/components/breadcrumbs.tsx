/** What happened before the error: the latest event's breadcrumbs, oldest first, timed from the error. */
import { dateTime } from '../format.js';
import type { Breadcrumb } from './issue-types.js';

/** "−250 ms", "−2.5 s", "−3 min": how long before the error. */
export function beforeError(crumb: number, error: number): string {
  const seconds = (crumb - error) / 1000;
  const magnitude = Math.abs(seconds);
  const sign = seconds < 0 ? '−' : seconds > 0 ? '+' : '';
  if (magnitude < 1) return `${sign}${Math.round(magnitude * 1000)} ms`;
  if (magnitude < 60) return `${sign}${magnitude.toFixed(magnitude < 10 ? 1 : 0)} s`;
  if (magnitude < 3600) return `${sign}${Math.round(magnitude / 60)} min`;
  return `${sign}${(magnitude / 3600).toFixed(1)} h`;
}

export function Breadcrumbs(props: { crumbs: Breadcrumb[]; errorAt: number; errorText: string }) {
  if (props.crumbs.length === 0) return <p class="muted">No breadcrumbs: the agent recorded nothing before this error.</p>;
  const crumbs = [...props.crumbs].sort((a, b) => a.timestamp - b.timestamp);
  return (
    <table class="breadcrumbs">
      <thead>
        <tr>
          <th class="num">Time</th>
          <th>Category</th>
          <th>Level</th>
          <th>Message</th>
        </tr>
      </thead>
      <tbody>
        {crumbs.map((crumb) => (
          <tr class={`crumb level-${levelClass(crumb.level)}`}>
            <td class="num">
              <time dateTime={new Date(crumb.timestamp).toISOString()} title={dateTime(crumb.timestamp)}>
                {beforeError(crumb.timestamp, props.errorAt)}
              </time>
            </td>
            <td class="mono">{crumb.category || '—'}</td>
            <td>{crumb.level || 'info'}</td>
            <td class="crumb-message">{crumb.message}</td>
          </tr>
        ))}
        <tr class="crumb crumb-error">
          <td class="num">0 s</td>
          <td class="mono">error</td>
          <td>error</td>
          <td class="crumb-message">{props.errorText}</td>
        </tr>
      </tbody>
    </table>
  );
}

/** Only known levels become class names (the level is event data). */
const levelClass = (level: string | undefined) => (level && ['debug', 'info', 'warning', 'error', 'fatal'].includes(level) ? level : 'info');
