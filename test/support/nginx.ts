/**
 * A private nginx instance for a test (Debian's `nginx` package), presenting certificates the test
 * made: several TLS server blocks in one process, each on a free loopback port (or sharing one
 * port and told apart by SNI).
 *
 * Everything lives in a temp dir: the generated nginx.conf, the pid file, the error log and the
 * temp paths (nothing touches /etc/nginx or /var/lib/nginx). nginx runs in the foreground with
 * `daemon off; master_process off;` — one process, our child, so stopping it is one signal.
 *
 * nginx applies `ssl_protocols` and `ssl_ciphers` per listening socket (the default server's,
 * chosen before SNI is read), so a block that enables TLS 1.0 needs a port of its own: don't
 * give it `samePortAs`.
 *
 * Also exports the small process helpers the exim4 helper shares (free port, wait for a port,
 * a supervised daemon that is stopped in afterAll and taken along if the test process dies).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from './ports.js';

export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

/** A port nobody listens on right now (the kernel's pick for port 0). */

async function accepts(address: string, port: number): Promise<boolean> {
  return await new Promise((done) => {
    const socket = connect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

export interface Daemon {
  child: ChildProcess;
  /** Its stdout and stderr so far. */
  output(): string;
  /** Why it exited, once it has. */
  exited(): string | undefined;
  /** SIGTERM to its process group, SIGKILL after 5 s. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Spawns a daemon in a process group of its own (so its forked children go with it on stop) and
 * kills that group should the test process exit without calling stop().
 */
export function spawnDaemon(bin: string, args: string[]): Daemon {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  let exitReason: string | undefined;
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      /* already gone */
    }
  };
  const killOnExit = () => signalGroup('SIGKILL');
  process.once('exit', killOnExit);
  const exitedPromise = new Promise<void>((done) => {
    child.once('exit', (code, signal) => {
      exitReason = `exit ${signal ?? code}`;
      process.off('exit', killOnExit);
      done();
    });
    child.once('error', (error) => {
      exitReason = error.message;
      process.off('exit', killOnExit);
      done();
    });
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.pid && exitReason === undefined) {
        signalGroup('SIGTERM');
        if ((await Promise.race([exitedPromise.then(() => 'exited' as const), delay(5_000).then(() => 'timeout' as const)])) === 'timeout') {
          signalGroup('SIGKILL');
          await Promise.race([exitedPromise, delay(5_000)]);
        }
      }
      // Forked children (exim's per-connection processes) share the group: leave none behind.
      if (child.pid) signalGroup('SIGKILL');
    })());
  return { child, output: () => output, exited: () => exitReason, stop };
}

/** Waits until every port accepts a TCP connection; fails early when the daemon exits. */
export async function waitForPorts(daemon: Daemon, ports: number[], what: string, address = '127.0.0.1', timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  for (const port of ports) {
    while (!(await accepts(address, port))) {
      const exited = daemon.exited();
      if (exited) throw new Error(`${what} exited during startup (${exited}):\n${daemon.output()}`);
      if (Date.now() - started > timeoutMs) throw new Error(`${what} did not listen on ${address}:${port} within ${timeoutMs} ms:\n${daemon.output()}`);
      await delay(50);
    }
  }
}

export interface NginxServer {
  /** The key of its port in `Nginx.ports`. */
  name: string;
  /** `server_name`; also the names to send as SNI. Default: none (`_`). */
  serverNames?: string[];
  /** PEM: the leaf, then whatever chain the server should present. */
  certificate: string;
  key: string;
  /** `ssl_protocols`; default `['TLSv1.2', 'TLSv1.3']`. */
  protocols?: string[];
  /** `ssl_ciphers`, e.g. `DEFAULT@SECLEVEL=0` (needed for TLS 1.0 with OpenSSL 3). */
  ciphers?: string;
  /** A DER OCSP response to staple (`ssl_stapling on; ssl_stapling_file`): nginx fetches nothing. */
  staplingFile?: string;
  /** Listen on the port of this other server (SNI picks the block); the first one on a port is `default_server`. */
  samePortAs?: string;
}

export interface Nginx {
  /** Server name → its port on 127.0.0.1. */
  ports: Record<string, number>;
  port(name: string): number;
  dir: string;
  config: string;
  /** nginx's error log and output so far. */
  log(): Promise<string>;
  /** Stops nginx and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

const quote = (value: string) => `"${value.replace(/(["\\])/g, '\\$1')}"`;

function serverBlock(server: NginxServer, port: number, isDefault: boolean): string {
  const lines = [
    `listen 127.0.0.1:${port} ssl${isDefault ? ' default_server' : ''};`,
    `server_name ${server.serverNames?.length ? server.serverNames.join(' ') : '_'};`,
    `ssl_certificate ${quote(server.certificate)};`,
    `ssl_certificate_key ${quote(server.key)};`,
    `ssl_protocols ${(server.protocols ?? ['TLSv1.2', 'TLSv1.3']).join(' ')};`,
    ...(server.ciphers ? [`ssl_ciphers ${quote(server.ciphers)};`] : []),
    ...(server.staplingFile ? ['ssl_stapling on;', `ssl_stapling_file ${quote(server.staplingFile)};`] : ['ssl_stapling off;']),
    `add_header X-Lookout-Server ${quote(server.name)};`,
    `return 200 ${quote(`${server.name}\n`)};`,
  ];
  return `  server {\n${lines.map((line) => `    ${line}`).join('\n')}\n  }`;
}

function nginxConfig(dir: string, servers: NginxServer[], ports: Record<string, number>): string {
  const d = (name: string) => quote(join(dir, name));
  const firstOnPort = new Set<number>();
  const blocks = servers.map((server) => {
    const port = ports[server.name]!;
    const isDefault = !firstOnPort.has(port);
    firstOnPort.add(port);
    return serverBlock(server, port, isDefault);
  });
  return `# Written by test/support/nginx.ts for one test run.
daemon off;
master_process off;
worker_processes 1;
pid ${d('nginx.pid')};
error_log ${d('logs/error.log')} info;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${d('tmp/body')};
  proxy_temp_path ${d('tmp/proxy')};
  fastcgi_temp_path ${d('tmp/fastcgi')};
  uwsgi_temp_path ${d('tmp/uwsgi')};
  scgi_temp_path ${d('tmp/scgi')};
  default_type text/plain;
${blocks.join('\n')}
}
`;
}

export async function startNginx(servers: NginxServer[]): Promise<Nginx> {
  if (!existsSync(NGINX_BIN)) throw new Error(`${NGINX_BIN} not found: install nginx (Debian: apt-get install nginx-light or nginx) or set NGINX_BIN`);
  const names = new Set(servers.map((server) => server.name));
  if (names.size !== servers.length) throw new Error('startNginx: server names must be unique');
  for (const server of servers) {
    if (server.samePortAs && !names.has(server.samePortAs)) throw new Error(`startNginx: ${server.name} shares the port of unknown server ${server.samePortAs}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'lookout-nginx-'));
  for (const sub of ['logs', 'tmp']) await mkdir(join(dir, sub));
  const configFile = join(dir, 'nginx.conf');
  const args = ['-p', `${dir}/`, '-c', configFile, '-e', join(dir, 'logs/error.log')];
  let daemon: Daemon | undefined;
  const stop = async () => {
    await daemon?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const log = async () => `${await readFile(join(dir, 'logs/error.log'), 'utf8').catch(() => '')}${daemon?.output() ?? ''}`;

  // A probed free port can be taken by a parallel test file before nginx binds it: try again with new ones.
  for (let attempt = 1; ; attempt++) {
    const ports: Record<string, number> = {};
    for (const server of servers) if (!server.samePortAs) ports[server.name] = await freePort();
    for (const server of servers) if (server.samePortAs) ports[server.name] = ports[server.samePortAs]!;
    const config = nginxConfig(dir, servers, ports);
    await writeFile(configFile, config);
    const test = spawnSync(NGINX_BIN, ['-t', ...args], { encoding: 'utf8', timeout: 15_000 });
    if (test.error || test.status !== 0) {
      await stop();
      throw new Error(`nginx -t: the test config is invalid (${test.error?.message ?? `exit ${test.status}`}):\n${test.stderr}\n${config}`);
    }
    daemon = spawnDaemon(NGINX_BIN, args);
    try {
      await waitForPorts(daemon, [...new Set(Object.values(ports))], 'nginx');
      return { ports, port: (name) => ports[name] ?? (() => { throw new Error(`no nginx server ${name}`); })(), dir, config, log, stop };
    } catch (error) {
      const text = await log();
      await daemon.stop();
      if (attempt < 3 && /Address already in use/.test(text)) continue;
      await stop();
      throw new Error(`${(error as Error).message}\n${text}`);
    }
  }
}
