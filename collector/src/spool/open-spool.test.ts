import { access, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSpool } from './open-spool.js';
import { numbered, readAll, text, useTempSpools } from './temp-spools.test-support.js';
import { RECORD_HEADER_BYTES } from './record-format.js';
import { segmentPath } from './segment-files.js';
import { SpoolFullError, type SpoolEntry } from './types.js';

const spools = useTempSpools('lookout-spool-');
const open = spools.open;

describe('openSpool: appending and reading', () => {
  it('returns every payload byte-exact and in append order', async () => {
    const spool = await open();
    const payloads = [Buffer.from([0, 1, 2, 255]), Buffer.from('ünïcödé 🚀'), Buffer.alloc(70_000, 0xab)];
    for (const payload of payloads) await spool.append(payload);
    const entries = await readAll(spool);
    expect(entries.map((entry) => entry.payload)).toEqual(payloads);
    expect(entries[0].position).toEqual({ segment: 1, offset: 0 });
    expect(entries[1].position).toEqual(entries[0].next);
    expect(entries[0].next.offset).toBe(RECORD_HEADER_BYTES + 4);
  });

  it('keeps order among concurrent appends and resolves them in that order', async () => {
    const spool = await open();
    const resolved: number[] = [];
    await Promise.all(numbered(500).map((payload, i) => spool.append(payload).then(() => resolved.push(i))));
    expect(resolved).toEqual([...Array(500).keys()]);
    expect(text(await readAll(spool))).toEqual(numbered(500).map(String));
  });

  it('pages by maxBytes, returning at least one record even when it is bigger', async () => {
    const spool = await open();
    for (const payload of numbered(10, 100)) await spool.append(payload);
    const recordBytes = RECORD_HEADER_BYTES + 100;
    expect(await spool.readFrom({ segment: 1, offset: 0 }, 3 * recordBytes)).toHaveLength(3);
    expect(await spool.readFrom({ segment: 1, offset: 0 }, 1)).toHaveLength(1);
    expect(await spool.readFrom({ segment: 1, offset: 0 }, 0)).toHaveLength(1);
    const pages = [];
    for (let position = { segment: 1, offset: 0 }, page; (page = await spool.readFrom(position, 250)).length; ) {
      pages.push(page.length);
      position = page.at(-1)!.next;
    }
    expect(pages).toEqual([2, 2, 2, 2, 2]);
  });

  it('never lets a reader see a record before its append has resolved', async () => {
    const spool = await open();
    for (let i = 0; i < 30; i++) {
      let acknowledged = false;
      const appending = spool.append(Buffer.alloc(32 * 1024, i)).then(() => (acknowledged = true));
      while (!acknowledged) {
        const visible = (await spool.readFrom({ segment: 1, offset: 0 }, Infinity)).length;
        if (!acknowledged) expect(visible).toBe(i);
        await new Promise(setImmediate); // a read of nothing never leaves the microtask queue
      }
      await appending;
    }
    expect(await readAll(spool)).toHaveLength(30);
  });

  it('rejects empty payloads and appends after close with a message saying why', async () => {
    const spool = await open();
    await expect(spool.append(Buffer.alloc(0))).rejects.toThrow(/cannot be empty/);
    await spool.close();
    await expect(spool.append(Buffer.from('late'))).rejects.toThrow(/spool is closed/);
  });

  it('refuses a second open of the same directory until the first is closed', async () => {
    const first = await open();
    await expect(openSpool({ dir: spools.dir() })).rejects.toThrow(/already open/);
    await first.close();
    await (await open()).close();
  });
});

describe('openSpool: group commit', () => {
  it('writes appends made in one turn with a single fdatasync', async () => {
    const spool = await open();
    await Promise.all(numbered(1000).map((payload) => spool.append(payload)));
    expect(spool.stats()).toMatchObject({ groupCommits: 1, syncs: 1, pendingRecords: 1000 });
  });

  it('queues appends that arrive during a write and commits them together next', async () => {
    const spool = await open();
    const first = spool.append(Buffer.from('first'));
    await new Promise(setImmediate); // the first group's write is now running
    const rest = numbered(100).map((payload) => spool.append(payload));
    await Promise.all([first, ...rest]);
    expect(spool.stats()).toMatchObject({ groupCommits: 2, syncs: 2 });
    expect(text(await readAll(spool))).toEqual(['first', ...numbered(100).map(String)]);
  });

  it('waits up to groupCommitMaxDelayMs to batch appends from separate turns', async () => {
    const spool = await open({ groupCommitMaxDelayMs: 150 });
    const appends = [];
    for (let i = 0; i < 5; i++) {
      appends.push(spool.append(Buffer.from(`turn ${i}`)));
      await new Promise(setImmediate);
    }
    await Promise.all(appends);
    expect(spool.stats().groupCommits).toBe(1);
  });

  it('sustains 20,000 appends of 2 KB with 200 in flight, sharing fsyncs', async () => {
    const spool = await open();
    const payload = Buffer.alloc(2048, 7);
    let issued = 0;
    const worker = async () => {
      while (issued < 20_000) {
        issued++;
        await spool.append(payload);
      }
    };
    await Promise.all(Array.from({ length: 200 }, worker));
    const { groupCommits, pendingRecords } = spool.stats();
    expect(pendingRecords).toBe(20_000);
    expect(groupCommits).toBeLessThanOrEqual(400);
  }, 30_000);

  it('calls onAppend after each group commit, with the records already readable', async () => {
    const spool = await open();
    const reads: Promise<SpoolEntry[]>[] = [];
    const unsubscribe = spool.onAppend(() => reads.push(spool.readFrom({ segment: 1, offset: 0 }, Infinity)));
    await Promise.all(numbered(3).map((payload) => spool.append(payload)));
    await spool.append(Buffer.from('another group'));
    unsubscribe();
    await spool.append(Buffer.from('unobserved'));
    const seen = await Promise.all(reads);
    // Each read sees at least its own group; it may also see groups made durable while it read.
    expect(seen).toHaveLength(2);
    expect(seen[0].length).toBeGreaterThanOrEqual(3);
    expect(seen[1].length).toBeGreaterThanOrEqual(4);
    expect(text(seen[1]).slice(0, 4)).toEqual([...numbered(3).map(String), 'another group']);
  });

  it('reports a throwing listener without failing the append', async () => {
    const errors: Error[] = [];
    const spool = await open({ onError: (error) => errors.push(error) });
    spool.onAppend(() => {
      throw new Error('listener bug');
    });
    await spool.append(Buffer.from('still stored'));
    expect(errors.map((error) => error.message)).toEqual([expect.stringContaining('listener bug')]);
  });

  it('close() waits for queued appends to reach the disk', async () => {
    const spool = await open();
    const appends = numbered(100).map((payload) => spool.append(payload));
    await spool.close();
    const states = await Promise.allSettled(appends);
    expect(states.every((state) => state.status === 'fulfilled')).toBe(true);
    expect(await readAll(await open())).toHaveLength(100);
  });
});

describe('openSpool: segments', () => {
  const recordBytes = RECORD_HEADER_BYTES + 100;

  it('rolls to a new segment once one reaches segmentBytes and reads across them', async () => {
    const spool = await open({ segmentBytes: 1000 });
    for (const payload of numbered(50, 100)) await spool.append(payload);
    const files = (await readdir(spools.dir())).filter((name) => name.endsWith('.seg'));
    expect(files).toEqual([1, 2, 3, 4, 5].map((n) => segmentPath('', n)));
    for (const file of files) expect((await stat(join(spools.dir(), file))).size).toBe(10 * recordBytes);

    const entries = await readAll(spool, undefined, 3 * recordBytes);
    expect(text(entries)).toEqual(numbered(50, 100).map(String));
    expect(entries[10].position).toEqual({ segment: 2, offset: 0 });
    expect(entries[9].next).toEqual({ segment: 1, offset: 10 * recordBytes });
    expect(spool.stats()).toMatchObject({ segments: 5, bytes: 50 * recordBytes });
  });

  it('splits one group across segments without reordering', async () => {
    const spool = await open({ segmentBytes: 1000 });
    await Promise.all(numbered(25, 100).map((payload) => spool.append(payload)));
    expect(spool.stats()).toMatchObject({ groupCommits: 1, syncs: 3, segments: 3 });
    expect(text(await readAll(spool))).toEqual(numbered(25, 100).map(String));
  });

  it('continues the last segment after reopening', async () => {
    const first = await open({ segmentBytes: 1000 });
    for (const payload of numbered(5, 100)) await first.append(payload);
    await first.close();
    const second = await open({ segmentBytes: 1000 });
    for (const payload of numbered(10, 100).slice(5)) await second.append(payload);
    expect(text(await readAll(second))).toEqual(numbered(10, 100).map(String));
    expect(second.stats()).toMatchObject({ segments: 1, pendingRecords: 10 });
  });
});

describe('openSpool: checkpoint', () => {
  it('starts at the beginning of the first segment when none was saved', async () => {
    const spool = await open();
    expect(await spool.loadCheckpoint()).toEqual({ committed: { segment: 1, offset: 0 } });
  });

  it('persists across reopen and deletes segments wholly behind it', async () => {
    const spool = await open({ segmentBytes: 1000 });
    for (const payload of numbered(35, 100)) await spool.append(payload);
    const entries = await readAll(spool);
    const checkpoint = {
      committed: entries[21].next,
      inflight: { from: entries[21].next, to: entries[24].next, records: 3 },
    };
    await spool.saveCheckpoint(checkpoint, 22);

    expect(JSON.parse(await readFile(join(spools.dir(), 'checkpoint.json'), 'utf8'))).toEqual(checkpoint);
    await expect(access(segmentPath(spools.dir(), 2))).rejects.toThrow(/ENOENT/);
    await access(segmentPath(spools.dir(), 3));
    const afterSave = spool.stats();
    expect(afterSave).toMatchObject({ segments: 2, pendingRecords: 13, pendingBytes: 13 * (RECORD_HEADER_BYTES + 100) });

    await spool.close();
    const reopened = await open({ segmentBytes: 1000 });
    expect(await reopened.loadCheckpoint()).toEqual(checkpoint);
    expect(text(await readAll(reopened))).toEqual(numbered(35, 100).slice(22).map(String));
    expect(reopened.stats()).toMatchObject({ pendingRecords: 13, pendingBytes: afterSave.pendingBytes });
  });

  it('keeps the segment still being written even when everything is committed', async () => {
    const spool = await open({ segmentBytes: 1000 });
    for (const payload of numbered(15, 100)) await spool.append(payload);
    const entries = await readAll(spool);
    await spool.saveCheckpoint({ committed: entries.at(-1)!.next }, entries.length);
    expect(spool.stats()).toMatchObject({ segments: 1, pendingRecords: 0, pendingBytes: 0 });
    await spool.append(Buffer.from('after'));
    expect(text(await readAll(spool))).toEqual(['after']);
  });

  it('rejects checkpoints that move backwards or past the end', async () => {
    const spool = await open();
    for (const payload of numbered(3)) await spool.append(payload);
    const entries = await readAll(spool);
    await spool.saveCheckpoint({ committed: entries[1].next }, 2);
    await expect(spool.saveCheckpoint({ committed: entries[0].next }, 0)).rejects.toThrow(/backwards/);
    await expect(spool.saveCheckpoint({ committed: { segment: 1, offset: 1e6 } }, 0)).rejects.toThrow(/past the end/);
    expect((await spool.loadCheckpoint()).committed).toEqual(entries[1].next);
  });
});

describe('openSpool: quota', () => {
  it('rejects with SpoolFullError over quota and accepts again once the processor commits', async () => {
    const spool = await open({ quotaBytes: 1000 });
    let stored = 0;
    let rejection: unknown;
    while (!rejection && stored < 100) {
      await spool.append(Buffer.alloc(100, 1)).then(
        () => stored++,
        (error: unknown) => (rejection = error),
      );
    }
    expect(rejection).toBeInstanceOf(SpoolFullError);
    expect(rejection).toMatchObject({ quotaBytes: 1000 });
    expect((rejection as SpoolFullError).pendingBytes).toBeGreaterThan(1000);
    expect(stored).toBe(10); // 10 × 108 bytes is the first total over 1000
    expect(spool.isFull()).toBe(true);

    const entries = await readAll(spool);
    await spool.saveCheckpoint({ committed: entries.at(-1)!.next }, entries.length);
    expect(spool.isFull()).toBe(false);
    await spool.append(Buffer.from('accepted again'));
  });

  it('counts appends still waiting for their group against the quota', async () => {
    const spool = await open({ quotaBytes: 1000 });
    const outcomes = await Promise.allSettled(numbered(20, 100).map((payload) => spool.append(payload)));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(10);
    expect(outcomes.slice(10).every((outcome) => outcome.status === 'rejected')).toBe(true);
  });
});
