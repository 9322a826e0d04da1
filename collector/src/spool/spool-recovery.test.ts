import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openSpool, type DiskSpool, type SpoolOptions } from './open-spool.js';
import { numbered, readAll, text, useTempSpools } from './temp-spools.test-support.js';
import { RECORD_HEADER_BYTES } from './record-format.js';
import { segmentPath } from './segment-files.js';

const spools = useTempSpools('lookout-spool-recovery-');
const open = spools.open;

async function reopen(spool: DiskSpool, options: Partial<SpoolOptions> = {}): Promise<DiskSpool> {
  await spool.close();
  return open(options);
}

/** Appends `count` records of 100 bytes one by one and returns the spool. */
async function spoolWith(count: number, options: Partial<SpoolOptions> = {}): Promise<DiskSpool> {
  const spool = await open(options);
  for (const payload of numbered(count, 100)) await spool.append(payload);
  return spool;
}

const recordBytes = RECORD_HEADER_BYTES + 100;

describe('recovery of a torn tail', () => {
  it('drops a record cut short mid-write, and only that one', async () => {
    const spool = await spoolWith(5);
    await truncate(segmentPath(spools.dir(), 1), 4 * recordBytes + 50);
    const errors: Error[] = [];
    const reopened = await reopen(spool, { onError: (error) => errors.push(error) });

    expect(text(await readAll(reopened))).toEqual(numbered(4, 100).map(String));
    expect(errors.map((error) => error.message)).toEqual([expect.stringMatching(/torn tail of 50 bytes/)]);
    expect((await stat(segmentPath(spools.dir(), 1))).size).toBe(4 * recordBytes);
    expect(reopened.stats()).toMatchObject({ pendingRecords: 4, pendingBytes: 4 * recordBytes });
  });

  it('drops a record cut short with garbage after it, and appends cleanly afterwards', async () => {
    const spool = await spoolWith(5);
    await truncate(segmentPath(spools.dir(), 1), 4 * recordBytes + 60);
    await appendFile(segmentPath(spools.dir(), 1), Buffer.from('garbage that looks like nothing in particular'));
    const reopened = await reopen(spool);

    await reopened.append(Buffer.from('after the crash'));
    expect(text(await readAll(reopened))).toEqual([...numbered(4, 100).map(String), 'after the crash']);
  });

  it('drops a zero-filled tail as a filesystem leaves it after a power cut', async () => {
    const spool = await spoolWith(3);
    await appendFile(segmentPath(spools.dir(), 1), Buffer.alloc(4096));
    const reopened = await reopen(spool);
    expect(await readAll(reopened)).toHaveLength(3);
    expect((await stat(segmentPath(spools.dir(), 1))).size).toBe(3 * recordBytes);
  });

  it('drops a header cut short', async () => {
    const spool = await spoolWith(2);
    await appendFile(segmentPath(spools.dir(), 1), Buffer.from([7, 0, 0]));
    expect(await readAll(await reopen(spool))).toHaveLength(2);
  });
});

describe('recovery of damage before the tail', () => {
  it('reports a damaged sealed segment and continues with the next one', async () => {
    const spool = await spoolWith(30, { segmentBytes: 1000 }); // segments of 10 records
    await spool.close();
    const segment = await readFile(segmentPath(spools.dir(), 2));
    segment[3 * recordBytes + RECORD_HEADER_BYTES + 20] ^= 0xff; // inside record 13's payload
    await writeFile(segmentPath(spools.dir(), 2), segment);

    const errors: Error[] = [];
    const reopened = await open({ segmentBytes: 1000, onError: (error) => errors.push(error) });
    const expected = numbered(30, 100).map(String);
    expect(text(await readAll(reopened))).toEqual([...expected.slice(0, 13), ...expected.slice(20)]);
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/0000000002\.seg is damaged at offset 324 \(crc32 mismatch\).*next segment/),
    ]);
    expect(reopened.stats().pendingRecords).toBe(23);
    await reopened.append(Buffer.from('still accepting'));
  });

  it('detects damage that appears after open while reading, instead of returning it', async () => {
    const errors: Error[] = [];
    const spool = await spoolWith(25, { segmentBytes: 1000, onError: (error) => errors.push(error) });
    const segment = await readFile(segmentPath(spools.dir(), 1));
    segment[RECORD_HEADER_BYTES] ^= 0xff; // first record of sealed segment 1
    await writeFile(segmentPath(spools.dir(), 1), segment);

    expect(text(await readAll(spool))).toEqual(numbered(25, 100).slice(10).map(String));
    expect(errors.map((error) => error.message)).toEqual([expect.stringMatching(/damaged at offset 0/)]);
    expect(spool.stats().pendingBytes).toBe(15 * recordBytes);
  });
});

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const openSpoolModule = new URL('./open-spool.ts', import.meta.url).href;

/**
 * Runs `source` (an ES module that may import openSpool) in a child Node process with
 * the spool directory as argv[2]; `fileSizeLimitBytes` caps every file it writes.
 */
async function spawnSpoolScript(source: string, options: { fileSizeLimitBytes?: number } = {}): Promise<ChildProcess> {
  const scriptPath = join(spools.dir(), 'child.mjs');
  await writeFile(scriptPath, `import { openSpool } from ${JSON.stringify(openSpoolModule)};\n${source}`);
  const node = [process.execPath, '--import', 'tsx', scriptPath, join(spools.dir(), 'spool')];
  // POSIX sh counts ulimit -f in 512-byte blocks.
  const limit = options.fileSizeLimitBytes === undefined ? '' : `ulimit -f ${options.fileSizeLimitBytes / 512} && `;
  return spawn('/bin/sh', ['-c', `${limit}exec "$@"`, 'sh', ...node], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collectOutput(child: ChildProcess): { exited: Promise<{ signal: string | null; stderr: string }> } {
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { exited: new Promise((resolve) => child.on('exit', (_code, signal) => resolve({ signal, stderr }))) };
}

describe('recovery after a real crash', () => {
  /** Appends numbered records with 64 in flight, printing each number once its append resolves. */
  const writer = `
    const spool = await openSpool({ dir: process.argv[2], segmentBytes: 64 * 1024 });
    let next = 0;
    async function appendForever() {
      for (;;) {
        const sequence = next++;
        await spool.append(Buffer.from(sequence + ':' + 'x'.repeat(sequence % 500)));
        process.stdout.write(sequence + '\\n');
      }
    }
    for (let i = 0; i < 64; i++) void appendForever();
  `;

  /** Starts the writer, SIGKILLs it once `acknowledgements` appends have resolved, returns the highest. */
  async function crashWriter(acknowledgements: number): Promise<number> {
    const child = await spawnSpoolScript(writer);
    const { exited } = collectOutput(child);
    let highest = -1;
    let seen = 0;
    for await (const line of createInterface({ input: child.stdout! })) {
      highest = Math.max(highest, Number(line));
      if (++seen === acknowledgements) child.kill('SIGKILL');
    }
    const { signal, stderr } = await exited;
    if (signal !== 'SIGKILL') throw new Error(`the writer exited on its own (${signal}): ${stderr}`);
    return highest;
  }

  it('keeps every acknowledged record exactly once and in order', async () => {
    for (const acknowledgements of [3_000, 7_919]) {
      const highestAcknowledged = await crashWriter(acknowledgements);
      const spool = await openSpool({ dir: join(spools.dir(), 'spool'), onError: () => {} });
      const sequences = (await readAll(spool)).map((entry) => Number(entry.payload.toString().split(':')[0]));
      await spool.close();

      expect(highestAcknowledged).toBeGreaterThanOrEqual(acknowledgements - 1);
      expect(sequences.length).toBeGreaterThan(highestAcknowledged);
      // Records past the last acknowledgement may survive too; what exists must be 0, 1, 2, … with no gap.
      expect(sequences.every((sequence, index) => sequence === index)).toBe(true);
      await rm(join(spools.dir(), 'spool'), { recursive: true });
    }
  }, 20_000);
});

describe('a failed write', () => {
  it('rejects only the appends not stored, and leaves nothing of them on disk', async () => {
    // 8 KiB per file: the third 3000-byte record is cut short by EFBIG mid-write; Node ignores SIGXFSZ.
    const child = await spawnSpoolScript(
      `
      const spool = await openSpool({ dir: process.argv[2], onError: () => {} });
      const outcome = (payload) => spool.append(payload).then(() => 'stored', (error) => error.message);
      const outcomes = [];
      for (const size of [3000, 3000, 3000, 100]) outcomes.push(await outcome(Buffer.alloc(size, 'a')));
      console.log(JSON.stringify({ outcomes, stats: spool.stats() }));
      await spool.close();
      `,
      { fileSizeLimitBytes: 8192 },
    );
    const { exited } = collectOutput(child);
    let output = '';
    for await (const line of createInterface({ input: child.stdout! })) output += line;
    const { stderr } = await exited;
    expect(stderr).toBe('');
    const { outcomes, stats } = JSON.parse(output);
    expect(outcomes).toEqual(['stored', 'stored', expect.stringMatching(/EFBIG.*must be retried/), 'stored']);
    expect(stats).toMatchObject({ pendingRecords: 3, queuedBytes: 0 });

    const errors: Error[] = [];
    const spool = await open({ dir: join(spools.dir(), 'spool'), onError: (error) => errors.push(error) });
    expect((await readAll(spool)).map((entry) => entry.payload.length)).toEqual([3000, 3000, 100]);
    expect(errors).toEqual([]); // the partial write was truncated before the next one, not left as a torn tail
    expect((await stat(segmentPath(join(spools.dir(), 'spool'), 1))).size).toBe(2 * (RECORD_HEADER_BYTES + 3000) + RECORD_HEADER_BYTES + 100);
  });
});
