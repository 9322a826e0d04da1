/**
 * A page's embedded resources, found the way a browser's preload scanner does (scripts with a
 * src, stylesheets, icons, images; not links, not inline code), and fetched like a browser:
 * concurrently, at most N at once per host, each as its own request.
 */
import type { ResponseView } from './response.js';

export function htmlResourceUrls(page: ResponseView): URL[] {
  const type = page.headers['content-type']?.[0] ?? '';
  if (!/html/i.test(type)) return [];
  const root = page.html();
  const baseHref = root.querySelector('base[href]')?.getAttribute('href');
  const base = baseHref ? safeUrl(baseHref, page.url) ?? page.url : page.url;
  const found: string[] = [];
  for (const element of root.querySelectorAll('script[src], img[src], input[type=image][src], link[href]')) {
    if (element.tagName === 'LINK') {
      const rel = (element.getAttribute('rel') ?? '').toLowerCase().split(/\s+/);
      if (!rel.some((r) => r === 'stylesheet' || r === 'icon' || r === 'apple-touch-icon')) continue;
      found.push(element.getAttribute('href')!);
    } else {
      found.push(element.getAttribute('src')!);
    }
  }
  const unique = new Map<string, URL>();
  for (const raw of found) {
    const url = safeUrl(raw.trim(), base);
    if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
      url.hash = '';
      unique.set(url.href, url);
    }
  }
  return [...unique.values()];
}

function safeUrl(raw: string, base: URL): URL | undefined {
  try {
    return new URL(raw, base);
  } catch {
    return undefined;
  }
}

/** Runs `fetch` on every item, at most `perHost` at once for one host; results in the items' order. */
export async function fetchConcurrently<T, R>(items: T[], hostOf: (item: T) => string, perHost: number, fetch: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const byHost = new Map<string, number[]>();
  items.forEach((item, index) => {
    const host = hostOf(item);
    byHost.set(host, [...(byHost.get(host) ?? []), index]);
  });
  const workers: Promise<void>[] = [];
  for (const indexes of byHost.values()) {
    let nextIndex = 0;
    const worker = async () => {
      while (nextIndex < indexes.length) {
        const index = indexes[nextIndex++];
        results[index] = await fetch(items[index]);
      }
    };
    for (let i = 0; i < Math.min(Math.max(perHost, 1), indexes.length); i++) workers.push(worker());
  }
  await Promise.all(workers);
  return results;
}
