/** Page loads and route changes per time bucket: how much of the traffic is SPA navigation. */
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import { count } from '../format.js';
import { Chart } from './chart.js';
import { bucketed } from './perf-vitals.js';

export interface NavigationSeries {
  since: number;
  until: number;
  step_ms: number;
  points: { t: number; page_loads: number; route_changes: number }[];
}

const countValue = (_u: uPlot, value: number | null) => (value === null ? '–' : count(value));

const OPTIONS: Omit<uPlot.Options, 'width' | 'height'> = {
  cursor: { drag: { x: false, y: false } },
  scales: { y: { range: (_u, _min, max) => [0, Math.max(max ?? 0, 1) * 1.1] } },
  axes: [{}, { size: 50 }],
  series: [
    {},
    { label: 'Page loads', stroke: '#1f7a8c', fill: 'rgba(31, 122, 140, 0.12)', width: 2, value: countValue },
    { label: 'Route changes', stroke: '#5a3fe0', fill: 'rgba(90, 63, 224, 0.10)', width: 2, value: countValue },
  ],
};

export function NavigationChart(props: { series: NavigationSeries }) {
  const data = useMemo<uPlot.AlignedData>(() => {
    const loads = bucketed(props.series, (point) => point.page_loads, 0);
    const changes = bucketed(props.series, (point) => point.route_changes, 0);
    return [loads.times, loads.values, changes.values];
  }, [props.series]);
  const totals = props.series.points.reduce((sum, point) => ({ loads: sum.loads + point.page_loads, changes: sum.changes + point.route_changes }), { loads: 0, changes: 0 });
  return <Chart options={OPTIONS} data={data} height={200} class="chart perf-chart" label={`Page loads and route changes over time: ${count(totals.loads)} page loads, ${count(totals.changes)} route changes in the range`} />;
}
