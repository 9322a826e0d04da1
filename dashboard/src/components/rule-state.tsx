import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ago } from '../format.js';
import { useApi } from '../use-api.js';
import { Delivery } from './alert-history.js';
import { Failure } from './view.js';

interface WindowStatus {
  group: string;
  firing: boolean;
  metric: { name: string; value: number; threshold: number; windowMinutes: number } | null;
}

interface RuleStatus {
  state: 'ok' | 'firing';
  windows: WindowStatus[];
  issues: { issue_id: string; firing: boolean; events_pending: number; last_sent_at: number }[];
}

const round = (value: number) => (Number.isInteger(value) ? String(value) : value.toPrecision(3));

/** What the rule sees now on this collector (GET …/rules/:id/state). */
export function RuleState(props: { projectId: number; ruleId: string; enabled: boolean }) {
  const status = useApi<RuleStatus>(`/api/${props.projectId}/alerts/rules/${encodeURIComponent(props.ruleId)}/state`);
  const data = status.data;
  return (
    <section class="panel" aria-labelledby="state-heading">
      <div class="section-head">
        <h2 id="state-heading">State now</h2>
        <button type="button" onClick={status.reload}>
          Refresh
        </button>
      </div>
      <Failure error={status.error} retry={status.reload} />
      {data && (
        <>
          <p>
            <span class={data.state === 'firing' ? 'badge bad' : 'badge good'}>{data.state}</span>{' '}
            {!props.enabled && <span class="muted">The rule is disabled: nothing is sent.</span>}
          </p>
          {data.windows.length > 0 && <WindowTable windows={data.windows} />}
          {data.issues.length > 0 && <IssueTable issues={data.issues} />}
          {data.windows.length === 0 && data.issues.length === 0 && <p class="muted">No window or issue is being tracked right now.</p>}
          <p class="hint">As this collector sees it: with several collectors, window rules count each one's share.</p>
        </>
      )}
    </section>
  );
}

function WindowTable(props: { windows: WindowStatus[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Group</th>
          <th scope="col">Measure</th>
          <th scope="col" class="num">
            Value
          </th>
          <th scope="col" class="num">
            Threshold
          </th>
          <th scope="col">State</th>
        </tr>
      </thead>
      <tbody>
        {props.windows.map((window) => (
          <tr>
            <td class="mono">{window.group || 'whole project'}</td>
            <td>{window.metric ? `${window.metric.name} over ${window.metric.windowMinutes} min` : 'not enough data yet'}</td>
            <td class="num">{window.metric ? round(window.metric.value) : '–'}</td>
            <td class="num">{window.metric ? round(window.metric.threshold) : '–'}</td>
            <td>
              <span class={window.firing ? 'badge bad' : 'badge good'}>{window.firing ? 'firing' : 'ok'}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function IssueTable(props: { issues: RuleStatus['issues'] }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Issue</th>
          <th scope="col">Last message</th>
          <th scope="col" class="num">
            Events for the next digest
          </th>
        </tr>
      </thead>
      <tbody>
        {props.issues.map((issue) => (
          <tr>
            <td>
              <a class="mono" href={`/issues/${encodeURIComponent(issue.issue_id)}`}>
                {issue.issue_id}
              </a>
            </td>
            <td>{ago(issue.last_sent_at)}</td>
            <td class="num">{issue.events_pending}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface TestResult {
  destination: string;
  ok: boolean;
  status?: number;
  attempts: number;
  error?: string;
}

/** POST …/rules/:id/test: one test message to each destination, and what each answered. */
export function RuleTest(props: { projectId: number; ruleId: string; onSent: () => void }) {
  const [results, setResults] = useState<TestResult[] | null>(null);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  async function send() {
    setSending(true);
    setError(undefined);
    setResults(null);
    try {
      const answer = await api<{ results: TestResult[] }>(`/api/${props.projectId}/alerts/rules/${encodeURIComponent(props.ruleId)}/test`, { method: 'POST' });
      setResults(answer.results);
      props.onSent();
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setSending(false);
    }
  }
  return (
    <section class="panel" aria-labelledby="test-heading">
      <div class="section-head">
        <h2 id="test-heading">Send a test</h2>
        <button type="button" class="primary" onClick={send} disabled={sending}>
          {sending ? 'Sending…' : 'Send test'}
        </button>
      </div>
      <p class="hint">Sends “Test from rule …” to every destination now (failing ones are retried, which can take a few seconds). Tests are recorded in the history.</p>
      <Failure error={error} />
      <div aria-live="polite">
        {results && (
          <ul class="plain test-results">
            {results.map((result) => (
              <li>
                <span class="mono">{result.destination}</span> <Delivery ok={result.ok} status={result.status} attempts={result.attempts} error={result.error} />
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
