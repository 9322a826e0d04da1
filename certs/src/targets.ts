/** `host[:port]` arguments into CertTargets, with each protocol's usual port. */
import { isIP } from 'node:net';
import type { CertProtocol, CertTarget } from './contract.js';

export const DEFAULT_PORTS: Record<CertProtocol, number> = { tls: 443, smtp: 25, imap: 143, pop3: 110, ftp: 21, postgres: 5432 };

/** `example.com`, `example.com:8443`, `192.0.2.1:443`, `[2001:db8::1]:443`, `2001:db8::1`. */
export function parseTarget(text: string, protocol: CertProtocol, serverName?: string): CertTarget {
  let host = text;
  let port: number = DEFAULT_PORTS[protocol];
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const withPort = /^([^:]+):(\d+)$/.exec(text);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (withPort) {
    host = withPort[1]!;
    port = Number(withPort[2]);
  }
  if (!host || (host.includes(':') && isIP(host) !== 6)) throw new Error(`not a host[:port]: ${text}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not a port: ${text}`);
  return { host, port, protocol, ...(serverName ? { serverName } : {}) };
}

export function targetLabel(target: CertTarget): string {
  return `${isIP(target.host) === 6 ? `[${target.host}]` : target.host}:${target.port}`;
}
