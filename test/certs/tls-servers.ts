/**
 * Node TLS servers on loopback presenting a given chain, for the certificate-checker tests and the
 * bench; and minimal plain-text servers (SMTP, IMAP, POP3, FTP, PostgreSQL SSLRequest) that speak
 * just enough of their protocol to upgrade to TLS. Every server is closed by its close().
 */
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createSecureContext, createServer, TLSSocket, type SecureContext, type Server, type TlsOptions } from 'node:tls';
import { promisify } from 'node:util';
import type { Issued } from './pki.js';

const run = promisify(execFile);

export interface Endpoint {
  host: string;
  port: number;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** The leaf's key and the PEM chain to present (leaf first). */
  key: string;
  cert: string;
  /** Default 127.0.0.1; 127.0.0.2 etc. also work on Linux. */
  host?: string;
  port?: number;
  /**
   * Old and weak: OpenSSL 3 at the default security level refuses to load SHA-1 or RSA-1024
   * certificates ("ca md too weak", "ee key too small") and to speak TLS 1.0/1.1;
   * `ciphers: 'DEFAULT@SECLEVEL=0'` lets Node serve them, `minVersion: 'TLSv1'` enables 1.0/1.1.
   */
  legacy?: boolean;
  /** A DER OCSP response stapled to every handshake that asks (see fetchOcspResponse). */
  staple?: Buffer;
  tls?: TlsOptions;
}

export function chainPem(...certs: Issued[]): string {
  return certs.map((cert) => cert.cert).join('');
}

function tlsOptions(options: ServeOptions): TlsOptions {
  return {
    key: options.key,
    cert: options.cert,
    ...(options.legacy ? { ciphers: 'DEFAULT@SECLEVEL=0', minVersion: 'TLSv1' as const } : {}),
    ...options.tls,
  };
}

function closeServer(server: TcpServer, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

function listen(server: TcpServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

function track(server: TcpServer): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  return sockets;
}

/** A TLS server that completes handshakes and closes each connection. */
export async function serveTls(options: ServeOptions): Promise<Endpoint & { server: Server }> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer(tlsOptions(options), (socket) => socket.end());
  server.on('tlsClientError', () => undefined);
  if (options.staple) {
    const staple = options.staple;
    server.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, callback: (error: Error | null, response?: Buffer) => void) => callback(null, staple));
  }
  const sockets = track(server);
  const port = await listen(server, host, options.port ?? 0);
  return { host, port, server, close: () => closeServer(server, sockets) };
}

/** A fresh OCSP response for `cert` from a real responder, via `openssl ocsp -respout`. */
export async function fetchOcspResponse(cert: Issued, issuer: Issued, url: string): Promise<Buffer> {
  const out = `${cert.certPath}.ocsp.der`;
  await run('openssl', ['ocsp', '-issuer', issuer.certPath, '-cert', cert.certPath, '-url', url, '-respout', out, '-noverify', '-no_nonce', '-timeout', '5']);
  const der = await readFile(out);
  await rm(out, { force: true });
  return der;
}

export type PlainProtocol = 'smtp' | 'imap' | 'pop3' | 'ftp' | 'postgres';

/**
 * How each minimal server behaves. `refuse`: says no to the upgrade (to test starttls_failed).
 * Each returns once the client asked for TLS and the server agreed.
 */
const dialogues: Record<PlainProtocol, (socket: Socket, refuse: boolean) => Promise<boolean>> = {
  smtp: (socket, refuse) =>
    lines(socket, '220 mx.test ESMTP ready\r\n', (line, say) => {
      if (/^EHLO /i.test(line)) say(refuse ? '250-mx.test\r\n250 SIZE 1000\r\n' : '250-mx.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n');
      else if (/^STARTTLS$/i.test(line)) return (say('220 2.0.0 go ahead\r\n'), true);
      else say('502 unknown\r\n');
      return false;
    }),
  imap: (socket, refuse) =>
    lines(socket, '* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n', (line, say) => {
      const [tag, command] = line.split(' ');
      if (/^STARTTLS$/i.test(command ?? '')) {
        if (refuse) return (say(`${tag} BAD no TLS here\r\n`), false);
        say('* CAPABILITY IMAP4rev1\r\n');
        return (say(`${tag} OK Begin TLS negotiation now\r\n`), true);
      }
      say(`${tag} BAD unknown\r\n`);
      return false;
    }),
  pop3: (socket, refuse) =>
    lines(socket, '+OK POP3 ready\r\n', (line, say) => {
      if (/^STLS$/i.test(line)) return refuse ? (say('-ERR no\r\n'), false) : (say('+OK begin TLS\r\n'), true);
      say('-ERR unknown\r\n');
      return false;
    }),
  ftp: (socket, refuse) =>
    lines(socket, '220-Welcome\r\n220 FTP ready\r\n', (line, say) => {
      if (/^AUTH TLS$/i.test(line)) return refuse ? (say('530 no\r\n'), false) : (say('234 AUTH TLS OK\r\n'), true);
      say('500 unknown\r\n');
      return false;
    }),
  postgres: (socket, refuse) =>
    new Promise((resolve) => {
      socket.once('data', (chunk: Buffer) => {
        const isSslRequest = chunk.length === 8 && chunk.readInt32BE(0) === 8 && chunk.readInt32BE(4) === 80877103;
        socket.write(isSslRequest && !refuse ? 'S' : 'N');
        resolve(isSslRequest && !refuse);
      });
    }),
};

function lines(socket: Socket, greeting: string, onLine: (line: string, say: (text: string) => void) => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    let buffered = '';
    const say = (text: string): void => void socket.write(text);
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('latin1');
      let end;
      while ((end = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, end).replace(/\r$/, '');
        buffered = buffered.slice(end + 1);
        if (onLine(line, say)) {
          socket.off('data', onData);
          return resolve(true);
        }
      }
    };
    socket.on('data', onData);
    socket.once('close', () => resolve(false));
    say(greeting);
  });
}

/** A plain-text server that upgrades to TLS (serving `options`) after its STARTTLS dialogue. */
export async function serveStarttls(protocol: PlainProtocol, options: ServeOptions & { refuse?: boolean }): Promise<Endpoint> {
  const host = options.host ?? '127.0.0.1';
  const context: SecureContext = createSecureContext(tlsOptions(options));
  const server = createTcpServer(async (socket) => {
    if (!(await dialogues[protocol](socket, options.refuse ?? false))) return void socket.end();
    const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
    secure.on('error', () => undefined);
    secure.once('secure', () => secure.end());
  });
  const sockets = track(server);
  const port = await listen(server, host, options.port ?? 0);
  return { host, port, close: () => closeServer(server, sockets) };
}
