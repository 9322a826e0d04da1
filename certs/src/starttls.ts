/**
 * Speaks a plain-text protocol just far enough to ask for TLS (RFC 3207 SMTP, RFC 3501 IMAP,
 * RFC 2595 POP3, RFC 4217 FTP, PostgreSQL's SSLRequest). Resolves once the server agreed, with
 * the socket paused and nothing left unread, ready for `tls.connect({ socket })`.
 */
import type { Socket } from 'node:net';
import type { CertProtocol } from './contract.js';

export class StarttlsError extends Error {}

/** Reads CRLF-terminated lines from a socket, one `next()` at a time. */
function lineReader(socket: Socket): { next(): Promise<string>; leftover(): number; stop(): void } {
  let buffered = '';
  let waiting: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;
  let failure: Error | undefined;
  const flush = (): void => {
    if (!waiting) return;
    const end = buffered.indexOf('\n');
    if (end >= 0) {
      const line = buffered.slice(0, end).replace(/\r$/, '');
      buffered = buffered.slice(end + 1);
      const { resolve } = waiting;
      waiting = undefined;
      resolve(line);
    } else if (failure) {
      const { reject } = waiting;
      waiting = undefined;
      reject(failure);
    }
  };
  const onData = (chunk: Buffer): void => {
    buffered += chunk.toString('latin1');
    // A server that never sends a newline must not make us buffer without bound.
    if (buffered.length > 64 * 1024) failure = new StarttlsError('the server sent a line longer than 64 KiB');
    flush();
  };
  const onEnd = (): void => {
    failure = new StarttlsError('the server closed the connection before the TLS upgrade');
    flush();
  };
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('close', onEnd);
  return {
    next: () =>
      new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        flush();
      }),
    leftover: () => buffered.length,
    stop: () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.pause();
    },
  };
}

/** Lines up to the last of a multi-line `NNN-…`/`NNN …` reply; returns the code and the lines. */
async function numericReply(next: () => Promise<string>): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  for (;;) {
    const line = await next();
    lines.push(line);
    const match = /^(\d{3})([ -]|$)/.exec(line);
    if (!match) throw new StarttlsError(`unexpected reply: ${JSON.stringify(line.slice(0, 200))}`);
    if (match[2] !== '-') return { code: Number(match[1]), lines };
  }
}

function expect(condition: boolean, what: string, reply: string): void {
  if (!condition) throw new StarttlsError(`${what}: ${JSON.stringify(reply.slice(0, 200))}`);
}

const greetings: Record<Exclude<CertProtocol, 'tls' | 'postgres'>, (socket: Socket, next: () => Promise<string>) => Promise<void>> = {
  smtp: async (socket, next) => {
    const greeting = await numericReply(next);
    expect(greeting.code === 220, 'the SMTP greeting is not 220', greeting.lines.join(' '));
    socket.write('EHLO lookout.invalid\r\n');
    const ehlo = await numericReply(next);
    expect(ehlo.code === 250, 'EHLO was refused', ehlo.lines.join(' '));
    expect(ehlo.lines.some((line) => /^250[ -]STARTTLS\b/i.test(line)), 'the server does not offer STARTTLS', ehlo.lines.join(' '));
    socket.write('STARTTLS\r\n');
    const ready = await numericReply(next);
    expect(ready.code === 220, 'STARTTLS was refused', ready.lines.join(' '));
  },
  imap: async (socket, next) => {
    const greeting = await next();
    expect(/^\* (OK|PREAUTH)\b/i.test(greeting), 'unexpected IMAP greeting', greeting);
    socket.write('a1 STARTTLS\r\n');
    for (;;) {
      const line = await next();
      if (line.startsWith('* ')) continue; // untagged (e.g. CAPABILITY)
      expect(/^a1 OK\b/i.test(line), 'STARTTLS was refused', line);
      return;
    }
  },
  pop3: async (socket, next) => {
    const greeting = await next();
    expect(greeting.startsWith('+OK'), 'unexpected POP3 greeting', greeting);
    socket.write('STLS\r\n');
    const reply = await next();
    expect(reply.startsWith('+OK'), 'STLS was refused', reply);
  },
  ftp: async (socket, next) => {
    const greeting = await numericReply(next);
    expect(greeting.code === 220, 'the FTP greeting is not 220', greeting.lines.join(' '));
    socket.write('AUTH TLS\r\n');
    const reply = await numericReply(next);
    expect(reply.code === 234, 'AUTH TLS was refused', reply.lines.join(' '));
  },
};

/** PostgreSQL: an 8-byte SSLRequest, answered by one byte, 'S' (go ahead) or 'N'. */
function postgresSslRequest(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = Buffer.alloc(8);
    request.writeInt32BE(8, 0);
    request.writeInt32BE(80877103, 4);
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      cleanup();
      socket.pause();
      if (chunk.length !== 1) reject(new StarttlsError(`unexpected SSLRequest reply of ${chunk.length} bytes`));
      else if (chunk[0] === 0x53) resolve();
      else reject(new StarttlsError(chunk[0] === 0x4e ? 'the server does not accept SSL (answered N)' : `unexpected SSLRequest reply 0x${chunk[0]!.toString(16)}`));
    };
    const onClose = (): void => {
      cleanup();
      reject(new StarttlsError('the server closed the connection before the TLS upgrade'));
    };
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.write(request);
  });
}

/** Runs the upgrade dialogue for `protocol` on a connected plain socket. */
export async function upgradeToTls(socket: Socket, protocol: Exclude<CertProtocol, 'tls'>): Promise<void> {
  if (protocol === 'postgres') return postgresSslRequest(socket);
  const reader = lineReader(socket);
  try {
    await greetings[protocol](socket, reader.next);
    // Bytes after the go-ahead would be a STARTTLS command injection (CVE-2011-0411 style).
    if (reader.leftover() > 0) throw new StarttlsError('the server sent data after agreeing to start TLS');
  } finally {
    reader.stop();
  }
}
