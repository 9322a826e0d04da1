import { describe, expect, it } from 'vitest';
import { ingestUrl, matches } from '../../agent/src/config.js';

describe('ingestUrl', () => {
  it('puts the key of the DSN in the query of the project ingest URL', () => {
    expect(ingestUrl('http://pk_123@lookout.test:8080/42')).toBe('http://lookout.test:8080/api/42/ingest?key=pk_123');
  });

  it('takes the path before the project id as the ingest prefix (--ingest-prefix, or a reverse proxy mount)', () => {
    expect(ingestUrl('https://pk@example.com/collect/42')).toBe('https://example.com/collect/42/ingest?key=pk');
    expect(ingestUrl('https://pk@example.com/lookout/api/42')).toBe('https://example.com/lookout/api/42/ingest?key=pk');
  });

  it('sends to the tunnel instead, with the key', () => {
    expect(ingestUrl('https://pk@lookout.test/42', '/monitoring')).toBe('/monitoring?key=pk');
    expect(ingestUrl('https://pk@lookout.test/42', '/t?x=1')).toBe('/t?x=1&key=pk');
  });

  it('refuses a DSN without key or project', () => {
    expect(() => ingestUrl('https://lookout.test/42')).toThrow();
    expect(() => ingestUrl('https://pk@lookout.test/')).toThrow();
  });
});

describe('matches', () => {
  it('matches substrings and patterns', () => {
    expect(matches('ResizeObserver loop limit exceeded', ['ResizeObserver loop'])).toBe(true);
    expect(matches('https://cdn.ads.test/x.js', [/ads\.test/])).toBe(true);
    expect(matches('https://app.test/x.js', ['ads', /tracker/])).toBe(false);
    expect(matches(undefined, ['x'])).toBe(false);
    expect(matches('x', undefined)).toBe(false);
  });
});
