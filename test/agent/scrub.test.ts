import { describe, expect, it } from 'vitest';
import { scrubUrl, withoutQueryValues } from '../../agent/src/scrub.js';

describe('scrubUrl', () => {
  it('replaces the values of sensitive query parameters and keeps the rest', () => {
    expect(scrubUrl('https://app.test/a?q=shoes&token=abc123&page=2')).toBe(
      'https://app.test/a?q=shoes&token=[redacted]&page=2',
    );
  });

  it('knows the usual names, in any case and as part of a longer key', () => {
    const url = scrubUrl(
      'https://a.test/?password=1&PWD=2&client_secret=3&sessionId=4&api_key=5&Authorization=6&X-Amz-Signature=7&otp=8&access_token=9',
    );
    expect(url).not.toMatch(/=\d/);
    expect(url.match(/\[redacted\]/g)).toHaveLength(9);
  });

  it('scrubs fragment parameters (OAuth implicit flow, hash routers)', () => {
    expect(scrubUrl('https://a.test/cb#access_token=xyz&state=s1')).toBe('https://a.test/cb#access_token=[redacted]&state=s1');
    expect(scrubUrl('https://a.test/#/reset?token=t&step=2')).toBe('https://a.test/#/reset?token=[redacted]&step=2');
  });

  it('leaves an empty value empty (a URL already stripped of its values stays as it was)', () => {
    expect(scrubUrl('https://a.test/api/fail?token=&page=')).toBe('https://a.test/api/fail?token=&page=');
  });

  it('leaves paths and harmless parameters alone', () => {
    const url = 'https://a.test/tokens/list?sort=name#top';
    expect(scrubUrl(url)).toBe(url);
  });

  it('takes another key pattern from init({ scrub })', () => {
    expect(scrubUrl('https://a.test/?email=a@b.c&token=t', /email/)).toBe('https://a.test/?email=[redacted]&token=t');
  });
});

describe('withoutQueryValues', () => {
  it('keeps query keys, drops their values and the fragment', () => {
    expect(withoutQueryValues('/api/users?id=42&name=Jane#x')).toBe('/api/users?id=&name=');
    expect(withoutQueryValues('https://api.test/v1/search?q=private+words')).toBe('https://api.test/v1/search?q=');
  });

  it('leaves a URL without query as it is', () => {
    expect(withoutQueryValues('https://api.test/v1/items/7')).toBe('https://api.test/v1/items/7');
  });
});
