/**
 * Feeders: the CSV reader (our own, RFC 4180: no CSV library is installed), CSV/JSON/array
 * sources, and each strategy — queue (in order; running dry stops the run cleanly), random,
 * shuffle, circular — through real virtual users sending what they were fed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayFeeder, atOnceUsers, csv, http, httpProtocol, json, scenario, simulation, type Feeder } from '../../synthetic/src/index.js';
import { parseCsv, parseCsvRows } from '../../synthetic/src/runtime/csv.js';
import { drive } from './dsl-driver.js';
import { startTarget, type Target } from './target.js';

let target: Target;
let dir: string;
beforeAll(async () => {
  target = await startTarget();
  dir = mkdtempSync(join(tmpdir(), 'lookout-feeders-'));
});
afterAll(async () => {
  await target?.close();
});

describe('CSV reader', () => {
  it('reads quoted fields with separators, doubled quotes and line breaks, CRLF, a BOM, and no final newline', () => {
    const text = '\ufeffid,name,note\r\n1,Ann,"says ""hi"", twice"\r\n2,"Bob\nSmith",\n3,,"x,y"';
    expect(parseCsvRows(text)).toEqual([
      ['id', 'name', 'note'],
      ['1', 'Ann', 'says "hi", twice'],
      ['2', 'Bob\nSmith', ''],
      ['3', '', 'x,y'],
    ]);
    expect(parseCsv(text)).toEqual([
      { id: '1', name: 'Ann', note: 'says "hi", twice' },
      { id: '2', name: 'Bob\nSmith', note: '' },
      { id: '3', name: '', note: 'x,y' },
    ]);
  });

  it('skips blank lines, keeps an empty quoted field, takes another separator, and rejects broken input', () => {
    expect(parseCsvRows('a;b\n\n"";2\n', ';')).toEqual([
      ['a', 'b'],
      ['', '2'],
    ]);
    expect(parseCsv('a,b\n1\n')).toEqual([{ a: '1', b: '' }]);
    expect(() => parseCsv('a\n"open')).toThrow(/unterminated quoted field/);
    expect(() => parseCsv('a\n1,2')).toThrow(/CSV line 2 has 2 fields, the header has 1/);
    expect(parseCsv('')).toEqual([]);
  });
});

/** Runs `users` users one after the other, each feeding once and sending what it got. */
async function feedAndSend(feeder: Feeder, users: number) {
  const scn = scenario('fed').feed(feeder).exec(http('fed').get('/echo?id=#{id}'));
  target.reset();
  const run = await drive(simulation({ protocol: httpProtocol().baseUrl(target.url), scenarios: [scn.injectOpen(atOnceUsers(users))] }), { users });
  const sent = target.log.filter((entry) => entry.path === '/echo').length;
  return { run, sent };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1 }));

describe('strategies', () => {
  it('queue (the default): in order; when dry, stopRun("feeder_exhausted") and the user ends without a failure', async () => {
    const urls: string[] = [];
    const feeder = arrayFeeder(ids(3));
    expect(feeder.strategy).toBe('queue');
    const scn = scenario('queue')
      .feed(feeder)
      .exec(http('fed').get('/echo?id=#{id}'))
      .exec((s) => void urls.push(String(s.get('id'))));
    const run = await drive(simulation({ protocol: httpProtocol().baseUrl(target.url), scenarios: [scn.injectOpen(atOnceUsers(5))] }), { users: 5 });
    expect(urls).toEqual(['1', '2', '3']);
    expect(run.requests).toHaveLength(3);
    expect(run.requests.every((r) => r.ok)).toBe(true);
    // User 4 found the queue dry and stopped the run; user 5 then saw stopping() before its first step.
    expect(run.stopReasons).toEqual(['feeder_exhausted']);
    expect(run.started).toBe(5);
    expect(run.ended).toBe(5);
  });

  it('circular: starts over at the end, never runs dry', async () => {
    const seen: unknown[] = [];
    const feeder = arrayFeeder(ids(3)).circular();
    for (let i = 0; i < 7; i++) seen.push(feeder.next()!.id);
    expect(seen).toEqual([1, 2, 3, 1, 2, 3, 1]);
    const { run, sent } = await feedAndSend(arrayFeeder(ids(2)).circular(), 5);
    expect(sent).toBe(5);
    expect(run.stopReasons).toEqual([]);
  });

  it('random: any record, with repeats, never runs dry', () => {
    const feeder = arrayFeeder(ids(5)).random();
    const drawn = Array.from({ length: 500 }, () => feeder.next()!.id as number);
    expect(new Set(drawn)).toEqual(new Set([1, 2, 3, 4, 5]));
    // 500 draws from 5 with no repeat in order would be a queue, not random.
    expect(drawn.slice(0, 25)).not.toEqual([...Array(5)].flatMap(() => [1, 2, 3, 4, 5]));
  });

  it('shuffle: every record once in a random order, then dry like a queue', async () => {
    const records = ids(50);
    const feeder = arrayFeeder(records).shuffle();
    const drawn = Array.from({ length: 50 }, () => feeder.next()!.id as number);
    expect([...drawn].sort((a, b) => a - b)).toEqual(records.map((r) => r.id));
    expect(drawn).not.toEqual(records.map((r) => r.id)); // 1 chance in 50! of a false failure
    expect(feeder.next()).toBeUndefined();
    const { run, sent } = await feedAndSend(arrayFeeder(ids(2)).shuffle(), 3);
    expect(sent).toBe(2);
    expect(run.stopReasons).toEqual(['feeder_exhausted']);
  });

  it('one feeder is one shared source; a strategy call makes a new one over the same records', () => {
    const feeder = arrayFeeder(ids(3));
    expect([feeder.next()!.id, feeder.next()!.id]).toEqual([1, 2]);
    const again = feeder.circular();
    expect(again.next()!.id).toBe(1);
    expect(feeder.next()!.id).toBe(3);
    expect(feeder.next()).toBeUndefined();
  });
});

describe('sources', () => {
  it('csv(path) and csv(URL) feed string values, json(path) feeds objects as they are', async () => {
    const csvPath = join(dir, 'users.csv');
    writeFileSync(csvPath, 'id,name\n11,"Ann, A."\n12,Bob\n');
    const jsonPath = join(dir, 'users.json');
    writeFileSync(jsonPath, JSON.stringify([{ id: 21, user: { name: 'Cy' } }]));
    const fromCsv = csv(csvPath);
    expect(fromCsv.size()).toBe(2);
    expect(fromCsv.next()).toEqual({ id: '11', name: 'Ann, A.' });
    expect(csv(pathToFileURL(csvPath)).circular().next()).toEqual({ id: '11', name: 'Ann, A.' });
    const semicolons = join(dir, 'semi.csv');
    writeFileSync(semicolons, 'id;name\n1;x\n');
    expect(csv(semicolons, { separator: ';' }).next()).toEqual({ id: '1', name: 'x' });

    const names: string[] = [];
    const scn = scenario('json').feed(json(jsonPath)).exec(http('json user').get('/echo?name=#{user.name}&id=#{id}')).exec((s) => void names.push(s.get<{ name: string }>('user')!.name));
    target.reset();
    const run = await drive(simulation({ protocol: httpProtocol().baseUrl(target.url), scenarios: [scn.injectOpen(atOnceUsers(1))] }));
    expect(run.requests[0].ok).toBe(true);
    expect(names).toEqual(['Cy']);
    expect(target.log.find((entry) => entry.path === '/echo')).toBeDefined();
  });

  it('a JSON file that is not an array of objects is refused with a reason', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"id": 1}');
    expect(() => json(bad).next()).toThrow(/must hold an array of objects/);
  });
});
