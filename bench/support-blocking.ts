/** Shared by bench:symbolicate-libs and bench:symbolicate: how long work blocks the event loop. */

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs `work` while a 1 ms ticker measures the longest gap between ticks (= blocking). */
export async function maxBlocking(work: () => Promise<unknown> | unknown): Promise<{ maxGapMs: number; totalMs: number }> {
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 20));
  maxGap = 0;
  last = performance.now();
  const t = performance.now();
  await work();
  const totalMs = performance.now() - t;
  await new Promise((r) => setTimeout(r, 5));
  clearInterval(timer);
  maxGap = Math.max(maxGap, performance.now() - last);
  return { maxGapMs: maxGap, totalMs };
}
