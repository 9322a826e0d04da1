/**
 * Versions below TLS 1.2: offered alone, one handshake each (with the STARTTLS dialogue again
 * when there is one), so a server that still accepts TLS 1.0 or 1.1 is caught even though it
 * prefers 1.3 with a modern client.
 */
import type { SecureVersion } from 'node:tls';
import type { Verdict } from './contract.js';
import { handshake, type HandshakeTarget } from './handshake.js';

const OLD_VERSIONS: SecureVersion[] = ['TLSv1', 'TLSv1.1'];

export async function probeOldProtocols(target: HandshakeTarget, timeoutMs: number): Promise<string[]> {
  const accepted = await Promise.all(
    OLD_VERSIONS.map(async (version) => {
      const outcome = await handshake(target, { timeoutMs, minVersion: version, maxVersion: version });
      return outcome.ok && outcome.protocolVersion === version ? version : null;
    }),
  );
  return accepted.filter((version): version is SecureVersion => version !== null);
}

export function oldProtocolVerdicts(accepted: string[]): Verdict[] {
  if (accepted.length === 0) return [];
  return [{ code: 'old_protocol_accepted', severity: 'warning', message: `the server accepts ${accepted.join(' and ')} (below TLS 1.2)` }];
}
