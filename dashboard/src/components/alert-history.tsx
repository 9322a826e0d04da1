import { useEffect, useState } from 'preact/hooks';
import { query } from '../api.js';
import { dateTime } from '../format.js';
import { useApi } from '../use-api.js';
import { Failure } from './view.js';

export interface HistoryEntry {
  id: string;
  sent_at: number;
  rule: { id: string; name: string };
  issue_id: string | null;
  kind: string;
  destination: string;
  title: string;
  summary: string;
  delivered: boolean;
  status: number | null;
  attempts: number;
  error: string | null;
}

const PAGE = 25;

/**
 * Sent alerts with what each destination answered, newest first; "Older" asks for the page before
 * the last one shown (`before` = its sent_at). `refresh` changing starts again from the newest.
 */
export function AlertHistory(props: { projectId: number; ruleId?: string; refresh?: number; onLoaded?: () => void }) {
  const [before, setBefore] = useState<number | undefined>(undefined);
  const [older, setOlder] = useState<HistoryEntry[]>([]);
  const path = `/api/${props.projectId}/alerts/history${query({ rule: props.ruleId, limit: PAGE, before })}`;
  const page = useApi<{ history: HistoryEntry[] }>(path);

  useEffect(() => {
    setBefore(undefined);
    setOlder([]);
  }, [props.projectId, props.ruleId]);
  useEffect(() => {
    if (props.refresh === undefined) return;
    setOlder([]);
    if (before === undefined) page.reload();
    else setBefore(undefined);
  }, [props.refresh]);
  useEffect(() => {
    if (page.data) props.onLoaded?.();
  }, [page.data]);

  // While an older page loads, the previous answer is still in `page.data`: not shown twice.
  const current = page.loading && before !== undefined ? [] : page.data?.history ?? [];
  const entries = before === undefined ? current : [...older, ...current];
  const showOlder = () => {
    setOlder(entries);
    setBefore(entries[entries.length - 1].sent_at);
  };

  return (
    <section class="alert-history" aria-labelledby="history-heading" aria-busy={page.loading}>
      <div class="section-head">
        <h2 id="history-heading">History</h2>
        <button type="button" onClick={() => (before === undefined ? page.reload() : (setOlder([]), setBefore(undefined)))}>
          Refresh
        </button>
      </div>
      <Failure error={page.error} retry={page.reload} />
      {page.data && entries.length === 0 && (
        <p class="muted">
          Nothing sent yet{props.ruleId ? ' by this rule' : ''}. Use “Send test” on a rule to check its destinations; alerts appear here with each destination's answer.
        </p>
      )}
      {entries.length > 0 && <HistoryTable entries={entries} showRule={!props.ruleId} />}
      {page.loading && <p class="muted">Loading…</p>}
      {!page.loading && current.length === PAGE && (
        <button type="button" onClick={showOlder}>
          Older
        </button>
      )}
    </section>
  );
}

function HistoryTable(props: { entries: HistoryEntry[]; showRule: boolean }) {
  return (
    <div class="table-scroll">
      <table class="history-table">
        <thead>
          <tr>
            <th scope="col">Sent</th>
            {props.showRule && <th scope="col">Rule</th>}
            <th scope="col">Kind</th>
            <th scope="col">Alert</th>
            <th scope="col">Destination</th>
            <th scope="col">Delivery</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((entry) => (
            <tr key={entry.id}>
              <td class="nowrap">{dateTime(entry.sent_at)}</td>
              {props.showRule && (
                <td>
                  <a href={`/alerts/${encodeURIComponent(entry.rule.id)}`}>{entry.rule.name}</a>
                </td>
              )}
              <td>
                <span class="badge">{entry.kind}</span>
              </td>
              <td>
                <div>{entry.title}</div>
                <div class="muted">{entry.summary}</div>
                {entry.issue_id && <a href={`/issues/${encodeURIComponent(entry.issue_id)}`}>Open issue</a>}
              </td>
              <td class="mono">{entry.destination}</td>
              <td>
                <Delivery ok={entry.delivered} status={entry.status} attempts={entry.attempts} error={entry.error} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What one destination answered: delivered or not, HTTP status, attempts, the reason. */
export function Delivery(props: { ok: boolean; status: number | null | undefined; attempts: number; error: string | null | undefined }) {
  return (
    <div class="delivery">
      <span class={props.ok ? 'badge good' : 'badge bad'}>{props.ok ? 'delivered' : 'failed'}</span>{' '}
      <span class="muted">
        {props.status ? `HTTP ${props.status}, ` : ''}
        {props.attempts} {props.attempts === 1 ? 'attempt' : 'attempts'}
      </span>
      {props.error && <div class="field-error">{props.error}</div>}
    </div>
  );
}
