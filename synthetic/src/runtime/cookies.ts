/**
 * A virtual user's cookie jar (RFC 6265, the parts a load test meets): Set-Cookie is parsed by
 * undici, stored per user, and sent back on matching requests — Domain (host-only without it,
 * the domain and its subdomains with it), Path (default: the request path's directory),
 * Expires/Max-Age (Max-Age wins; a past date deletes), Secure (only over https).
 */
import { getSetCookies, Headers } from 'undici';

interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  /** performance-independent wall clock (Date.now()); undefined for a session cookie. */
  expiresAt?: number;
  secure: boolean;
}

export interface CookieJar {
  /** Stores the Set-Cookie values of a response to `url`. */
  store(url: URL, setCookieHeaders: string[]): void;
  /** The Cookie header to send to `url`, or undefined when no cookie matches. */
  headerFor(url: URL): string | undefined;
  /** Sets a cookie directly (as if `domain` had sent it). */
  add(cookie: { name: string; value: string; domain: string; path?: string; secure?: boolean }): void;
  get(name: string, url?: URL): string | undefined;
  clear(): void;
}

function domainMatches(host: string, domain: string): boolean {
  return host === domain || (host.endsWith(`.${domain}`) && !/^[\d.]+$/.test(host));
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

function defaultPath(url: URL): string {
  const path = url.pathname;
  const lastSlash = path.lastIndexOf('/');
  return lastSlash <= 0 ? '/' : path.slice(0, lastSlash);
}

/** One per virtual user: its methods shared on the prototype (a closed model creates a user per request). */
class UserCookieJar implements CookieJar {
  private cookies: StoredCookie[] = [];

  private put(cookie: StoredCookie): void {
    this.cookies = this.cookies.filter((c) => !(c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path));
    if (cookie.expiresAt === undefined || cookie.expiresAt > Date.now()) this.cookies.push(cookie);
  }

  private matching(url: URL): StoredCookie[] {
    const now = Date.now();
    this.cookies = this.cookies.filter((c) => c.expiresAt === undefined || c.expiresAt > now);
    const host = url.hostname.toLowerCase();
    return this.cookies
      .filter((c) => (c.hostOnly ? host === c.domain : domainMatches(host, c.domain)) && pathMatches(url.pathname, c.path) && (!c.secure || url.protocol === 'https:'))
      .sort((a, b) => b.path.length - a.path.length);
  }

  store(url: URL, setCookieHeaders: string[]): void {
    if (setCookieHeaders.length === 0) return;
    const headers = new Headers();
    for (const value of setCookieHeaders) headers.append('set-cookie', value);
    const host = url.hostname.toLowerCase();
    for (const parsed of getSetCookies(headers)) {
      const domain = parsed.domain?.toLowerCase().replace(/^\./, '');
      if (domain && !domainMatches(host, domain)) continue; // a site may not set cookies for another
      let expiresAt: number | undefined;
      if (parsed.maxAge !== undefined) expiresAt = Date.now() + parsed.maxAge * 1000;
      else if (parsed.expires !== undefined) expiresAt = new Date(parsed.expires).getTime();
      this.put({
        name: parsed.name,
        value: parsed.value,
        domain: domain ?? host,
        hostOnly: !domain,
        path: parsed.path?.startsWith('/') ? parsed.path : defaultPath(url),
        expiresAt,
        secure: parsed.secure === true,
      });
    }
  }

  headerFor(url: URL): string | undefined {
    // Most users never receive a cookie: no lookup (no filtering, sorting, arrays) per request then.
    if (this.cookies.length === 0) return undefined;
    const found = this.matching(url);
    return found.length ? found.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  add(cookie: { name: string; value: string; domain: string; path?: string; secure?: boolean }): void {
    this.put({ name: cookie.name, value: cookie.value, domain: cookie.domain.toLowerCase().replace(/^\./, ''), hostOnly: false, path: cookie.path ?? '/', secure: cookie.secure === true });
  }

  get(name: string, url?: URL): string | undefined {
    const candidates = url ? this.matching(url) : this.cookies;
    return candidates.find((c) => c.name === name)?.value;
  }

  clear(): void {
    this.cookies = [];
  }
}

export function createCookieJar(): CookieJar {
  return new UserCookieJar();
}
