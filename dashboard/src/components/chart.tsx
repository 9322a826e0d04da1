/**
 * A uPlot chart that follows its container's width. uPlot draws on canvas and styles through
 * the CSSOM, which the dashboard's Content-Security-Policy allows (no inline style attributes).
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartProps {
  /** uPlot options without width/height. */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height?: number;
  /** Read by screen readers instead of the canvas. */
  label: string;
  class?: string;
}

export function Chart({ options, data, height = 220, label, class: className }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = box.current!;
    plot.current = new uPlot({ ...options, width: Math.max(element.clientWidth, 100), height }, data, element);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(element.clientWidth, 100), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // A new series layout needs a new chart; new data alone does not.
  }, [options, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div ref={box} class={className ?? 'chart'} role="img" aria-label={label} />;
}
