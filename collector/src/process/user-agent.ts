/**
 * Browser, OS and device from the User-Agent (ua-parser-js 1.x: 2.x is AGPL-3.0).
 * Real traffic repeats a few hundred UA strings, so an LRU cache makes this nearly free.
 */
import { LRUCache } from 'lru-cache';
import { UAParser } from 'ua-parser-js';

export interface ClientInfo {
  browser_name: string;
  browser_version: string;
  os_name: string;
  os_version: string;
  device_type: string;
}

export function createUserAgentParser(maxEntries = 2000): (userAgent: string) => ClientInfo {
  const cache = new LRUCache<string, ClientInfo>({ max: maxEntries });
  return (userAgent) => {
    let info = cache.get(userAgent);
    if (!info) {
      info = parseUserAgent(userAgent);
      cache.set(userAgent, info);
    }
    return info;
  };
}

function parseUserAgent(userAgent: string): ClientInfo {
  const result = new UAParser(userAgent).getResult();
  return {
    browser_name: result.browser.name ?? '',
    // The major version is what people filter by; full versions explode cardinality.
    browser_version: result.browser.major ?? '',
    os_name: result.os.name ?? '',
    os_version: result.os.version ?? '',
    // ua-parser-js leaves desktop browsers without a device type.
    device_type: result.device.type ?? (userAgent ? 'desktop' : ''),
  };
}
