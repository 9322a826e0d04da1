/** Top values of one dimension with counts and shares, drawn with <meter> (no inline styles, no chart). */
import { count, percent } from '../format.js';
import type { Breakdowns, Share } from './issue-types.js';

export function Breakdown(props: { title: string; rows: Share[]; level?: 'h2' | 'h3' }) {
  const total = props.rows.reduce((sum, row) => sum + row.events, 0);
  const Heading = props.level ?? 'h3';
  return (
    <section class="breakdown" aria-label={props.title}>
      <Heading>{props.title}</Heading>
      {props.rows.length === 0 ? (
        <p class="muted">Nothing recorded.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Value</th>
              <th class="num">Events</th>
              <th>Share</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => {
              const share = total ? row.events / total : 0;
              return (
                <tr>
                  <td class="breakdown-value">{row.value || <span class="muted">unknown</span>}</td>
                  <td class="num">{count(row.events)}</td>
                  <td class="breakdown-share">
                    <meter min={0} max={1} value={share} aria-label={`${row.value || 'unknown'}: ${percent(share)}`} />
                    <span class="num">{percent(share)}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Browsers, OS, environments, routes and every tag key: the last 14 days. */
export function BreakdownGrid(props: { breakdowns: Breakdowns }) {
  const { browsers, os, environments, routes, tags } = props.breakdowns;
  return (
    <div class="breakdown-grid">
      <Breakdown title="Browsers" rows={browsers} />
      <Breakdown title="Operating systems" rows={os} />
      <Breakdown title="Environments" rows={environments} />
      <Breakdown title="Routes" rows={routes} />
      {Object.entries(tags)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, rows]) => (
          <Breakdown title={`Tag: ${key}`} rows={rows} />
        ))}
    </div>
  );
}
