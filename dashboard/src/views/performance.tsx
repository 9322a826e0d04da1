/**
 * Performance: Web Vitals (p75 over time against the good / poor bands, the p75 over the range
 * with its rating), a vital per route and per browser, and navigations — route-change and
 * page-load durations per route and how many of each over time.
 */
import { useMemo, useState } from 'preact/hooks';
import { query } from '../api.js';
import { NavigationChart, type NavigationSeries } from '../components/perf-navigation-chart.js';
import { type NavigationGroup, NavigationTable, type VitalGroup, VitalTable } from '../components/perf-tables.js';
import { VitalChart, type VitalSeries, type VitalSummary } from '../components/perf-vital-chart.js';
import { type Thresholds, type Vital, VITAL_NAMES, VITALS } from '../components/perf-vitals.js';
import { RangePicker } from '../components/range-picker.js';
import { Empty, Failure, View } from '../components/view.js';
import { type RangeChoice, rangeBounds } from '../time-range.js';
import { type Loaded, useApi } from '../use-api.js';
import { useApp } from '../session.js';

type Range = { since: number; until: number };

/** The p75 series and the range's overall p75 of each vital (VITALS is fixed, so the hook order is too). */
function useVitals(base: string, range: Range) {
  const series = VITALS.map((metric) => useApi<VitalSeries>(`${base}/vitals/series${query({ metric, ...range })}`));
  const summaries = VITALS.map((metric) => useApi<VitalSummary>(`${base}/vitals${query({ metric, groupBy: 'none', ...range })}`));
  return { series, summaries };
}

/** Until the reader picks one, the tables show LCP, or the first vital that has values (once known). */
function busiestVital(summaries: Loaded<VitalSummary>[]): Vital | null {
  if (summaries.some((summary) => summary.data === undefined && summary.error === undefined)) return null;
  const index = summaries.findIndex((summary) => (summary.data?.groups.length ?? 0) > 0);
  return VITALS[Math.max(index, 0)];
}

const settled = (loads: Loaded<unknown>[]) => loads.every((load) => load.data !== undefined || load.error !== undefined);
const firstError = (loads: Loaded<unknown>[]) => loads.find((load) => load.error);

export function Performance() {
  const { projectId } = useApp();
  const [range, setRange] = useState<RangeChoice>({ kind: '24h' });
  const [refreshed, setRefreshed] = useState(0);
  const [chosenMetric, setTableMetric] = useState<Vital | null>(null);
  // Computed when the choice changes (or on Refresh), not on every render: "the last hour" stays put while reading.
  const bounds = useMemo(() => rangeBounds(range), [range, refreshed]);
  const base = `/api/${projectId}`;

  const vitals = useVitals(base, bounds);
  const tableMetric = chosenMetric ?? busiestVital(vitals.summaries);
  const tablePath = (groupBy: string) => (tableMetric ? `${base}/vitals${query({ metric: tableMetric, groupBy, ...bounds })}` : null);
  const byRoute = useApi<{ thresholds: Thresholds; groups: VitalGroup[] }>(tablePath('route'));
  const byBrowser = useApi<{ thresholds: Thresholds; groups: VitalGroup[] }>(tablePath('browser'));
  const navigations = useApi<{ groups: NavigationGroup[] }>(`${base}/navigations${query({ groupBy: 'route', ...bounds })}`);
  const navigationSeries = useApi<NavigationSeries>(`${base}/navigations/series${query(bounds)}`);

  const noVitals = vitals.summaries.every((summary) => summary.data !== undefined && summary.data.groups.length === 0);
  const all = [...vitals.series, ...vitals.summaries, byRoute, byBrowser, navigations, navigationSeries] as Loaded<unknown>[];
  const ready = settled(noVitals ? all.filter((load) => load !== byRoute && load !== byBrowser) : all);
  const failed = firstError(all);
  const noNavigations = (navigationSeries.data?.points.length ?? 0) === 0;

  return (
    <View
      title="Performance"
      ready={ready}
      actions={
        <>
          <RangePicker value={range} onChange={setRange} />
          <button type="button" onClick={() => setRefreshed((n) => n + 1)}>
            Refresh
          </button>
        </>
      }
    >
      <p class="hint perf-range" aria-live="polite">
        {new Date(bounds.since).toLocaleString()} – {new Date(bounds.until).toLocaleString()}
      </p>
      <Failure error={failed?.error} retry={() => all.forEach((load) => load.error && load.reload())} />
      {ready && noVitals && noNavigations ? (
        <NoData />
      ) : (
        <>
          <h2>Web Vitals</h2>
          {noVitals ? (
            <p class="muted">No Web Vitals in this range: pick a longer one.</p>
          ) : (
            <div class="perf-vitals">
              {VITALS.map((metric, index) => {
                const series = vitals.series[index].data;
                return series && <VitalChart metric={metric} series={series} summary={vitals.summaries[index].data} />;
              })}
            </div>
          )}
          {!noVitals && tableMetric && <VitalTables metric={tableMetric} onMetric={setTableMetric} byRoute={byRoute} byBrowser={byBrowser} />}
          <h2>Navigations</h2>
          <section class="panel" aria-labelledby="perf-nav-series">
            <h3 id="perf-nav-series">Page loads and route changes</h3>
            {navigationSeries.data && <NavigationChart series={navigationSeries.data} />}
          </section>
          <section class="panel" aria-labelledby="perf-nav-routes">
            <h3 id="perf-nav-routes">Duration by route</h3>
            <p class="hint">Route change: from the router's start to the new route's page settled. Page load: the full load.</p>
            {navigations.data && <NavigationTable groups={navigations.data.groups} />}
          </section>
        </>
      )}
    </View>
  );
}

type VitalTableLoad = Loaded<{ thresholds: Thresholds; groups: VitalGroup[] }>;

function VitalTables(props: { metric: Vital; onMetric: (metric: Vital) => void; byRoute: VitalTableLoad; byBrowser: VitalTableLoad }) {
  const { metric, byRoute, byBrowser } = props;
  return (
    <section class="panel" aria-labelledby="perf-breakdown">
      <div class="perf-breakdown-head">
        <h3 id="perf-breakdown">Breakdown</h3>
        <label>
          Metric
          <select value={metric} onChange={(event) => props.onMetric(event.currentTarget.value as Vital)}>
            {VITALS.map((name) => (
              <option value={name}>
                {name} — {VITAL_NAMES[name]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div class="perf-breakdown">
        <div>
          <h4 class="perf-table-title">By route</h4>
          {byRoute.data && <VitalTable metric={metric} by="route" thresholds={byRoute.data.thresholds} groups={byRoute.data.groups} />}
        </div>
        <div>
          <h4 class="perf-table-title">By browser</h4>
          {byBrowser.data && <VitalTable metric={metric} by="browser" thresholds={byBrowser.data.thresholds} groups={byBrowser.data.groups} />}
        </div>
      </div>
    </section>
  );
}

// /demo/ is not one of the dashboard's routes: target=_blank makes the router leave the click to the browser.
function NoData() {
  return (
    <Empty title="No performance data yet">
      <p>
        Web Vitals and navigations arrive once pages run the Lookout agent. Install the snippet from{' '}
        <a href="/projects">Projects</a>, or open the <a href="/demo/" target="_blank" rel="noopener">demo apps</a> (opens in a new tab; they report to the default project) and click around to see data here within a minute.
      </p>
      <p class="hint">Already installed? Pick a longer time range above.</p>
    </Empty>
  );
}
