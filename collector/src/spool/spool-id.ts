/**
 * A spool's identity: random, made once and kept in its folder. Insert deduplication tokens are
 * built from spool positions; two collectors writing to one ClickHouse have spools at the same
 * positions, so the id keeps one collector's range from being taken for another's duplicate
 * (which ClickHouse would drop silently). It survives restarts, so a replayed range keeps its token.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const FILE = 'spool-id';

export async function loadSpoolId(dir: string): Promise<string> {
  const path = join(dir, FILE);
  const existing = await readFile(path, 'utf8').then((text) => text.trim(), () => '');
  if (/^[0-9a-f]{16}$/.test(existing)) return existing;
  const id = randomBytes(8).toString('hex');
  const handle = await open(path, 'w', 0o644);
  try {
    await handle.writeFile(`${id}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return id;
}
