/**
 * Issues: the project's error groups, filtered and sorted through the URL (a filtered list is a
 * shareable link), paged with the API's cursors, changed in bulk.
 */
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, query } from '../api.js';
import { BulkBar, IssueTable } from '../components/issue-list.js';
import { apiFilters, FilterBar, filtersUrl, narrowed, readFilters, type IssueFilters } from '../components/issue-filters.js';
import { Pager, useCursorStack } from '../components/issue-pager.js';
import type { IssueList, IssueStatus } from '../components/issue-types.js';
import { Empty, Failure, View } from '../components/view.js';
import { useApp } from '../session.js';
import { useApi } from '../use-api.js';

const PAGE_SIZE = 50;
const TWO_WEEKS_MS = 14 * 24 * 3600_000;

export function Issues() {
  const { projectId } = useApp();
  const location = useLocation();
  const filters = readFilters(location.query);
  const filterKey = `${projectId} ${filtersUrl('', filters)}`;
  const pages = useCursorStack(filterKey);
  const list = useApi<IssueList>(`/api/${projectId}/issues${query({ ...apiFilters(filters), cursor: pages.cursor, limit: PAGE_SIZE })}`);
  const choices = useFilterChoices(projectId);
  const selection = useSelection(filterKey, pages.page);
  const [busy, setBusy] = useState(false);
  const [changeError, setChangeError] = useState<Error | undefined>();

  const setFilters = (patch: Partial<IssueFilters>) => location.route(filtersUrl('/issues', { ...filters, ...patch }), true);
  const changeStatus = async (status: IssueStatus) => {
    setBusy(true);
    setChangeError(undefined);
    try {
      await api(`/api/${projectId}/issues`, { method: 'PATCH', body: { ids: [...selection.ids], status } });
      selection.clear();
      list.reload();
    } catch (error) {
      setChangeError(error as Error);
    } finally {
      setBusy(false);
    }
  };

  const issues = list.data?.issues ?? [];
  return (
    <View title="Issues" ready={list.data !== undefined || list.error !== undefined}>
      <FilterBar filters={filters} releases={choices.releases} browsers={choices.browsers} onChange={setFilters} />
      <Failure error={list.error} retry={list.reload} />
      <Failure error={changeError} />
      {list.data && issues.length === 0 && <NoIssues filtered={Boolean(narrowed(filters)) || pages.page > 1} />}
      {issues.length > 0 && (
        <>
          <BulkBar selected={selection.ids.size} busy={busy} onStatus={changeStatus} onClear={selection.clear} />
          <div class={list.loading ? 'issue-list loading-list' : 'issue-list'} aria-busy={list.loading}>
            <IssueTable issues={issues} selected={selection.ids} onSelect={selection.toggle} />
          </div>
        </>
      )}
      <Pager label="Issue pages" page={pages.page} nextCursor={list.data?.next_cursor} onNext={pages.next} onPrevious={pages.previous} busy={list.loading} />
    </View>
  );
}

function NoIssues(props: { filtered: boolean }) {
  if (props.filtered)
    return (
      <Empty title="No issues match these filters">
        <p>Try another status or release, or clear the filters. Issues are counted over the last 14 days.</p>
      </Empty>
    );
  return (
    <Empty title="No issues yet">
      <p>
        Errors from your pages show up here, grouped into issues. <a href="/projects">Install the snippet</a> from Projects in your site, or open the{' '}
        <a href="/demo/">demo apps</a> and click their buttons to make a few real errors.
      </p>
    </Empty>
  );
}

/** Checked issue ids; a new list (filters, page) starts with none. */
function useSelection(filterKey: string, page: number) {
  const key = `${filterKey} ${page}`;
  const [state, setState] = useState<{ key: string; ids: Set<string> }>({ key, ids: new Set() });
  const ids = state.key === key ? state.ids : new Set<string>();
  return {
    ids,
    toggle: (changed: string[], on: boolean) => {
      const next = new Set(ids);
      for (const id of changed) on ? next.add(id) : next.delete(id);
      setState({ key, ids: next });
    },
    clear: () => setState({ key, ids: new Set() }),
  };
}

/**
 * Choices for the release and browser filters: release names from /releases; browser names from
 * the vitals per browser (the only list of browsers the API has — an empty one leaves free text).
 */
function useFilterChoices(projectId: number) {
  const releases = useApi<{ releases: { release: string }[] }>(`/api/${projectId}/releases`);
  const [since] = useState(() => Date.now() - TWO_WEEKS_MS);
  const vitals = useApi<{ groups: { browser?: string }[] }>(`/api/${projectId}/vitals${query({ metric: 'LCP', groupBy: 'browser', since })}`);
  return {
    releases: (releases.data?.releases ?? []).map((row) => row.release).filter(Boolean),
    browsers: [...new Set((vitals.data?.groups ?? []).map((group) => group.browser ?? '').filter(Boolean))],
  };
}
