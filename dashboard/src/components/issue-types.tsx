/** The shapes the issues API answers with (collector/src/api/issues-routes.ts), as the views read them. */
import type { StoredFrame } from '../frame-hints.js';

export type IssueStatus = 'unresolved' | 'resolved' | 'resolved_in_release' | 'ignored';

export interface IssueSummary {
  id: string;
  title: string;
  culprit: string;
  type: string;
  status: IssueStatus;
  resolved_in_release: string | null;
  first_seen: number;
  first_release: string | null;
  regressed: boolean;
  events: number;
  users: number;
  last_seen: number | null;
}

export interface IssueListItem extends IssueSummary {
  sparkline_24h: number[];
}

export interface IssueList {
  issues: IssueListItem[];
  next_cursor: string | null;
}

export interface ReleaseCounts {
  release: string | null;
  environment: string | null;
  events: number;
  users: number;
  first_seen_in_range: number;
  last_seen: number;
}

export interface Breadcrumb {
  timestamp: number;
  category: string;
  message: string;
  level?: string;
}

export interface ErrorEvent {
  event_id: string;
  timestamp: number;
  url: string;
  release?: string;
  environment?: string;
  route?: string;
  user_id?: string;
  browser: { name: string; version: string };
  os: { name: string; version: string };
  type: string;
  message: string;
  mechanism?: string;
  handled: boolean;
  frames: StoredFrame['minified'][];
  breadcrumbs: Breadcrumb[];
  symbolicated_frames?: StoredFrame[];
  tags?: Record<string, string>;
}

export interface Share {
  value: string;
  events: number;
}

export interface Breakdowns {
  browsers: Share[];
  os: Share[];
  environments: Share[];
  routes: Share[];
  tags: Record<string, Share[]>;
}

export interface IssueDetailAnswer {
  issue: IssueSummary & { releases: ReleaseCounts[] };
  latest_event: ErrorEvent | null;
  breakdowns: Breakdowns;
}

export const STATUS_LABEL: Record<IssueStatus, string> = {
  unresolved: 'Unresolved',
  resolved: 'Resolved',
  resolved_in_release: 'Resolved in release',
  ignored: 'Ignored',
};

const STATUS_BADGE: Record<IssueStatus, string> = { unresolved: 'bad', resolved: 'good', resolved_in_release: 'good', ignored: '' };

/** The status as a badge; "resolved in release" names the release (text). */
export function StatusBadge(props: { issue: Pick<IssueSummary, 'status' | 'resolved_in_release' | 'regressed'> }) {
  const { status, resolved_in_release: release, regressed } = props.issue;
  return (
    <span class="issue-badges">
      <span class={`badge ${STATUS_BADGE[status] ?? ''}`}>{status === 'resolved_in_release' && release ? `Resolved in ${release}` : STATUS_LABEL[status] ?? status}</span>
      {regressed && status === 'unresolved' && <span class="badge ni">Regressed</span>}
    </span>
  );
}

/** A browser or OS as "Chrome 120"; empty when the collector could not tell. */
export const nameVersion = (value: { name: string; version: string } | undefined) =>
  value && value.name ? `${value.name} ${value.version.split('.')[0] ?? ''}`.trim() : 'unknown';
