/**
 * A real, isolated Icinga 2 daemon for a test (Debian's `icinga2` package).
 *
 * Everything lives in a temp dir: its own icinga2.conf, a CA and certificates (made with openssl,
 * or `icinga2 pki new-ca` / `new-cert` / `sign-csr` when openssl is missing; DataDir points into
 * the temp dir, so nothing touches /etc/icinga2 or /var/lib/icinga2), state, logs and pid file. The API listens on
 * 127.0.0.1 on a free port with the certificate of `localhost`. It defines:
 *   - ApiUser `lookout` (password) and `lookout-cert` (client certificate, CN `lookout-client`),
 *     both with only `actions/process-check-result`, as docs/icinga2.md tells users to;
 *   - ApiUser `reader` with `objects/query/Service` and `objects/query/Host`, for the test to
 *     read states back;
 *   - Host `shop` and the passive Service `lookout-errors` on it (check_command `passive`,
 *     active checks on so a result's ttl running out turns it UNKNOWN).
 * A missing `icinga2` fails with what to install: never a silent skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from './ports.js';

export const ICINGA2_BIN = process.env.ICINGA2_BIN ?? '/usr/sbin/icinga2';

export interface Icinga2User {
  username: string;
  password: string;
}

export interface ServiceState {
  /** 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
  state: number;
  /** Whether a check result has arrived (or a check ran) since the daemon started. */
  lastCheckResult: {
    /** 0 for passive results: Icinga keeps the submitted exit status as `state`. */
    exit_status: number;
    state: number;
    output: string;
    performance_data: string[];
    check_source: string;
    ttl?: number;
  } | null;
  nextCheck: number;
}

export interface Icinga2 {
  /** `https://localhost:<port>` (the server certificate is for `localhost`). */
  url: string;
  port: number;
  /** The CA that signed the server (and client) certificates. */
  caFile: string;
  /** A client certificate (CN `lookout-client`) mapped to ApiUser `lookout-cert`. */
  clientCertFile: string;
  clientKeyFile: string;
  users: { lookout: Icinga2User; reader: Icinga2User };
  /** How long the API took to answer after the daemon was spawned (certificates not included). */
  startupMs: number;
  /** The temp dir holding everything (removed by `stop`). */
  dir: string;
  /** The daemon's log so far (stdout and stderr). */
  output(): string;
  /** Reads a service's state through the API as `reader`. */
  serviceState(host: string, service: string): Promise<ServiceState>;
  /** Stops the daemon (SIGTERM, then SIGKILL after a while) and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartIcinga2Options {
  /** Longest wait for the API to answer. Default 60 s. */
  timeoutMs?: number;
  /** Extra config appended to icinga2.conf (more hosts/services). */
  extraConfig?: string;
}

const HOST = 'shop';
const SERVICE = 'lookout-errors';


function run(args: string[], timeoutMs = 30_000): string {
  const result = spawnSync(ICINGA2_BIN, args, { encoding: 'utf8', timeout: timeoutMs });
  const out = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit ${result.status ?? result.signal}`;
    throw new Error(`icinga2 ${args.join(' ')} failed (${why}):\n${out}`);
  }
  return out;
}

const q = (text: string) => JSON.stringify(text);

/** openssl, unless ICINGA2_TEST_PKI=icinga2 asks for `icinga2 pki`. */
const OPENSSL = process.env.ICINGA2_TEST_PKI === 'icinga2' ? undefined : ['/usr/bin/openssl', '/usr/local/bin/openssl'].find((path) => existsSync(path));

function openssl(args: string[], cwd: string): void {
  const result = spawnSync(OPENSSL!, args, { encoding: 'utf8', timeout: 30_000, cwd });
  if (result.error || result.status !== 0) {
    throw new Error(`openssl ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}`);
  }
}

/** The CA (data/ca/ca.{crt,key}), the server's certificate for `localhost` and a client certificate. */
function opensslCertificates(d: (name: string) => string): void {
  const ca = d('data/ca');
  mkdirSync(ca, { recursive: true });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Lookout test Icinga CA', '-keyout', `${ca}/ca.key`, '-out', `${ca}/ca.crt`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], d('.'));
  const leaf = (cn: string, base: string, san: string) => {
    const ext = `${base}.ext`;
    writeFileSync(ext, `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${san}\n`);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${base}.key`, '-out', `${base}.csr`], d('.'));
    openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', `${ca}/ca.crt`, '-CAkey', `${ca}/ca.key`, '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', `${base}.crt`], d('.'));
  };
  leaf('localhost', d('data/certs/localhost'), 'DNS:localhost,IP:127.0.0.1');
  leaf('lookout-client', d('pki/lookout-client'), 'DNS:lookout-client');
}

export async function startIcinga2(options: StartIcinga2Options = {}): Promise<Icinga2> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (!existsSync(ICINGA2_BIN)) {
    throw new Error(`${ICINGA2_BIN} not found: install Icinga 2 (Debian: apt-get install icinga2) or set ICINGA2_BIN`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'lookout-icinga2-'));
  const d = (name: string) => join(dir, name);
  for (const sub of ['etc', 'data', 'data/certs', 'log', 'cache', 'spool', 'run', 'pki']) await mkdir(d(sub), { recursive: true });

  const uid = process.getuid?.() ?? 0;
  const user = uid === 0 ? 'root' : (process.env.USER ?? 'root');
  const defines = [
    `Configuration.ConfigDir=${d('etc')}`,
    `Configuration.DataDir=${d('data')}`,
    `Configuration.LogDir=${d('log')}`,
    `Configuration.CacheDir=${d('cache')}`,
    `Configuration.SpoolDir=${d('spool')}`,
    `Configuration.InitRunDir=${d('run')}`,
    `Configuration.PidPath=${d('run/icinga2.pid')}`,
    `Configuration.StatePath=${d('data/icinga2.state')}`,
    `Configuration.ModAttrPath=${d('data/modified-attributes.conf')}`,
    `Configuration.ObjectsPath=${d('cache/icinga2.debug')}`,
    `Configuration.VarsPath=${d('cache/icinga2.vars')}`,
    `Configuration.RunAsUser=${user}`,
    `Configuration.RunAsGroup=${uid === 0 ? 'root' : user}`,
  ].flatMap((define) => ['-D', define]);

  let child: ChildProcess | undefined;
  let output = '';
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child && child.exitCode === null && child.signalCode === null && child.pid) {
      const exited = new Promise<void>((done) => child!.once('exit', () => done()));
      const signalGroup = (signal: NodeJS.Signals) => {
        try {
          process.kill(-child!.pid!, signal);
        } catch {
          /* already gone */
        }
      };
      signalGroup('SIGTERM');
      const timer = delay(15_000).then(() => 'timeout' as const);
      if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
        signalGroup('SIGKILL');
        await Promise.race([exited, delay(5_000)]);
      }
      // The daemon's helper processes share its process group: make sure none is left.
      signalGroup('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    // Certificates: a CA in DataDir/ca, the node's certificate in DataDir/certs (where the
    // ApiListener looks for `<NodeName>.crt`), and a client certificate for `lookout-cert`.
    // openssl with RSA-2048 keys takes well under a second; `icinga2 pki` (RSA-4096, the same
    // layout) takes 4–6 s on a 2-core box, so it is only the fallback when openssl is missing.
    if (OPENSSL) {
      opensslCertificates(d);
    } else {
      run(['pki', 'new-ca', ...defines]);
      const pki = (cn: string, base: string) => {
        run(['pki', 'new-cert', ...defines, '--cn', cn, '--key', `${base}.key`, '--csr', `${base}.csr`]);
        run(['pki', 'sign-csr', ...defines, '--csr', `${base}.csr`, '--cert', `${base}.crt`]);
      };
      pki('localhost', d('data/certs/localhost'));
      pki('lookout-client', d('pki/lookout-client'));
    }
    await copyFile(d('data/ca/ca.crt'), d('data/certs/ca.crt'));

    const port = await freePort();
    const lookout = { username: 'lookout', password: `lookout-${Math.random().toString(36).slice(2)}` };
    const reader = { username: 'reader', password: `reader-${Math.random().toString(36).slice(2)}` };
    const config = `// Written by test/support/icinga2.ts for one test run.
const NodeName = "localhost"
const ZoneName = NodeName
const TicketSalt = ""

include <itl>

object Endpoint NodeName {}
object Zone ZoneName { endpoints = [ NodeName ] }
object FileLogger "main-log" { severity = "information"; path = LogDir + "/icinga2.log" }
object CheckerComponent "checker" {}

object ApiListener "api" {
  bind_host = "127.0.0.1"
  bind_port = ${port}
  accept_config = false
  accept_commands = false
}

object ApiUser ${q(lookout.username)} {
  password = ${q(lookout.password)}
  permissions = [ "actions/process-check-result" ]
}
object ApiUser "lookout-cert" {
  client_cn = "lookout-client"
  permissions = [ "actions/process-check-result" ]
}
object ApiUser ${q(reader.username)} {
  password = ${q(reader.password)}
  permissions = [ "objects/query/Service", "objects/query/Host" ]
}

object Host ${q(HOST)} {
  check_command = "dummy"
  enable_active_checks = false
}

object Service ${q(SERVICE)} {
  host_name = ${q(HOST)}
  check_command = "passive"
  enable_active_checks = true
  check_interval = 1h
  retry_interval = 1h
  max_check_attempts = 1
}
${options.extraConfig ?? ''}
`;
    const configFile = d('etc/icinga2.conf');
    await writeFile(configFile, config);

    // Validate first: a broken config fails here with icinga2's own words.
    const check = spawnSync(ICINGA2_BIN, ['daemon', '-C', ...defines, '-c', configFile], { encoding: 'utf8', timeout: 30_000 });
    if (check.error || check.status !== 0) {
      throw new Error(`icinga2 daemon -C: the test config is invalid (${check.error?.message ?? `exit ${check.status}`}):\n${check.stdout}${check.stderr}`);
    }

    const started = Date.now();
    child = spawn(ICINGA2_BIN, ['daemon', ...defines, '-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    let exitedEarly: string | undefined;
    // Should the test process end without stop() (a crash, a killed worker), take the daemon along.
    const killOnExit = () => {
      try {
        process.kill(-child!.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    process.once('exit', killOnExit);
    child.once('exit', (code, signal) => {
      exitedEarly = `exit ${signal ?? code}`;
      process.off('exit', killOnExit);
    });
    child.once('error', (error) => (exitedEarly = error.message));

    const url = `https://localhost:${port}`;
    const caFile = d('data/certs/ca.crt');
    const ca = await readFile(caFile);
    const query = async (path: string): Promise<{ status: number; body: string }> =>
      await new Promise((done, fail) => {
        const req = request(
          `${url}${path}`,
          { ca, auth: `${reader.username}:${reader.password}`, headers: { accept: 'application/json' }, timeout: 10_000 },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => done({ status: res.statusCode ?? 0, body }));
            res.on('error', fail);
          },
        );
        req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
        req.on('error', fail);
        req.end();
      });

    let lastError = '';
    for (;;) {
      if (exitedEarly) throw new Error(`icinga2 exited during startup (${exitedEarly}):\n${output}`);
      try {
        const answer = await query(`/v1/objects/services?service=${encodeURIComponent(`${HOST}!${SERVICE}`)}&attrs=state`);
        if (answer.status === 200) break;
        lastError = `HTTP ${answer.status}: ${answer.body.slice(0, 300)}`;
      } catch (error) {
        lastError = (error as Error).message;
      }
      if (Date.now() - started > timeoutMs) {
        throw new Error(`icinga2's API did not answer on ${url} within ${timeoutMs} ms (last: ${lastError}):\n${output}`);
      }
      await delay(100);
    }
    const startupMs = Date.now() - started;

    const serviceState = async (host: string, service: string): Promise<ServiceState> => {
      const path = `/v1/objects/services?service=${encodeURIComponent(`${host}!${service}`)}&attrs=state&attrs=last_check_result&attrs=next_check`;
      const answer = await query(path);
      if (answer.status !== 200) throw new Error(`GET ${path}: HTTP ${answer.status}: ${answer.body.slice(0, 500)}`);
      const attrs = (JSON.parse(answer.body) as { results: { attrs: { state: number; last_check_result: ServiceState['lastCheckResult']; next_check: number } }[] }).results[0]?.attrs;
      if (!attrs) throw new Error(`GET ${path}: no such service`);
      return { state: attrs.state, lastCheckResult: attrs.last_check_result, nextCheck: attrs.next_check };
    };

    return {
      url,
      port,
      caFile,
      clientCertFile: d('pki/lookout-client.crt'),
      clientKeyFile: d('pki/lookout-client.key'),
      users: { lookout, reader },
      startupMs,
      dir,
      output: () => output,
      serviceState,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
