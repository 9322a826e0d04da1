import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import { Chart } from './chart.js';

const SPARK_OPTIONS: Omit<uPlot.Options, 'width' | 'height'> = {
  legend: { show: false },
  cursor: { show: false },
  select: { show: false, left: 0, top: 0, width: 0, height: 0 },
  scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(max, 1)] } },
  axes: [{ show: false }, { show: false }],
  series: [{}, { stroke: '#6a4cff', fill: 'rgba(106, 76, 255, 0.15)', width: 1, points: { show: false } }],
};

/** Events per hour over the last 24 hours, oldest first. */
export function Sparkline(props: { values: number[]; label: string }) {
  const data = useMemo<uPlot.AlignedData>(() => [props.values.map((_, index) => index), props.values], [props.values]);
  return <Chart options={SPARK_OPTIONS} data={data} height={28} label={props.label} class="sparkline" />;
}
