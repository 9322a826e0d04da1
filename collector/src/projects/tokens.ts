import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Public ingest keys end up in page source; they only allow sending events. */
export const newIngestKey = () => randomBytes(16).toString('hex');
/** Secret tokens (read API, uploads, admin) are stored only as SHA-256. */
export const newProjectToken = () => `lkp_${randomBytes(24).toString('base64url')}`;
export const newAdminToken = () => `lka_${randomBytes(24).toString('base64url')}`;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
