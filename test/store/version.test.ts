import { describe, expect, it } from 'vitest';
import { displayUrl } from '../../collector/src/store/errors.js';
import { isSupportedClickHouseVersion, parseClickHouseVersion } from '../../collector/src/store/version.js';

describe('ClickHouse versions', () => {
  it('reads major and minor from what SELECT version() returns', () => {
    expect(parseClickHouseVersion('18.16.1')).toEqual([18, 16]);
    expect(parseClickHouseVersion('23.8.2.7\n')).toEqual([23, 8]);
    expect(parseClickHouseVersion('<html>nginx</html>')).toBeUndefined();
    expect(parseClickHouseVersion('')).toBeUndefined();
  });

  it('supports 23.8 and anything newer, compared as numbers', () => {
    expect(isSupportedClickHouseVersion('23.8.1.1')).toBe(true);
    expect(isSupportedClickHouseVersion('23.10.1')).toBe(true);
    expect(isSupportedClickHouseVersion('24.1.1')).toBe(true);
    expect(isSupportedClickHouseVersion('26.7.2.1')).toBe(true);
    expect(isSupportedClickHouseVersion('23.7.9')).toBe(false);
    expect(isSupportedClickHouseVersion('22.12.1')).toBe(false);
    expect(isSupportedClickHouseVersion('18.16.1')).toBe(false);
    expect(isSupportedClickHouseVersion('garbage')).toBe(false);
  });

  it('never shows credentials in messages', () => {
    expect(displayUrl('http://admin:s3cret@clickhouse:8123/')).toBe('http://clickhouse:8123');
    expect(displayUrl('https://ch.example/proxy/')).toBe('https://ch.example/proxy');
  });
});
