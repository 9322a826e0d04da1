/** Resolve, resolve in a release, ignore, unresolve — one issue. */
import { useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { Failure } from './view.js';
import { STATUS_LABEL, type IssueStatus, type IssueSummary, type ReleaseCounts } from './issue-types.js';

/** The release the server picks without one: the newest the issue was seen in. */
export function newestSeenRelease(releases: ReleaseCounts[]): string | null {
  const seen = releases.filter((row) => row.release).sort((a, b) => b.last_seen - a.last_seen);
  return seen[0]?.release ?? null;
}

export function IssueActions(props: { projectId: number; issue: IssueSummary; seenIn: ReleaseCounts[]; knownReleases: string[]; onChanged: () => void }) {
  const { issue } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  // '' lets the server choose: the newest release the issue was seen in.
  const [release, setRelease] = useState('');
  const [done, setDone] = useState('');
  const group = useRef<HTMLDivElement>(null);
  const newest = newestSeenRelease(props.seenIn);

  const change = async (status: IssueStatus, inRelease?: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await api(`/api/${props.projectId}/issues/${encodeURIComponent(issue.id)}`, { method: 'PATCH', body: inRelease ? { status, release: inRelease } : { status } });
      setDone(`Marked ${STATUS_LABEL[status].toLowerCase()}${status === 'resolved_in_release' ? ` ${inRelease ?? newest ?? ''}` : ''}.`);
      props.onChanged();
      // The clicked button may be gone now (Resolve hides itself): keep the keyboard here.
      group.current?.focus();
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="issue-actions" ref={group} tabIndex={-1}>
      <div class="toolbar" role="group" aria-label="Change the issue's status">
        {issue.status !== 'resolved' && (
          <button type="button" class="primary" disabled={busy} onClick={() => change('resolved')}>
            Resolve
          </button>
        )}
        <span class="resolve-in-release">
          <button type="button" disabled={busy || (!newest && !release)} onClick={() => change('resolved_in_release', release || undefined)}>
            Resolve in next release
          </button>
          <label>
            <span class="visually-hidden">Resolved from release</span>
            <select value={release} onChange={(event) => setRelease(event.currentTarget.value)} disabled={busy}>
              <option value="">{newest ? `after ${newest} (newest seen)` : 'no release seen'}</option>
              {props.knownReleases.map((name) => (
                <option value={name}>after {name}</option>
              ))}
            </select>
          </label>
        </span>
        {issue.status !== 'ignored' && (
          <button type="button" disabled={busy} onClick={() => change('ignored')}>
            Ignore
          </button>
        )}
        {issue.status !== 'unresolved' && (
          <button type="button" disabled={busy} onClick={() => change('unresolved')}>
            Unresolve
          </button>
        )}
      </div>
      <p class="muted action-done" role="status">
        {done}
      </p>
      <Failure error={error} />
    </div>
  );
}
