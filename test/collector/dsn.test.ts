import { describe, expect, it } from 'vitest';
import { ingestUrl } from '../../agent/src/config.js';
import { projectDsn } from '../../collector/src/projects/dsn.js';

const project = { id: 3, ingestKey: 'abc123' };

describe('projectDsn', () => {
  it('leaves the default /api prefix implicit', () => {
    expect(projectDsn(project, 'http://127.0.0.1:8080', '/api')).toBe('http://abc123@127.0.0.1:8080/3');
  });

  it('spells out a custom ingest prefix and a public URL path, and the agent posts where the collector listens', () => {
    expect(projectDsn(project, 'https://example.com', '/collect')).toBe('https://abc123@example.com/collect/3');
    const behindProxy = projectDsn(project, 'https://example.com/lookout/', '/api');
    expect(behindProxy).toBe('https://abc123@example.com/lookout/api/3');
    expect(ingestUrl(behindProxy)).toBe('https://example.com/lookout/api/3/ingest?key=abc123');
  });
});
