/**
 * A private exim4 instance for a test (Debian's exim4-daemon-light): an SMTP server that
 * advertises STARTTLS on a free loopback port, the same on a second port playing "submission"
 * (587-style: the same protocol, another port), and optionally SMTPS (TLS from the first byte,
 * `tls_on_connect_ports`, 465-style).
 *
 * Nothing is delivered: there are no routers, and RCPT is refused. Everything lives in a temp
 * dir: the config, spool, logs and pid file. exim runs in the foreground (`-bdf`) as root —
 * with `-C` exim keeps root (needed to read the spool as `exim_user = root`) only for root, and it
 * refuses a config file that is not owned by root or is writable by group/others, so the file is
 * written 0600 and a non-root run fails with that said.
 *
 * exim's TLS library on Debian is GnuTLS: `tls_require_ciphers` would take a GnuTLS priority
 * string, not an OpenSSL cipher list; the test config leaves it at the default.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnDaemon, waitForPorts, type Daemon } from './nginx.js';
import { freePort } from './ports.js';

export const EXIM4_BIN = process.env.EXIM4_BIN ?? '/usr/sbin/exim4';

export interface Exim4Certificate {
  /** PEM: the leaf, then the chain to present. */
  certificate: string;
  key: string;
}

export interface StartExim4Options extends Exim4Certificate {
  /** What the submission port presents instead (exim expands tls_certificate per connection). */
  submission?: Exim4Certificate;
  /** Also listen with TLS from the first byte (SMTPS). */
  smtps?: boolean;
  /** `primary_hostname`, shown in the banner. Default `mail.test`. */
  hostname?: string;
  /**
   * The loopback address to listen on; default 127.0.0.1. Another 127/8 address lets a test take
   * a well-known port (587) without colliding with anything on 127.0.0.1 — tools that pick
   * STARTTLS by port number (ssl-cert-check) need it.
   */
  address?: string;
  /** A fixed submission port (e.g. 587, with `address`); default a free one. */
  submissionPort?: number;
  /**
   * `tls_require_ciphers`: a GnuTLS priority string (exim on Debian links GnuTLS), e.g.
   * `NORMAL:-VERS-TLS1.0:-VERS-TLS1.1`. Default: GnuTLS's own default, which still accepts TLS 1.0 and 1.1.
   */
  tlsPriority?: string;
}

export interface Exim4 {
  address: string;
  smtpPort: number;
  submissionPort: number;
  smtpsPort?: number;
  dir: string;
  config: string;
  /** exim's main and panic logs and its output so far. */
  log(): Promise<string>;
  /** Stops exim and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

function eximConfig(dir: string, options: StartExim4Options, ports: { smtp: number; submission: number; smtps?: number }): string {
  // exim's list separator is ':'; paths in a temp dir carry none, but say so rather than break oddly.
  for (const path of [options.certificate, options.key, options.submission?.certificate, options.submission?.key, dir]) {
    if (path && /[:$\\\n]/.test(path)) throw new Error(`startExim4: the path ${path} has a character exim's config would read differently`);
  }
  const perPort = (submission: string | undefined, smtp: string) =>
    submission ? `\${if =={$received_port}{${ports.submission}}{${submission}}{${smtp}}}` : smtp;
  const listening = [ports.smtp, ports.submission, ...(ports.smtps ? [ports.smtps] : [])];
  return `# Written by test/support/exim4.ts for one test run.
primary_hostname = ${options.hostname ?? 'mail.test'}
exim_user = root
exim_group = root
never_users =
keep_environment =
spool_directory = ${dir}/spool
log_file_path = ${dir}/log/%slog
pid_file_path = ${dir}/exim.pid
local_interfaces = <; ${options.address ?? '127.0.0.1'}
daemon_smtp_ports = ${listening.join(' : ')}
${ports.smtps ? `tls_on_connect_ports = ${ports.smtps}` : ''}
# No reverse or ident lookups: a test box may have no DNS.
host_lookup =
rfc1413_hosts =
smtp_banner = $primary_hostname ESMTP lookout-test
tls_advertise_hosts = *
tls_certificate = ${perPort(options.submission?.certificate, options.certificate)}
tls_privatekey = ${perPort(options.submission?.key, options.key)}
${options.tlsPriority ? `tls_require_ciphers = ${options.tlsPriority}` : ''}
acl_smtp_rcpt = acl_check_rcpt

begin acl
acl_check_rcpt:
  deny message = this test server delivers nothing

begin routers
begin transports
`;
}

export async function startExim4(options: StartExim4Options): Promise<Exim4> {
  if (!existsSync(EXIM4_BIN)) throw new Error(`${EXIM4_BIN} not found: install exim4 (Debian: apt-get install exim4-daemon-light) or set EXIM4_BIN`);
  if (process.getuid?.() !== 0) {
    throw new Error('startExim4 runs exim4 with its own config (-C), which exim honours with root privileges only for root: run the test as root (CI does)');
  }
  const address = options.address ?? '127.0.0.1';
  const dir = await mkdtemp(join(tmpdir(), 'lookout-exim4-'));
  for (const sub of ['spool', 'log']) await mkdir(join(dir, sub));
  const configFile = join(dir, 'exim4.conf');
  let daemon: Daemon | undefined;
  const stop = async () => {
    await daemon?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const log = async () => {
    const files = await readdir(join(dir, 'log')).catch(() => [] as string[]);
    const logs = await Promise.all(files.map(async (file) => `--- ${file}\n${await readFile(join(dir, 'log', file), 'utf8').catch(() => '')}`));
    return `${logs.join('\n')}${daemon ? `\n--- output\n${daemon.output()}` : ''}`;
  };

  // A probed free port can be taken by a parallel test file before exim binds it: try again with new ones.
  for (let attempt = 1; ; attempt++) {
    const ports = {
      smtp: await freePort(address),
      submission: options.submissionPort ?? (await freePort(address)),
      smtps: options.smtps ? await freePort(address) : undefined,
    };
    let config: string;
    try {
      config = eximConfig(dir, options, ports);
    } catch (error) {
      await stop();
      throw error;
    }
    await writeFile(configFile, config, { mode: 0o600 });
    await chmod(configFile, 0o600);
    const check = spawnSync(EXIM4_BIN, ['-C', configFile, '-bV'], { encoding: 'utf8', timeout: 15_000 });
    if (check.error || check.status !== 0) {
      await stop();
      throw new Error(`exim4 -bV: the test config is invalid (${check.error?.message ?? `exit ${check.status}`}):\n${check.stdout}${check.stderr}\n${config}`);
    }
    daemon = spawnDaemon(EXIM4_BIN, ['-C', configFile, '-bdf']);
    const listening = [ports.smtp, ports.submission, ...(ports.smtps ? [ports.smtps] : [])];
    try {
      await waitForPorts(daemon, listening, 'exim4', address);
      return { address, smtpPort: ports.smtp, submissionPort: ports.submission, smtpsPort: ports.smtps, dir, config, log, stop };
    } catch (error) {
      const text = await log();
      await daemon.stop();
      if (attempt < 3 && options.submissionPort === undefined && /Address already in use/i.test(text)) continue;
      await stop();
      throw new Error(`${(error as Error).message}\n${text}`);
    }
  }
}
