/**
 * One Web Vital: its p75 over the range (number and rating) and a uPlot chart of p75 per time
 * bucket, over horizontal bands for good / needs improvement / poor drawn from the thresholds.
 */
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import { count, vitalValue } from '../format.js';
import { Chart } from './chart.js';
import { axisValue, bucketed, RatingBadge, type Thresholds, type Vital, VITAL_NAMES } from './perf-vitals.js';

export interface VitalSeries {
  since: number;
  until: number;
  step_ms: number;
  thresholds: Thresholds;
  points: { t: number; p75: number; count: number }[];
}

export interface VitalSummary {
  thresholds: Thresholds;
  groups: { count: number; p75: number; good: number; needs_improvement: number; poor: number }[];
}

// Canvas colours: the --good / --ni / --poor of base.css, faint, so the line stays the thing to read.
const BANDS = { good: 'rgba(10, 125, 69, 0.10)', ni: 'rgba(163, 91, 0, 0.10)', poor: 'rgba(195, 18, 47, 0.10)' };

/** Fills the plot area in three horizontal bands; runs on every redraw, under grid and line. */
function drawBands(thresholds: Thresholds) {
  return (u: uPlot) => {
    const { left, top, width, height } = u.bbox;
    const bottom = top + height;
    const at = (value: number) => Math.min(Math.max(u.valToPos(value, 'y', true), top), bottom);
    const yGood = at(thresholds.good);
    const yPoor = at(thresholds.poor);
    const ctx = u.ctx;
    ctx.save();
    ctx.fillStyle = BANDS.good;
    ctx.fillRect(left, yGood, width, bottom - yGood);
    ctx.fillStyle = BANDS.ni;
    ctx.fillRect(left, yPoor, width, yGood - yPoor);
    ctx.fillStyle = BANDS.poor;
    ctx.fillRect(left, top, width, yPoor - top);
    ctx.restore();
  };
}

/** Dots when values are few, else isolated buckets (nulls around them) would not show at all. */
const fewPoints = (u: uPlot, seriesIndex: number) => (u.data[seriesIndex] as (number | null)[]).filter((value) => value !== null).length <= 40;

function vitalChartOptions(metric: Vital, thresholds: Thresholds): Omit<uPlot.Options, 'width' | 'height'> {
  return {
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    // Always show the poor threshold, so an all-good chart still shows how far it is from poor.
    scales: { y: { range: (_u, _min, max) => [0, Math.max(max ?? 0, thresholds.poor) * 1.15] } },
    axes: [{}, { values: (_u, splits) => splits.map((value) => axisValue(metric, value)), size: 60 }],
    series: [
      {},
      { label: `p75 ${metric}`, stroke: '#5a3fe0', width: 2, spanGaps: false, points: { size: 5, show: fewPoints }, value: (_u, value) => vitalValue(metric, value) },
    ],
    hooks: { drawClear: [drawBands(thresholds)] },
  };
}

export function VitalChart(props: { metric: Vital; series: VitalSeries; summary: VitalSummary | undefined }) {
  const { metric, series, summary } = props;
  const options = useMemo(() => vitalChartOptions(metric, series.thresholds), [metric, series.thresholds.good, series.thresholds.poor]);
  const data = useMemo<uPlot.AlignedData>(() => {
    const { times, values } = bucketed(series, (point) => point.p75);
    return [times, values];
  }, [series]);
  const overall = summary?.groups[0];
  return (
    <section class="panel perf-vital" aria-labelledby={`vital-${metric}`}>
      <div class="perf-vital-head">
        <h3 id={`vital-${metric}`}>
          {metric} <span class="muted perf-vital-name">{VITAL_NAMES[metric]}</span>
        </h3>
        {overall ? (
          <p class="perf-current">
            <span class="perf-current-value">{vitalValue(metric, overall.p75)}</span> <RatingBadge value={overall.p75} thresholds={series.thresholds} />
            <span class="muted"> p75 of {count(overall.count)}</span>
          </p>
        ) : (
          <p class="muted perf-current">No {metric} values in this range.</p>
        )}
      </div>
      <Chart options={options} data={data} height={180} class="chart perf-chart" label={chartLabel(metric, series, overall)} />
      <p class="hint perf-thresholds">
        Good ≤ {vitalValue(metric, series.thresholds.good)}, poor &gt; {vitalValue(metric, series.thresholds.poor)}
      </p>
    </section>
  );
}

/** What a screen reader hears instead of the canvas. */
function chartLabel(metric: Vital, series: VitalSeries, overall: VitalSummary['groups'][number] | undefined): string {
  if (!overall) return `${metric} p75 over time: no values in this range`;
  const last = series.points[series.points.length - 1];
  return `${metric} p75 over time: ${vitalValue(metric, overall.p75)} over the range, ${vitalValue(metric, last?.p75)} in the latest bucket`;
}
