/**
 * One certificate as the contract describes it (CertificateInfo): Node's X509Certificate for
 * names, dates and the key; @peculiar/asn1-x509 for the signature algorithm, SANs and the AIA
 * OCSP URLs. (@peculiar/x509 would need a reflect-metadata polyfill loaded first, which the
 * project does not have; its ASN.1 layer is enough.)
 */
import type { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityInfoAccessSyntax,
  Certificate,
  SubjectAlternativeName,
  id_ad_ocsp,
  id_ce_subjectAltName,
  id_pe_authorityInfoAccess,
  type GeneralName,
} from '@peculiar/asn1-x509';
import type { CertificateInfo } from './contract.js';

const DAY_MS = 86_400_000;

/** Signature algorithm OIDs by the name openssl prints (the ones a server can still present). */
const SIGNATURE_NAMES: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521, secp224r1: 224, secp192k1: 192, secp256k1: 256 };

/** Whether a signature algorithm name uses a broken digest (SHA-1, MD5, MD2). */
export function weakDigest(signatureAlgorithm: string): boolean {
  return /^(md2|md5|sha1)With|-with-SHA1$/i.test(signatureAlgorithm);
}

export function isSelfSigned(cert: X509Certificate): boolean {
  if (cert.subject !== cert.issuer) return false;
  try {
    return cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

function keyOf(cert: X509Certificate): Pick<CertificateInfo, 'keyType' | 'keyBits'> {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return { keyType: 'rsa', keyBits: details.modulusLength ?? null };
    case 'ec':
      return { keyType: 'ec', keyBits: CURVE_BITS[details.namedCurve ?? ''] ?? null };
    case 'ed25519':
      return { keyType: 'ed25519', keyBits: 256 };
    case 'ed448':
      return { keyType: 'ed448', keyBits: 456 };
    case 'dsa':
      return { keyType: 'dsa', keyBits: details.modulusLength ?? null };
    default:
      return { keyType: 'unknown', keyBits: null };
  }
}

/** `CN=a, O=b` from Node's newline-separated form. */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

/** As openssl prints them: `DNS:a.example`, `IP:192.0.2.1`, `email:…`, `URI:…`. */
function sanText(name: GeneralName): string[] {
  if (name.dNSName) return [`DNS:${name.dNSName}`];
  if (name.iPAddress) return [`IP:${name.iPAddress}`];
  if (name.rfc822Name) return [`email:${name.rfc822Name}`];
  if (name.uniformResourceIdentifier) return [`URI:${name.uniformResourceIdentifier}`];
  return [];
}

export function daysLeft(notAfter: Date, now: number): number {
  return Math.floor((notAfter.getTime() - now) / DAY_MS);
}

export function describeCertificate(cert: X509Certificate, position: number, presented: boolean, now: number): CertificateInfo {
  const parsed = AsnConvert.parse(cert.raw, Certificate);
  const extension = (oid: string): ArrayBuffer | undefined =>
    parsed.tbsCertificate.extensions?.find((e) => e.extnID === oid)?.extnValue.buffer;
  const sanDer = extension(id_ce_subjectAltName);
  const sans = sanDer ? AsnConvert.parse(sanDer, SubjectAlternativeName) : [];
  const aiaDer = extension(id_pe_authorityInfoAccess);
  const aia = aiaDer ? AsnConvert.parse(aiaDer, AuthorityInfoAccessSyntax) : [];
  const notAfter = new Date(cert.validTo);
  return {
    position,
    presented,
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    subjectAltNames: sans.flatMap(sanText),
    serialNumber: cert.serialNumber.toUpperCase(),
    fingerprintSha256: cert.fingerprint256.toUpperCase(),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: daysLeft(notAfter, now),
    ...keyOf(cert),
    signatureAlgorithm: SIGNATURE_NAMES[parsed.signatureAlgorithm.algorithm] ?? parsed.signatureAlgorithm.algorithm,
    selfSigned: isSelfSigned(cert),
    isCA: cert.ca,
    ocspUrls: aia.flatMap((d) => (d.accessMethod === id_ad_ocsp && d.accessLocation.uniformResourceIdentifier ? [d.accessLocation.uniformResourceIdentifier] : [])),
  };
}
