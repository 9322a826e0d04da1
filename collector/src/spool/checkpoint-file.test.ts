import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE, readCheckpointFile, writeCheckpointFile } from './checkpoint-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lookout-checkpoint-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('checkpoint file', () => {
  it('is absent until written', async () => {
    expect(await readCheckpointFile(dir)).toBeUndefined();
  });

  it('round-trips committed and inflight, and leaves no temporary file', async () => {
    const checkpoint = {
      committed: { segment: 3, offset: 120 },
      inflight: { from: { segment: 3, offset: 120 }, to: { segment: 4, offset: 8 }, records: 7 },
    };
    await writeCheckpointFile(dir, checkpoint);
    expect(await readCheckpointFile(dir)).toEqual(checkpoint);
    expect(await readdir(dir)).toEqual([CHECKPOINT_FILE]);
  });

  it('replaces the previous checkpoint', async () => {
    await writeCheckpointFile(dir, { committed: { segment: 1, offset: 10 } });
    await writeCheckpointFile(dir, { committed: { segment: 2, offset: 0 } });
    expect(JSON.parse(await readFile(join(dir, CHECKPOINT_FILE), 'utf8'))).toEqual({
      committed: { segment: 2, offset: 0 },
    });
  });

  it('names the file and the problem when it is not a checkpoint', async () => {
    await writeFile(join(dir, CHECKPOINT_FILE), '{"committed":{"segment":1}}');
    await expect(readCheckpointFile(dir)).rejects.toThrow(/checkpoint\.json.*committed: offset/);
    await writeFile(join(dir, CHECKPOINT_FILE), '{"committed":');
    await expect(readCheckpointFile(dir)).rejects.toThrow(/not valid JSON/);
  });
});
