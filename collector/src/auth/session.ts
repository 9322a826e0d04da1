/**
 * Dashboard sessions: a token typed once (or the `/?token=` link) is exchanged for a signed,
 * httpOnly, SameSite=Strict cookie. The cookie is stateless, so every collector behind a load
 * balancer accepts it: it names the access (admin or one project), an expiry, and a prefix of
 * the token's hash — rotating that token ends the sessions opened with it. The signing secret is
 * shared through ClickHouse (`settings`), generated at first start.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/types.js';

export const SESSION_COOKIE = 'lookout_session';
/** How long a sign-in lasts: a working week, like Sentry's default session age. */
export const SESSION_TTL_MS = 7 * 24 * 3600_000;

export interface SessionClaims {
  admin: boolean;
  projectId?: number;
  /** First 16 hex characters of the SHA-256 of the token used to sign in. */
  tokenHashPrefix: string;
  expiresAt: number;
}

export interface SessionCodec {
  seal(claims: SessionClaims): string;
  /** The claims of a cookie value signed by this secret and not expired; otherwise undefined. */
  open(value: string, now?: number): SessionClaims | undefined;
}

const SETTING = 'session_secret';

export async function ensureSessionSecret(store: Store): Promise<Buffer> {
  const rows = await store.query<{ value: string }>('SELECT value FROM settings FINAL WHERE key = {key:String}', { key: SETTING });
  if (rows[0]?.value) return Buffer.from(rows[0].value, 'hex');
  const secret = randomBytes(32);
  await store.insert('settings', [{ key: SETTING, value: secret.toString('hex'), updated_at: Date.now() }]);
  // Two collectors starting together may both write one; the table keeps the last, so read it back.
  const again = await store.query<{ value: string }>('SELECT value FROM settings FINAL WHERE key = {key:String}', { key: SETTING });
  return Buffer.from(again[0]?.value ?? secret.toString('hex'), 'hex');
}

export function createSessionCodec(secret: Buffer): SessionCodec {
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
  return {
    seal(claims) {
      const payload = Buffer.from(JSON.stringify([claims.admin ? 1 : 0, claims.projectId ?? 0, claims.tokenHashPrefix, claims.expiresAt])).toString('base64url');
      return `${payload}.${sign(payload)}`;
    },
    open(value, now = Date.now()) {
      const [payload, signature, extra] = value.split('.');
      if (!payload || !signature || extra !== undefined) return undefined;
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
      try {
        const [admin, projectId, tokenHashPrefix, expiresAt] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        if (typeof expiresAt !== 'number' || expiresAt <= now || typeof tokenHashPrefix !== 'string') return undefined;
        return { admin: admin === 1, ...(admin === 1 ? {} : { projectId: Number(projectId) }), tokenHashPrefix, expiresAt };
      } catch {
        return undefined;
      }
    },
  };
}
