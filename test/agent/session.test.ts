import { describe, expect, it, vi } from 'vitest';
import { SESSION_IDLE_MS, sampledIn, touchSession, uuid } from '../../agent/src/session.js';

function memoryStorage(): Storage {
  const data = new Map<string, string>();
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) } as Storage;
}

describe('uuid', () => {
  it('makes v4 UUIDs', () => {
    const ids = Array.from({ length: 200 }, uuid);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(200);
  });
});

describe('touchSession', () => {
  it('keeps the id while used, renews it after 30 minutes idle', () => {
    const store = memoryStorage();
    const t0 = 1_000_000;
    const id = touchSession(t0, store);
    expect(touchSession(t0 + SESSION_IDLE_MS - 1, store)).toBe(id);
    // Each use moves the idle window.
    expect(touchSession(t0 + 2 * SESSION_IDLE_MS - 2, store)).toBe(id);
    expect(touchSession(t0 + 3 * SESSION_IDLE_MS, store)).not.toBe(id);
  });

  it('reads the storage once per page (a synchronous load at first access), and writes every use', async () => {
    vi.resetModules();
    const fresh = await import('../../agent/src/session.js');
    const store = memoryStorage();
    store.setItem('lookout.session', JSON.stringify({ id: 'from-the-previous-page', t: 1000 }));
    const getItem = vi.spyOn(store, 'getItem');
    expect(fresh.touchSession(2000, store)).toBe('from-the-previous-page');
    expect(fresh.touchSession(3000, store)).toBe('from-the-previous-page');
    expect(getItem).toHaveBeenCalledTimes(1);
    // The next page of the tab continues from the last use.
    expect(JSON.parse(store.getItem('lookout.session')!)).toEqual({ id: 'from-the-previous-page', t: 3000 });
  });

  it('works without storage', () => {
    const broken = {
      getItem() {
        throw new Error('SecurityError');
      },
      setItem() {
        throw new Error('SecurityError');
      },
    } as unknown as Storage;
    const id = touchSession(5, broken);
    expect(touchSession(6, broken)).toBe(id);
  });
});

describe('sampledIn', () => {
  it('decides by the session id, so all pages of a session agree', () => {
    expect(sampledIn('00000000-0000-4000-8000-000000000000', 0.01)).toBe(true);
    expect(sampledIn('ffffffff-0000-4000-8000-000000000000', 0.99)).toBe(false);
    expect(sampledIn('80000000-0000-4000-8000-000000000000', 0.5)).toBe(false);
    expect(sampledIn('7fffffff-0000-4000-8000-000000000000', 0.5)).toBe(true);
  });

  it('samples about the share asked for', () => {
    const ids = Array.from({ length: 4000 }, uuid);
    const share = ids.filter((id) => sampledIn(id, 0.25)).length / ids.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.3);
    expect(ids.every((id) => sampledIn(id, 1))).toBe(true);
    expect(ids.some((id) => sampledIn(id, 0))).toBe(false);
  });
});
