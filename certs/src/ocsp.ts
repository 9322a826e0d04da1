/**
 * OCSP (RFC 6960) with @peculiar/asn1-ocsp: parse a stapled response, and ask a certificate's
 * responder over HTTP with a real request. Status only: the response's signature is not verified
 * (see docs/certs.md, "What is not checked").
 */
import { createHash, type X509Certificate } from 'node:crypto';
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

/** The status of `cert` in a DER OCSP response; throws when the response says nothing usable. */
export function parseOcspResponse(der: Uint8Array, cert: X509Certificate): OcspAnswer {
  const response = AsnConvert.parse(der, OCSPResponse);
  if (response.responseStatus !== OCSPResponseStatus.successful) {
    throw new Error(`the responder answered ${OCSPResponseStatus[response.responseStatus] ?? response.responseStatus}`);
  }
  if (!response.responseBytes || response.responseBytes.responseType !== id_pkix_ocsp_basic) {
    throw new Error('the response is not a basic OCSP response');
  }
  const basic = AsnConvert.parse(response.responseBytes.response.buffer, BasicOCSPResponse);
  const serial = hex(AsnConvert.parse(cert.raw, Certificate).tbsCertificate.serialNumber);
  const single = basic.tbsResponseData.responses.find((r) => hex(r.certID.serialNumber) === serial);
  if (!single) throw new Error(`the response does not mention serial ${serial.toUpperCase()}`);
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
  return parseOcspResponse(new Uint8Array(await response.arrayBuffer()), cert);
}
