/**
 * Load-test runs (`lookout load run --report-to`) next to the release timeline: the Global p95
 * and error rate of each run over time, with a dashed line where each release was first seen,
 * and the runs as a table (newest first) with their labels — a git SHA or a release.
 */
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import { dateTime, ms, percent } from '../format.js';
import { Chart } from './chart.js';

export interface LoadRun {
  run_id: string;
  simulation: string;
  label: string | null;
  started_at: number;
  duration_ms: number;
  stop_reason: string;
  requests: number;
  ko: number;
  ko_percent: number;
  p95: number;
  rps: number;
  assertions: { passed: number; failed: number };
}

interface TrendPoint {
  run_id: string;
  started_at: number;
  p95: number | null;
  error_rate: number | null;
}

export interface LoadTrend {
  simulation: string;
  kind: 'global' | 'group' | 'request';
  name: string;
  points: TrendPoint[];
}

/** Release names are event data: drawn on the canvas as text, never as markup. */
function releaseMarkers(releases: { release: string | null; first_seen: number }[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const { ctx } = u;
        ctx.save();
        ctx.strokeStyle = '#9a9ab0';
        ctx.fillStyle = '#5d5d70';
        ctx.setLineDash([4, 4]);
        ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
        for (const release of releases) {
          const x = u.valToPos(release.first_seen / 1000, 'x', true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.fillText(release.release ?? '(no release)', x + 3 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
        }
        ctx.restore();
      },
    },
  };
}

/** The time axis covers the runs and the releases' first-seen times, padded (at least an hour). */
function timeRange(runs: LoadRun[], releases: { first_seen: number }[]): [number, number] {
  const times = [...runs.map((run) => run.started_at), ...releases.map((release) => release.first_seen)].map((ms) => ms / 1000);
  const min = Math.min(...times);
  const max = Math.max(...times);
  const pad = Math.max((max - min) * 0.05, 1800);
  return [min - pad, max + pad];
}

function trendOptions(runs: LoadRun[], releases: { release: string | null; first_seen: number }[]): Omit<uPlot.Options, 'width' | 'height'> {
  const [from, to] = timeRange(runs, releases);
  return {
    plugins: [releaseMarkers(releases)],
    scales: { x: { time: true, range: () => [from, to] }, ms: { range: (_u, _min, max) => [0, Math.max(max ?? 0, 1) * 1.15] }, rate: { range: (_u, _min, max) => [0, Math.max(max ?? 0, 0.01) * 1.15] } },
    axes: [{}, { scale: 'ms', size: 60, values: (_u, values) => values.map((value) => ms(value)) }, { scale: 'rate', side: 1, size: 60, grid: { show: false }, values: (_u, values) => values.map((value) => percent(value)) }],
    series: [
      {},
      { label: 'p95', scale: 'ms', stroke: '#5a3fe0', width: 2, points: { show: true, size: 6 }, value: (_u, value) => ms(value) },
      { label: 'Error rate', scale: 'rate', stroke: '#c3122f', width: 1, dash: [6, 3], points: { show: true, size: 5 }, value: (_u, value) => (value === null ? '–' : percent(value)) },
    ],
  };
}

export function LoadRuns(props: { runs: LoadRun[]; trends: LoadTrend[]; releases: { release: string | null; first_seen: number }[] }) {
  const global = props.trends.filter((trend) => trend.kind === 'global');
  const options = useMemo(() => trendOptions(props.runs, props.releases), [props.runs, props.releases]);
  return (
    <section class="panel" aria-labelledby="load-runs-heading">
      <h2 id="load-runs-heading">Load tests</h2>
      <p class="hint">Runs sent with <code>lookout load run --report-to … --label &lt;sha or release&gt;</code>: their p95 and error rate across runs; dashed lines are releases first seen.</p>
      {global.map((trend) => (
        <SimulationTrend trend={trend} options={options} />
      ))}
      <table>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Simulation</th>
            <th scope="col">Label</th>
            <th scope="col" class="num">Requests</th>
            <th scope="col" class="num">KO</th>
            <th scope="col" class="num">p95</th>
            <th scope="col" class="num">req/s</th>
            <th scope="col">Assertions</th>
          </tr>
        </thead>
        <tbody>
          {props.runs.map((run) => (
            <tr>
              <td>{dateTime(run.started_at)}</td>
              <td>{run.simulation}</td>
              <td class="mono">{run.label ?? '–'}</td>
              <td class="num">{run.requests}</td>
              <td class="num">{percent(run.ko_percent / 100)}</td>
              <td class="num">{ms(run.p95)}</td>
              <td class="num">{run.rps.toFixed(1)}</td>
              <td>
                <span class={run.assertions.failed ? 'badge bad' : 'badge good'}>
                  {run.assertions.failed ? `${run.assertions.failed} failed` : `${run.assertions.passed} passed`}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function SimulationTrend(props: { trend: LoadTrend; options: Omit<uPlot.Options, 'width' | 'height'> }) {
  const data = useMemo<uPlot.AlignedData>(
    () => [props.trend.points.map((point) => point.started_at / 1000), props.trend.points.map((point) => point.p95), props.trend.points.map((point) => point.error_rate)],
    [props.trend],
  );
  return (
    <>
      <h3>{props.trend.simulation}</h3>
      <Chart options={props.options} data={data} height={200} label={`${props.trend.simulation}: p95 and error rate of ${props.trend.points.length} runs`} />
    </>
  );
}
