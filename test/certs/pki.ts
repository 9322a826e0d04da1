/**
 * A private test PKI made on demand by the real `openssl` binary in a temp dir: a root CA,
 * intermediates, leaves with chosen SANs, validity windows, key types and digests, self-signed
 * certificates, revocation through the CA's index.txt and a real `openssl ocsp` responder.
 *
 * Every certificate is issued by `openssl ca` (not `x509 -req`) because only `ca` takes an
 * explicit -startdate/-enddate in OpenSSL 3.0 (expired, not-yet-valid and "valid N days"
 * certificates) and keeps the index.txt the OCSP responder answers from.
 *
 *   const pki = await createPki();
 *   const inter = await pki.intermediate({ name: 'inter' });
 *   const leaf = await pki.leaf({ name: 'www', sans: ['localhost'], issuer: inter });
 *   tls.createServer({ key: leaf.key, cert: leaf.cert + inter.cert })…
 *   await pki.cleanup();
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/ports.js';

const run = promisify(execFile);

export type KeyKind = 'rsa2048' | 'rsa1024' | 'ec256' | 'ec384';
export type Digest = 'sha256' | 'sha1' | 'sha384';

/** A certificate with its key, as PEM strings and as file paths. */
export interface Issued {
  name: string;
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
  /** Serial as openssl prints it (uppercase hex). */
  serial: string;
  /** The issuing CA, undefined for self-signed certificates and the root. */
  issuer?: IssuingCa;
}

/** A certificate that can issue others (root or intermediate): has its own openssl ca database. */
export interface IssuingCa extends Issued {
  dir: string;
  configPath: string;
  indexPath: string;
}

export interface Validity {
  /** Days of validity starting now (default 365); ignored when notAfter is given. */
  days?: number;
  notBefore?: Date;
  notAfter?: Date;
}

export interface CertOptions extends Validity {
  /** File name stem, unique within the PKI. */
  name: string;
  /** Common name; default the first SAN or the name. */
  cn?: string;
  /** DNS names and IP addresses (an entry that parses as an IP becomes an IP SAN). */
  sans?: string[];
  key?: KeyKind;
  digest?: Digest;
  /** Default: the root. */
  issuer?: IssuingCa;
  /** Authority Information Access OCSP URL. */
  ocspUrl?: string;
}

export interface OcspResponder {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface Pki {
  dir: string;
  root: IssuingCa;
  /** A CA certificate signed by the root (or `issuer`). */
  intermediate(options: CertOptions): Promise<IssuingCa>;
  leaf(options: CertOptions): Promise<Issued>;
  /** A self-signed end-entity certificate (not a CA). */
  selfSigned(options: Omit<CertOptions, 'issuer' | 'ocspUrl'>): Promise<Issued>;
  /** Marks the certificate revoked in its issuer's index.txt (the CA's OCSP responders see it from the next request). */
  revoke(cert: Issued): Promise<void>;
  /** A certificate with extendedKeyUsage OCSPSigning, issued by `ca`. */
  ocspSigner(ca: IssuingCa): Promise<Issued>;
  /**
   * Starts `openssl ocsp -index … -port …` for `ca` on a free loopback port; resolves once it
   * accepts connections. Stopped by cleanup() too.
   */
  startOcspResponder(ca: IssuingCa): Promise<OcspResponder>;
  /** Writes PEMs concatenated into a file (a CA bundle or a served chain); returns its path. */
  bundle(name: string, certs: Issued[]): Promise<string>;
  cleanup(): Promise<void>;
}

const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:]+)$/i;

/** openssl ca wants YYYYMMDDHHMMSSZ (generalized time is accepted by 3.0). */
function opensslTime(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
}

function validityArgs(validity: Validity): string[] {
  const DAY = 86_400_000;
  const notBefore = validity.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = validity.notAfter ?? new Date(Date.now() + (validity.days ?? 365) * DAY);
  return ['-startdate', opensslTime(notBefore), '-enddate', opensslTime(notAfter)];
}

function keyArgs(kind: KeyKind): string[] {
  switch (kind) {
    case 'rsa2048':
      return ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];
    case 'rsa1024':
      return ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'];
    case 'ec256':
      return ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    case 'ec384':
      return ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'];
  }
}

function caConfig(dir: string): string {
  return `[ca]
default_ca = this_ca
[this_ca]
dir = ${dir}
database = ${dir}/index.txt
new_certs_dir = ${dir}/issued
serial = ${dir}/serial
default_md = sha256
policy = policy_anything
unique_subject = no
copy_extensions = none
[policy_anything]
commonName = supplied
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
`;
}

function extensions(options: { sans?: string[]; ca?: boolean; ocspUrl?: string; ocspSigning?: boolean }): string {
  const lines = ['[ext]', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid'];
  if (options.ca) {
    lines.push('basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign, digitalSignature');
  } else {
    lines.push('basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature, keyEncipherment');
    lines.push(options.ocspSigning ? 'extendedKeyUsage = OCSPSigning' : 'extendedKeyUsage = serverAuth, clientAuth');
  }
  if (options.sans?.length) {
    lines.push(`subjectAltName = ${options.sans.map((san) => (IP.test(san) ? `IP:${san}` : `DNS:${san}`)).join(', ')}`);
  }
  if (options.ocspUrl) lines.push(`authorityInfoAccess = OCSP;URI:${options.ocspUrl}`);
  return lines.join('\n') + '\n';
}


export async function createPki(options: { rootName?: string; rootKey?: KeyKind } = {}): Promise<Pki> {
  const dir = await mkdtemp(join(tmpdir(), 'lookout-pki-'));
  const children = new Set<ChildProcess>();
  const responders = new Map<string, OcspResponder[]>();
  // OpenSSL 3.0's responder re-reads index.txt when it changed, but only before it blocks in
  // accept(): the request after a change is still answered from the old index. One throwaway
  // request (an unknown serial) after every change makes the next real request see it.
  const refreshResponders = async (ca: IssuingCa | undefined): Promise<void> => {
    for (const responder of (ca && responders.get(ca.dir)) || []) {
      await openssl(['ocsp', '-issuer', ca!.certPath, '-serial', '0x1', '-url', responder.url, '-no_nonce', '-noverify', '-timeout', '5']);
    }
  };
  // openssl ca rewrites index.txt and serial: one openssl invocation at a time per PKI.
  let queue: Promise<unknown> = Promise.resolve();
  const openssl = (args: string[]): Promise<string> => {
    const next = queue.then(async () => (await run('openssl', args, { cwd: dir, maxBuffer: 1 << 20 })).stdout);
    queue = next.catch(() => undefined);
    return next;
  };

  const newKey = async (name: string, kind: KeyKind): Promise<string> => {
    const keyPath = join(dir, `${name}.key`);
    await openssl(['genpkey', ...keyArgs(kind), '-out', keyPath]);
    return keyPath;
  };

  const serialOf = async (certPath: string): Promise<string> =>
    (await openssl(['x509', '-in', certPath, '-noout', '-serial'])).trim().replace(/^serial=/, '');

  const load = async (name: string, certPath: string, keyPath: string, issuer?: IssuingCa): Promise<Issued> => ({
    name,
    certPath,
    keyPath,
    cert: await readFile(certPath, 'utf8'),
    key: await readFile(keyPath, 'utf8'),
    serial: await serialOf(certPath),
    issuer,
  });

  const makeCaDir = async (name: string): Promise<{ caDir: string; configPath: string; indexPath: string }> => {
    const caDir = join(dir, `${name}.ca`);
    await mkdir(join(caDir, 'issued'), { recursive: true });
    const indexPath = join(caDir, 'index.txt');
    await writeFile(indexPath, '');
    await writeFile(join(caDir, 'index.txt.attr'), 'unique_subject = no\n');
    // Random-ish starting serials so two PKIs (two test files) never share serials.
    await writeFile(join(caDir, 'serial'), `${Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0')}01\n`);
    const configPath = join(caDir, 'ca.cnf');
    await writeFile(configPath, caConfig(caDir));
    return { caDir, configPath, indexPath };
  };

  const issue = async (
    options: CertOptions & { ca?: boolean; ocspSigning?: boolean },
    issuer: IssuingCa | 'self',
  ): Promise<Issued> => {
    const keyPath = await newKey(options.name, options.key ?? 'rsa2048');
    const csrPath = join(dir, `${options.name}.csr`);
    const certPath = join(dir, `${options.name}.pem`);
    const extPath = join(dir, `${options.name}.ext`);
    const cn = options.cn ?? options.sans?.[0] ?? options.name;
    await writeFile(extPath, extensions(options));
    await openssl(['req', '-new', '-key', keyPath, '-subj', `/CN=${cn}`, '-out', csrPath, '-config', join(dir, 'req.cnf')]);
    const signer = issuer === 'self' ? undefined : issuer;
    const config = signer?.configPath ?? join(dir, 'selfsigned.ca', 'ca.cnf');
    await openssl([
      'ca', '-batch', '-notext', '-config', config, '-in', csrPath, '-out', certPath,
      '-md', options.digest ?? 'sha256', '-extfile', extPath, '-extensions', 'ext',
      ...validityArgs(options),
      ...(signer ? ['-cert', signer.certPath, '-keyfile', signer.keyPath] : ['-selfsign', '-keyfile', keyPath]),
    ]);
    const issued = await load(options.name, certPath, keyPath, signer);
    await refreshResponders(signer);
    return issued;
  };

  const asCa = async (issued: Issued): Promise<IssuingCa> => {
    const { caDir, configPath, indexPath } = await makeCaDir(issued.name);
    return { ...issued, dir: caDir, configPath, indexPath };
  };

  await writeFile(join(dir, 'req.cnf'), caConfig(dir));
  await makeCaDir('selfsigned');

  const rootName = options.rootName ?? 'Lookout Test Root CA';
  const root = await asCa(
    await issue({ name: 'root', cn: rootName, key: options.rootKey ?? 'rsa2048', ca: true, days: 3650 }, 'self'),
  );

  const pki: Pki = {
    dir,
    root,
    intermediate: async (options) => asCa(await issue({ ...options, ca: true }, options.issuer ?? root)),
    leaf: (options) => issue(options, options.issuer ?? root),
    selfSigned: (options) => issue(options, 'self'),
    revoke: async (cert) => {
      if (!cert.issuer) throw new Error(`${cert.name} has no issuing CA to revoke it`);
      await openssl([
        'ca', '-config', cert.issuer.configPath, '-cert', cert.issuer.certPath, '-keyfile', cert.issuer.keyPath,
        '-revoke', cert.certPath, '-crl_reason', 'keyCompromise',
      ]);
      await refreshResponders(cert.issuer);
    },
    ocspSigner: (ca) => issue({ name: `${ca.name}-ocsp-signer`, cn: `${ca.name} OCSP`, ocspSigning: true, issuer: ca }, ca),
    startOcspResponder: async (ca) => {
      const signer = await pki.ocspSigner(ca);
      // -port 0: openssl picks a free port and prints `ACCEPT [::]:PORT`. (Probing the port
      // with a bare connect instead makes OpenSSL 3.0's responder spin on the closed socket.)
      const child = spawn(
        'openssl',
        [
          'ocsp', '-index', ca.indexPath, '-port', '0', '-rsigner', signer.certPath, '-rkey', signer.keyPath,
          '-CA', ca.certPath, '-ignore_err', '-nmin', '5',
        ],
        { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.add(child);
      child.once('exit', () => children.delete(child));
      const port = await new Promise<number>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`openssl ocsp did not start: ${output}`)), 10_000);
        // The ACCEPT line goes to stdout, errors to stderr: read both (and keep draining them).
        const read = (chunk: Buffer): void => {
          output += chunk.toString();
          const accept = /ACCEPT \S*:(\d+)/.exec(output);
          if (accept) {
            clearTimeout(timer);
            resolve(Number(accept[1]));
          }
        };
        child.stdout!.on('data', read);
        child.stderr!.on('data', read);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`openssl ocsp exited (${code}): ${output.trim()}`));
        });
      });
      const responder: OcspResponder = {
        url: `http://127.0.0.1:${port}`,
        port,
        process: child,
        stop: () => stopChild(child),
      };
      responders.set(ca.dir, [...(responders.get(ca.dir) ?? []), responder]);
      return responder;
    },
    bundle: async (name, certs) => {
      const path = join(dir, `${name}.bundle.pem`);
      await writeFile(path, certs.map((c) => c.cert).join(''));
      return path;
    },
    cleanup: async () => {
      await Promise.all([...children].map(stopChild));
      await rm(dir, { recursive: true, force: true });
    },
  };
  return pki;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
  });
}
