/**
 * One TLS handshake with one address: plain TCP, the STARTTLS dialogue when the protocol has one,
 * then TLS with SNI. Never rejects: the outcome says what failed. Verification is not Node's —
 * the context trusts nothing, so `getPeerX509Certificate()` walks exactly the presented chain
 * (verify.ts does the trust decisions).
 */
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, type ConnectionOptions, type SecureContext, type SecureVersion, type TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import type { CertProtocol } from './contract.js';
import { StarttlsError, upgradeToTls } from './starttls.js';

export interface HandshakeTarget {
  address: string;
  port: number;
  protocol: CertProtocol;
  serverName: string;
}

export type Handshake =
  | {
      ok: true;
      protocolVersion: string;
      cipher: string;
      /** The leaf first, then the presented certificates that chain from it. */
      presented: X509Certificate[];
      stapled: Buffer | null;
    }
  | { ok: false; stage: 'connect' | 'starttls' | 'tls'; error: string };

/**
 * Contexts are built once: SECLEVEL=0 and TLS 1.0 allowed so that weak keys, SHA-1 chains and
 * old-only servers still complete a handshake and can be reported rather than just refused.
 * `ca: []` is an empty trust store (no roots at all).
 */
const contexts = new Map<string, SecureContext>();
function contextFor(minVersion: SecureVersion, maxVersion: SecureVersion): SecureContext {
  const key = `${minVersion}-${maxVersion}`;
  let context = contexts.get(key);
  if (!context) {
    context = createSecureContext({ ca: [], ciphers: 'DEFAULT@SECLEVEL=0', minVersion, maxVersion });
    contexts.set(key, context);
  }
  return context;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function presentedChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  let cert = socket.getPeerX509Certificate();
  const seen = new Set<string>();
  while (cert && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  return chain;
}

/** Resolves with the connected socket, or rejects with a stage-tagged error. */
function openTcp(target: HandshakeTarget, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: target.address, port: target.port });
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    socket.once('error', fail);
    signal.addEventListener('abort', () => fail(new Error('timed out connecting')), { once: true });
    socket.once('connect', () => {
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

export async function handshake(
  target: HandshakeTarget,
  options: { timeoutMs: number; minVersion?: SecureVersion; maxVersion?: SecureVersion; requestOcsp?: boolean },
): Promise<Handshake> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  let plain: Socket | undefined;
  let secure: TLSSocket | undefined;
  try {
    try {
      plain = await openTcp(target, controller.signal);
    } catch (error) {
      return { ok: false, stage: 'connect', error: message(error) };
    }
    if (target.protocol !== 'tls') {
      const socket = plain;
      const aborted = new Promise<never>((_, reject) =>
        controller.signal.addEventListener('abort', () => reject(new StarttlsError('timed out in the STARTTLS dialogue')), { once: true }),
      );
      // A reset during the dialogue surfaces as 'close' in the dialogue; keep 'error' from throwing.
      socket.on('error', () => undefined);
      try {
        await Promise.race([upgradeToTls(socket, target.protocol), aborted]);
      } catch (error) {
        return { ok: false, stage: 'starttls', error: message(error) };
      }
    }
    const tls = await new Promise<{ socket: TLSSocket; stapled: Buffer | null } | { error: string }>((resolve) => {
      let stapled: Buffer | null = null;
      // requestOCSP works in connect() (it is passed to the TLSSocket) but is only typed on TLSSocket.
      const connectOptions: ConnectionOptions & { requestOCSP: boolean } = {
        socket: plain,
        // SNI must not be an IP address (RFC 6066 §3).
        servername: isIP(target.serverName) ? undefined : target.serverName,
        secureContext: contextFor(options.minVersion ?? 'TLSv1', options.maxVersion ?? 'TLSv1.3'),
        rejectUnauthorized: false,
        requestOCSP: options.requestOcsp ?? false,
      };
      const socket = tlsConnect(connectOptions);
      secure = socket;
      // Emitted with null when the server staples nothing.
      socket.on('OCSPResponse', (response: Buffer | null) => (stapled = response?.length ? response : null));
      socket.once('secureConnect', () => resolve({ socket, stapled }));
      socket.once('error', (error) => resolve({ error: message(error) }));
      controller.signal.addEventListener('abort', () => resolve({ error: 'timed out in the TLS handshake' }), { once: true });
    });
    if ('error' in tls) return { ok: false, stage: 'tls', error: tls.error };
    closePolitely(tls.socket);
    return {
      ok: true,
      protocolVersion: tls.socket.getProtocol() ?? 'unknown',
      cipher: tls.socket.getCipher()?.name ?? 'unknown',
      presented: presentedChain(tls.socket),
      stapled: tls.stapled,
    };
  } finally {
    clearTimeout(timer);
    secure?.on('error', () => undefined);
    plain?.on('error', () => undefined);
    if (!(secure && closing.has(secure))) {
      secure?.destroy();
      plain?.destroy();
    }
  }
}

const closing = new WeakSet<TLSSocket>();
const CLOSE_GRACE_MS = 1_000;

/**
 * After a completed handshake, end the session with close_notify instead of a reset: the server
 * then sees a finished handshake and a clean close (no "peer closed connection in SSL handshake"
 * in its log for every check). A server that does not close its side within a second is cut off.
 */
function closePolitely(socket: TLSSocket): void {
  closing.add(socket);
  const force = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
  force.unref();
  socket.once('close', () => clearTimeout(force));
  socket.resume(); // drain whatever the server sends before its close
  socket.end();
}
