import { runInNewContext } from 'node:vm';
import { brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LOADER_METHODS, loaderSnippet } from '../../agent/src/loader.js';

/** Runs the snippet against a fake window and document. */
function runSnippet() {
  const listeners: Record<string, (e: unknown) => void> = {};
  const appended: Record<string, unknown>[] = [];
  const window: Record<string, unknown> = {
    addEventListener: (type: string, fn: (e: unknown) => void) => (listeners[type] = fn),
  };
  const document = {
    createElement: (tag: string) => ({ tag }),
    head: { appendChild: (el: Record<string, unknown>) => appended.push(el) },
  };
  runInNewContext(loaderSnippet('https://cdn.test/lookout.min.js'), { window, document });
  return { Lookout: window.Lookout as Record<string, (...a: unknown[]) => void> & { q: [string, ArrayLike<unknown>][] }, listeners, appended };
}

describe('loader snippet', () => {
  it('loads the agent asynchronously', () => {
    const { appended } = runSnippet();
    expect(appended).toEqual([{ tag: 'script', async: 1, src: 'https://cdn.test/lookout.min.js' }]);
  });

  it('queues calls made before the agent arrives', () => {
    const { Lookout } = runSnippet();
    for (const method of LOADER_METHODS) expect(typeof Lookout[method]).toBe('function');
    Lookout.init({ dsn: 'https://k@l.test/1' });
    Lookout.setTag('plan', 'pro');
    expect(Lookout.q.map(([name, args]) => [name, Array.from(args)])).toEqual([
      ['init', [{ dsn: 'https://k@l.test/1' }]],
      ['setTag', ['plan', 'pro']],
    ]);
  });

  it('keeps errors that happen before the agent arrives', () => {
    const { Lookout, listeners } = runSnippet();
    const event = { type: 'error', message: 'early' };
    listeners.error(event);
    listeners.unhandledrejection({ type: 'unhandledrejection', reason: 'nope' });
    expect(Lookout.q.map(([name]) => name)).toEqual(['_e', '_e']);
    expect(Lookout.q[0][1]).toBe(event);
  });

  it('is a few hundred bytes', () => {
    const snippet = loaderSnippet('https://cdn.test/lookout.min.js');
    expect(snippet.length).toBeLessThan(700);
    expect(brotliCompressSync(snippet).length).toBeLessThan(400);
  });
});
