import { describe, expect, it } from 'vitest';
import type { ErrorEvent } from '../../protocol/wire.js';
import { createCollapser, MAX_ERRORS_PER_VIEW } from '../../agent/src/collapse.js';

const error = (message: string, line = 10): ErrorEvent => ({
  kind: 'error',
  event_id: crypto.randomUUID(),
  timestamp: 0,
  url: 'http://app.test/',
  type: 'TypeError',
  message,
  frames: [{ function: 'render', file: 'http://app.test/app.js', line, column: 5 }],
});

describe('createCollapser', () => {
  it('folds identical errors into the queued one, with a count', () => {
    const queued = new Set<ErrorEvent>();
    const collapser = createCollapser((e) => queued.has(e));
    const first = error('x is undefined');
    expect(collapser.admit(first)).toBe(true);
    queued.add(first);
    expect(collapser.admit(error('x is undefined'))).toBe(false);
    expect(collapser.admit(error('x is undefined'))).toBe(false);
    expect(first.count).toBe(3);
  });

  it('keeps errors apart that differ in message or place', () => {
    const queued = new Set<ErrorEvent>();
    const collapser = createCollapser((e) => queued.has(e));
    const a = error('x is undefined');
    queued.add(a);
    expect(collapser.admit(a)).toBe(true);
    expect(collapser.admit(error('y is undefined'))).toBe(true);
    expect(collapser.admit(error('x is undefined', 11))).toBe(true);
    expect(a.count).toBeUndefined();
  });

  it('starts a new event once the burst was sent', () => {
    const queued = new Set<ErrorEvent>();
    const collapser = createCollapser((e) => queued.has(e));
    const first = error('boom');
    collapser.admit(first);
    queued.add(first);
    queued.delete(first); // the transport sent it
    const again = error('boom');
    expect(collapser.admit(again)).toBe(true);
    expect(first.count).toBeUndefined();
  });

  it('admits at most MAX_ERRORS_PER_VIEW errors per page view, still counting twins', () => {
    const queued = new Set<ErrorEvent>();
    const collapser = createCollapser((e) => queued.has(e));
    const admitted = Array.from({ length: 150 }, (_, i) => error('e' + i)).filter((e) => {
      const ok = collapser.admit(e);
      if (ok) queued.add(e);
      return ok;
    });
    expect(admitted).toHaveLength(MAX_ERRORS_PER_VIEW);
    expect(collapser.admit(error('e0'))).toBe(false);
    expect(admitted[0].count).toBe(2);
    collapser.reset(); // a new page view
    expect(collapser.admit(error('fresh'))).toBe(true);
  });
});
