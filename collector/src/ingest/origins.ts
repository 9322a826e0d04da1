/**
 * Allowed origins per project: `*`, an exact origin (`https://app.example.com`), or a
 * subdomain pattern (`https://*.example.com`).
 */
export function isOriginAllowed(origin: string, allowed: readonly string[]): boolean {
  const normalized = origin.toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.trim().toLowerCase().replace(/\/+$/, '');
    if (p === '*') return true;
    if (!p.includes('*')) return p === normalized;
    const [scheme, host] = p.split('://*.');
    if (host === undefined) return false;
    return normalized.startsWith(`${scheme}://`) && normalized.endsWith(`.${host}`);
  });
}
