/**
 * OCSP (RFC 6960) with @peculiar/asn1-ocsp: parse a stapled response, and ask a certificate's
 * responder over HTTP with a real request. A response counts only when it is signed by the
 * issuer or by a responder certificate the issuer signed for OCSPSigning (RFC 6960 §4.2.2.2).
 */
import { createHash, verify, X509Certificate } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse,
  CertID,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  Request,
  TBSRequest,
  id_pkix_ocsp_basic,
} from '@peculiar/asn1-ocsp';

export type OcspCertStatus = 'good' | 'revoked' | 'unknown';

export interface OcspAnswer {
  status: OcspCertStatus;
  revokedAt?: string;
}

const SHA1_OID = '1.3.14.3.2.26';
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

/** Signature algorithm OID → the digest crypto.verify wants (null: the algorithm has its own). */
const SIGNATURE_DIGESTS: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
  '1.3.101.113': null,
};

function signedBy(signer: X509Certificate, digest: string | null, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(digest, data, signer.publicKey, signature);
  } catch {
    return false;
  }
}

/** Throws unless the issuer, or a certificate it issued for OCSPSigning, signed the response. */
function verifyResponseSignature(basic: BasicOCSPResponse, issuer: X509Certificate): void {
  const oid = basic.signatureAlgorithm.algorithm;
  const digest = SIGNATURE_DIGESTS[oid];
  if (digest === undefined) throw new Error(`the response is signed with an unsupported algorithm (${oid})`);
  const data = new Uint8Array(basic.tbsResponseDataRaw ?? AsnConvert.serialize(basic.tbsResponseData));
  const signature = new Uint8Array(basic.signature);
  if (signedBy(issuer, digest, data, signature)) return;
  for (const included of basic.certs ?? []) {
    const responder = new X509Certificate(Buffer.from(AsnConvert.serialize(included)));
    const delegated = responder.checkIssued(issuer) && responder.verify(issuer.publicKey) && (responder.keyUsage ?? []).includes(OCSP_SIGNING);
    if (delegated && signedBy(responder, digest, data, signature)) return;
  }
  throw new Error("the response's signature does not verify with the issuer or a responder it authorised");
}

function hex(buffer: ArrayBuffer | Uint8Array): string {
  return Buffer.from(buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer)).toString('hex').replace(/^(00)+(?=.)/, '');
}

/** The CertID that names `cert` (issued by `issuer`) in requests and responses. */
export function certId(cert: X509Certificate, issuer: X509Certificate): CertID {
  const issuerAsn = AsnConvert.parse(issuer.raw, Certificate);
  const issuerName = AsnConvert.serialize(issuerAsn.tbsCertificate.subject);
  const issuerKey = issuerAsn.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey;
  const certAsn = AsnConvert.parse(cert.raw, Certificate);
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA1_OID, parameters: null }),
    issuerNameHash: new OctetString(createHash('sha1').update(Buffer.from(issuerName)).digest()),
    issuerKeyHash: new OctetString(createHash('sha1').update(Buffer.from(issuerKey)).digest()),
    serialNumber: certAsn.tbsCertificate.serialNumber,
  });
}

export function ocspRequestDer(cert: X509Certificate, issuer: X509Certificate): Buffer {
  const request = new OCSPRequest({
    tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert: certId(cert, issuer) })] }),
  });
  return Buffer.from(AsnConvert.serialize(request));
}

/** The status of `cert` in a DER OCSP response; throws when the response is unusable or not authentic. */
export function parseOcspResponse(der: Uint8Array, cert: X509Certificate, issuer: X509Certificate, now = Date.now()): OcspAnswer {
  const response = AsnConvert.parse(der, OCSPResponse);
  if (response.responseStatus !== OCSPResponseStatus.successful) {
    throw new Error(`the responder answered ${OCSPResponseStatus[response.responseStatus] ?? response.responseStatus}`);
  }
  if (!response.responseBytes || response.responseBytes.responseType !== id_pkix_ocsp_basic) {
    throw new Error('the response is not a basic OCSP response');
  }
  const basic = AsnConvert.parse(response.responseBytes.response.buffer, BasicOCSPResponse);
  verifyResponseSignature(basic, issuer);
  const serial = hex(AsnConvert.parse(cert.raw, Certificate).tbsCertificate.serialNumber);
  const single = basic.tbsResponseData.responses.find((r) => hex(r.certID.serialNumber) === serial);
  if (!single) throw new Error(`the response does not mention serial ${serial.toUpperCase()}`);
  // A replayed or long-cached answer: RFC 6960 §4.2.2.1 (a few minutes of clock skew allowed).
  const SKEW_MS = 5 * 60_000;
  if (single.nextUpdate && single.nextUpdate.getTime() < now - SKEW_MS) {
    throw new Error(`the response is stale (its next update was due ${single.nextUpdate.toISOString()})`);
  }
  if (single.thisUpdate.getTime() > now + SKEW_MS) throw new Error(`the response is dated in the future (${single.thisUpdate.toISOString()})`);
  if (single.certStatus.revoked) {
    return { status: 'revoked', revokedAt: single.certStatus.revoked.revocationTime.toISOString() };
  }
  if (single.certStatus.good !== undefined) return { status: 'good' };
  return { status: 'unknown' };
}

/** POSTs a request to `url` (RFC 6960 A.1), bounded by timeoutMs. */
export async function askResponder(
  url: string,
  cert: X509Certificate,
  issuer: X509Certificate,
  timeoutMs: number,
): Promise<OcspAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
    body: new Uint8Array(ocspRequestDer(cert, issuer)),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  return parseOcspResponse(new Uint8Array(await response.arrayBuffer()), cert, issuer);
}
