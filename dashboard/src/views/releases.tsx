/**
 * Releases, newest first: how each did (error rate, sessions, page views, new issues) and how
 * much of its stack traces the collector could map to source, with a link to its issues; and the
 * load-test runs of the same period beside the release timeline.
 */
import { useMemo, useState } from 'preact/hooks';
import { query } from '../api.js';
import { type LoadRun, LoadRuns, type LoadTrend } from '../components/release-load-runs.js';
import { CoverageCell, CoverageHint, isLowCoverage, type SourceMapCoverage } from '../components/release-coverage.js';
import { Empty, Failure, View } from '../components/view.js';
import { ago, count, dateTime, percent } from '../format.js';
import { useApp } from '../session.js';
import { useApi } from '../use-api.js';

interface Release {
  release: string | null;
  first_seen: number;
  last_seen: number;
  sessions: number;
  page_views: number;
  errors: number;
  error_rate: number | null;
  new_issues: number;
  source_maps: SourceMapCoverage;
}

const WINDOWS = [
  ['7', 'last 7 days'],
  ['30', 'last 30 days'],
  ['90', 'last 90 days'],
] as const;

export function Releases() {
  const { projectId } = useApp();
  const [days, setDays] = useState('30');
  // Fixed per choice (to the minute), so re-renders ask the same URL.
  const since = useMemo(() => Math.floor((Date.now() - Number(days) * 86_400_000) / 60_000) * 60_000, [days]);
  const { data, error, reload } = useApi<{ releases: Release[] }>(`/api/${projectId}/releases${query({ since })}`);
  const releases = data?.releases;
  const loadRuns = useApi<{ runs: LoadRun[]; trends: LoadTrend[] }>(`/api/${projectId}/load-runs${query({ since, limit: 100 })}`);
  return (
    <View
      title="Releases"
      ready={data !== undefined || error !== undefined}
      actions={
        <label>
          Active in the
          <select value={days} onChange={(event) => setDays(event.currentTarget.value)}>
            {WINDOWS.map(([value, label]) => (
              <option value={value}>{label}</option>
            ))}
          </select>
        </label>
      }
    >
      <Failure error={error} retry={reload} />
      {releases && releases.length === 0 && <NoReleases />}
      {releases && releases.length > 0 && <ReleaseTable releases={releases} projectId={projectId} />}
      {loadRuns.data && loadRuns.data.runs.length > 0 && <LoadRuns runs={loadRuns.data.runs} trends={loadRuns.data.trends} releases={releases ?? []} />}
    </View>
  );
}

function ReleaseTable(props: { releases: Release[]; projectId: number }) {
  return (
    <div class="panel release-panel">
      <p class="hint">Error rate: errors per page view. New issues: issues first seen in that release. Newest release first.</p>
      <table class="release-table">
        <thead>
          <tr>
            <th scope="col">Release</th>
            <th scope="col">Seen</th>
            <th scope="col" class="num">Error rate</th>
            <th scope="col" class="num">Errors</th>
            <th scope="col" class="num">Sessions</th>
            <th scope="col" class="num">Page views</th>
            <th scope="col" class="num">New issues</th>
            <th scope="col">Source maps</th>
          </tr>
        </thead>
        <tbody>
          {props.releases.map((release, index) => (
            <ReleaseRows release={release} previous={props.releases[index + 1]} projectId={props.projectId} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ReleaseRows(props: { release: Release; previous: Release | undefined; projectId: number }) {
  const { release } = props;
  return (
    <>
      <tr class={isLowCoverage(release.source_maps) ? 'release-row has-hint' : 'release-row'}>
        <th scope="row" class="mono release-name">
          {release.release === null ? <span class="muted">(no release)</span> : <a href={`/issues?release=${encodeURIComponent(release.release)}`}>{release.release}</a>}
        </th>
        <td>
          <span title={dateTime(release.first_seen)}>first {ago(release.first_seen)}</span>
          <br />
          <span class="muted" title={dateTime(release.last_seen)}>
            last {ago(release.last_seen)}
          </span>
        </td>
        <td class="num">
          {release.error_rate === null ? <span class="muted">–</span> : percent(release.error_rate)}
          <RateChange release={release} previous={props.previous} />
        </td>
        <td class="num">{count(release.errors)}</td>
        <td class="num">{count(release.sessions)}</td>
        <td class="num">{count(release.page_views)}</td>
        <td class="num">{release.new_issues > 0 ? <span class="badge bad">{count(release.new_issues)} new</span> : '0'}</td>
        <td>
          <CoverageCell maps={release.source_maps} />
        </td>
      </tr>
      {isLowCoverage(release.source_maps) && (
        <tr class="release-hint-row">
          <td colSpan={8}>
            <CoverageHint release={release.release} projectId={props.projectId} />
          </td>
        </tr>
      )}
    </>
  );
}

/** Error rate against the release before it: worth a look when it went up by more than a tenth. */
function RateChange(props: { release: Release; previous: Release | undefined }) {
  const now = props.release.error_rate;
  const before = props.previous?.error_rate;
  if (now === null || before === null || before === undefined) return null;
  if (now > before * 1.1) return <span class="release-change worse">▲ from {percent(before)}</span>;
  if (now < before * 0.9) return <span class="release-change better">▼ from {percent(before)}</span>;
  return null;
}

function NoReleases() {
  return (
    <Empty title="No releases yet">
      <p>
        A release appears once events carry one: pass it to the agent, <code>Lookout.init({'{'} dsn, release: '1.4.2' {'}'})</code>, and upload that release's
        source maps. Install the snippet from <a href="/projects">Projects</a>, or open the{' '}
        <a href="/demo/" target="_blank" rel="noopener">
          demo apps
        </a>{' '}
        (opens in a new tab), which report a release to the default project.
      </p>
    </Empty>
  );
}
