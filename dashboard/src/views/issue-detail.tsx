/**
 * One issue: what it is, what to do about it, and its latest event (symbolicated stack,
 * breadcrumbs), breakdowns and events. The URL names the issue only (alerts link to it): when
 * the current project does not have it, the collector says which project does.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { api, ApiError } from '../api.js';
import { BreakdownGrid } from '../components/breakdown.js';
import { Breadcrumbs } from '../components/breadcrumbs.js';
import { IssueActions } from '../components/issue-actions.js';
import { IssueEvents } from '../components/issue-events.js';
import { IssueFacts, ReleaseTable } from '../components/issue-facts.js';
import { nameVersion, type ErrorEvent, type IssueDetailAnswer } from '../components/issue-types.js';
import { StackTrace } from '../components/stack-trace.js';
import { Empty, Failure, View } from '../components/view.js';
import { dateTime } from '../format.js';
import { useApp } from '../session.js';
import { useApi } from '../use-api.js';

const ISSUE_ID = /^[0-9a-f]{16}$/;

export function IssueDetail() {
  const id = useRoute().params.id ?? '';
  const { projectId } = useApp();
  const valid = ISSUE_ID.test(id);
  const detail = useApi<IssueDetailAnswer>(valid ? `/api/${projectId}/issues/${id}` : null);
  const lookup = useProjectOfIssue(id, detail);
  const releases = useApi<{ releases: { release: string }[] }>(`/api/${projectId}/releases`);
  const data = detail.data?.issue.id === id ? detail.data : undefined;
  const missing = !valid || lookup === 'not-found';

  return (
    <View title={data?.issue.title ?? 'Issue'} ready={data !== undefined || missing || (detail.error !== undefined && lookup !== 'looking')}>
      <p class="back-link">
        <a href="/issues">← All issues</a>
      </p>
      {missing && <NoSuchIssue id={id} />}
      {!missing && lookup !== 'looking' && <Failure error={detail.error} retry={detail.reload} />}
      {data && (
        <IssueBody
          projectId={projectId}
          answer={data}
          knownReleases={(releases.data?.releases ?? []).map((row) => row.release).filter(Boolean)}
          reload={detail.reload}
        />
      )}
    </View>
  );
}

function IssueBody(props: { projectId: number; answer: IssueDetailAnswer; knownReleases: string[]; reload: () => void }) {
  const { issue, latest_event: event, breakdowns } = props.answer;
  return (
    <>
      <p class="issue-culprit mono">{issue.culprit || 'no culprit frame'}</p>
      <IssueActions projectId={props.projectId} issue={issue} seenIn={issue.releases} knownReleases={props.knownReleases} onChanged={props.reload} />
      <IssueFacts issue={issue} />
      <section class="panel issue-section" aria-labelledby="latest-event">
        <h2 id="latest-event">Latest event</h2>
        {event ? <LatestEvent event={event} projectId={props.projectId} /> : <p class="muted">No event stored for this issue in its last active day.</p>}
      </section>
      <section class="panel issue-section" aria-labelledby="issue-releases">
        <h2 id="issue-releases">Releases</h2>
        <ReleaseTable releases={issue.releases} />
      </section>
      <section class="panel issue-section" aria-labelledby="issue-breakdowns">
        <h2 id="issue-breakdowns">Breakdowns</h2>
        <p class="hint">Over the issue’s last 14 days of events.</p>
        <BreakdownGrid breakdowns={breakdowns} />
      </section>
      <section class="panel issue-section" aria-labelledby="issue-events">
        <h2 id="issue-events">Events</h2>
        <IssueEvents projectId={props.projectId} issueId={issue.id} />
      </section>
    </>
  );
}

function LatestEvent(props: { event: ErrorEvent; projectId: number }) {
  const { event } = props;
  const errorText = `${event.type ? `${event.type}: ` : ''}${event.message}`;
  return (
    <>
      <p class="exception">
        <strong class="mono">{event.type || 'Error'}</strong> {event.message}
      </p>
      <dl class="event-meta">
        <Meta term="When">{dateTime(event.timestamp)}</Meta>
        <Meta term="Release">{event.release ?? '—'}</Meta>
        <Meta term="Environment">{event.environment ?? '—'}</Meta>
        <Meta term="Browser">{nameVersion(event.browser)}</Meta>
        <Meta term="OS">{nameVersion(event.os)}</Meta>
        <Meta term="Handled">{event.handled ? 'yes' : `no${event.mechanism ? ` (${event.mechanism})` : ''}`}</Meta>
        <Meta term="URL" wide>
          <span class="mono">{event.url || '—'}</span>
        </Meta>
      </dl>
      <h3>Stack trace</h3>
      <StackTrace frames={event.symbolicated_frames} sent={event.frames ?? []} hints={{ release: event.release, collectorUrl: location.origin, projectId: props.projectId }} />
      <h3>Breadcrumbs</h3>
      <Breadcrumbs crumbs={event.breadcrumbs ?? []} errorAt={event.timestamp} errorText={errorText} />
    </>
  );
}

function Meta(props: { term: string; wide?: boolean; children: preact.ComponentChildren }) {
  return (
    <div class={props.wide ? 'wide' : undefined}>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

function NoSuchIssue(props: { id: string }) {
  return (
    <Empty title="No such issue">
      <p>
        No project you can open has an issue <span class="mono">{props.id}</span>. It may belong to a project this sign-in does not open. Go back to the{' '}
        <a href="/issues">issues list</a>.
      </p>
    </Empty>
  );
}

/**
 * On a 404, asks which project has the issue and switches to it (once per issue id).
 * → 'looking' while asking, 'not-found' when no project of ours has it, null otherwise.
 */
function useProjectOfIssue(id: string, detail: { error: Error | undefined; loading: boolean }): 'looking' | 'not-found' | null {
  const { projectId, setProjectId } = useApp();
  const [state, setState] = useState<{ id: string; result: 'looking' | 'not-found' } | null>(null);
  const asked = useRef(new Set<string>());
  const notFound = detail.error instanceof ApiError && detail.error.status === 404;
  useEffect(() => {
    if (!notFound || detail.loading || asked.current.has(id)) return;
    asked.current.add(id);
    setState({ id, result: 'looking' });
    api<{ project_id: number }>(`/api/issues/${encodeURIComponent(id)}/project`).then(
      (answer) => {
        if (answer.project_id !== projectId) setProjectId(answer.project_id);
        setState(answer.project_id !== projectId ? null : { id, result: 'not-found' });
      },
      () => setState({ id, result: 'not-found' }),
    );
  }, [notFound, detail.loading, id, projectId]);
  return state?.id === id ? state.result : null;
}
