/**
 * checkTarget: resolve every address of a target and check each one on its own — the chain as
 * presented, our own verification against the trust store, hostname, key and signature strength,
 * old protocol versions, OCSP stapling and (opt-in) the responder. Never throws for a bad target.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import type { AddressResult, CertTarget, CheckOptions, CheckResult, OcspStatus, Verdict } from './contract.js';
import { describeCertificate } from './certificate.js';
import { handshake, type HandshakeTarget } from './handshake.js';
import { askResponder, parseOcspResponse } from './ocsp.js';
import { oldProtocolVerdicts, probeOldProtocols } from './protocols.js';
import { ocspVerdicts, strengthVerdicts, trustVerdicts, validityVerdicts, worstState } from './verdicts.js';
import { trustStore, verifyChain } from './verify.js';

export const DEFAULT_CHECK_OPTIONS: CheckOptions = { warnDays: 30, critDays: 14, ocsp: false, timeoutMs: 10_000 };

async function defaultResolve(host: string): Promise<{ address: string; family: 4 | 6 }[]> {
  const family = isIP(host);
  if (family) return [{ address: host, family: family as 4 | 6 }];
  const addresses = await lookup(host, { all: true, verbatim: true });
  return addresses.map(({ address, family }) => ({ address, family: family as 4 | 6 }));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function failed(address: string, family: 4 | 6, verdict: Verdict, error: string): AddressResult {
  return {
    address,
    family,
    connected: false,
    error,
    oldProtocolsAccepted: [],
    chain: [],
    ocsp: { stapled: false },
    verdicts: [verdict],
    state: 'critical',
  };
}

export async function checkAddress(
  target: CertTarget,
  address: { address: string; family: 4 | 6 },
  options: CheckOptions,
  now = Date.now(),
): Promise<AddressResult> {
  const serverName = target.serverName ?? target.host;
  const where: HandshakeTarget = { address: address.address, port: target.port, protocol: target.protocol, serverName };
  const [main, oldAccepted] = await Promise.all([
    handshake(where, { timeoutMs: options.timeoutMs, minVersion: 'TLSv1', requestOcsp: true }),
    probeOldProtocols(where, options.timeoutMs),
  ]);
  const endpoint = `${address.address}:${target.port}`;
  if (!main.ok) {
    const code = main.stage === 'starttls' ? 'starttls_failed' : 'connection_failed';
    const what = main.stage === 'starttls' ? `${target.protocol.toUpperCase()} STARTTLS with ${endpoint} failed` : `no TLS session with ${endpoint}`;
    return failed(address.address, address.family, { code, severity: 'critical', message: `${what}: ${main.error}` }, main.error);
  }

  let store;
  try {
    store = trustStore(options.caFile);
  } catch (error) {
    return failed(address.address, address.family, { code: 'chain_unverified', severity: 'critical', message: message(error) }, message(error));
  }
  const verification = verifyChain(main.presented, store);
  const chain = verification.chain.map((link, position) => describeCertificate(link.cert, position, link.presented, now));
  const leaf = main.presented[0]!;
  const hostnameError = checkServerIdentity(serverName, leaf.toLegacyObject())?.message;

  const issuer = verification.chain[1]?.cert;
  const ocsp: OcspStatus = { stapled: main.stapled !== null };
  if (main.stapled) {
    try {
      if (!issuer) throw new Error('the issuer is unknown, so the stapled response cannot be verified');
      ocsp.stapledStatus = parseOcspResponse(main.stapled, leaf, issuer).status;
    } catch (error) {
      ocsp.stapledError = `stapled response: ${message(error)}`;
    }
  }
  const url = chain[0]!.ocspUrls[0];
  if (options.ocsp && url) {
    if (!issuer) {
      ocsp.responder = { url, status: 'error', message: 'the issuer is unknown, so no OCSP request can name the certificate' };
    } else {
      try {
        const answer = await askResponder(url, leaf, issuer, options.timeoutMs);
        ocsp.responder = { url, status: answer.status, ...(answer.revokedAt ? { revokedAt: answer.revokedAt } : {}) };
      } catch (error) {
        const text = error instanceof Error && error.name === 'TimeoutError' ? `no answer from ${url} within ${options.timeoutMs} ms` : `${url}: ${message(error)}`;
        ocsp.responder = { url, status: 'error', message: text };
      }
    }
  }

  const verdicts: Verdict[] = [
    ...validityVerdicts(chain, options, now),
    ...trustVerdicts(verification, hostnameError, serverName),
    ...strengthVerdicts(chain),
    ...oldProtocolVerdicts(oldAccepted),
    ...ocspVerdicts({ ocsp }),
  ];
  return {
    address: address.address,
    family: address.family,
    connected: true,
    protocolVersion: main.protocolVersion,
    cipher: main.cipher,
    oldProtocolsAccepted: oldAccepted,
    chain,
    ocsp,
    verdicts,
    state: worstState(verdicts),
  };
}

export async function checkTarget(target: CertTarget, options: CheckOptions): Promise<CheckResult> {
  const checkedAt = Date.now();
  let addresses: { address: string; family: 4 | 6 }[];
  try {
    addresses = await (options.resolve ?? defaultResolve)(target.host);
    // One check per distinct address (a resolver may list one twice, e.g. per socket type).
    addresses = addresses.filter((a, i) => addresses.findIndex((b) => b.address === a.address) === i);
    if (addresses.length === 0) throw new Error(`${target.host} has no address`);
  } catch (error) {
    return { target, checkedAt, addresses: [], error: `cannot resolve ${target.host}: ${message(error)}`, state: 'unknown', minDaysLeft: null };
  }
  const results = await Promise.all(addresses.map((address) => checkAddress(target, address, options, checkedAt)));
  const days = results.flatMap((result) => result.chain.map((cert) => cert.daysLeft));
  return {
    target,
    checkedAt,
    addresses: results,
    state: worstState(results.flatMap((result) => (result.state === 'ok' ? [] : [{ severity: result.state } as Verdict]))),
    minDaysLeft: days.length ? Math.min(...days) : null,
  };
}
