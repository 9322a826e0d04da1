/**
 * The admin token: fixed by LOOKOUT_ADMIN_TOKEN, or generated at first start. Only its
 * SHA-256 is shared through ClickHouse (so every collector accepts it); the plaintext is kept
 * in the data folder (mode 0600) so the start banner can show it again.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../store/types.js';
import { hashToken, newAdminToken, sameHash } from '../projects/tokens.js';

export interface AdminToken {
  hash: string;
  /** Known when fixed, generated now, or found in the data folder. */
  token?: string;
  generated: boolean;
}

const SETTING = 'admin_token_sha256';

export async function ensureAdminToken(store: Store, dataDir: string, fixed?: string): Promise<AdminToken> {
  if (fixed) return { hash: hashToken(fixed), token: fixed, generated: false };
  const file = join(dataDir, 'admin-token');
  const rows = await store.query<{ value: string }>('SELECT value FROM settings FINAL WHERE key = {key:String}', { key: SETTING });
  const stored = rows[0]?.value;
  if (stored) {
    const local = await readFile(file, 'utf8').then((text) => text.trim(), () => undefined);
    return { hash: stored, token: local && sameHash(hashToken(local), stored) ? local : undefined, generated: false };
  }
  const token = newAdminToken();
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await store.insert('settings', [{ key: SETTING, value: hashToken(token), updated_at: Date.now() }]);
  return { hash: hashToken(token), token, generated: true };
}
