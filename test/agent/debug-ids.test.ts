/**
 * Debug IDs on error events: the agent reads the registrations that `lookout sourcemaps inject`
 * appends to bundles (protocol/debug-id.ts) when an error event is built, and sends those of the
 * frames' files, keyed by the file as sent (scrubbed). In real browsers: debug-ids-browser.test.ts.
 */
import { createContext, runInContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { DEBUG_IDS_GLOBAL, debugIdRegistration } from '../../protocol/debug-id.js';
import type { Frame } from '../../protocol/wire.js';
import { describe as describeValue, MAX_DEBUG_IDS, scrubFrames, type Described } from '../../agent/src/error.js';

const APP = '85314830-023f-4cf1-a267-535f4e37bb17';
const VENDOR = '0b5d4c2e-9a61-4f0e-8d3b-7c2a1e6f9d40';

const registry = globalThis as unknown as Record<string, Record<string, string> | undefined>;
const register = (ids: Record<string, string>) => (registry[DEBUG_IDS_GLOBAL] = { ...registry[DEBUG_IDS_GLOBAL], ...ids });
afterEach(() => {
  delete registry[DEBUG_IDS_GLOBAL];
});

const described = (...files: string[]): Described => ({
  type: 'TypeError',
  message: 'x is undefined',
  frames: files.map((file, i): Frame => ({ function: 'f' + i, file, line: i + 1, column: 7 })),
});

describe('scrubFrames: debug IDs', () => {
  it('sends nothing when no bundle registered, and still scrubs the frames', () => {
    const event = described('https://app.test/shop?token=abc&q=1', 'https://cdn.test/app.js');
    scrubFrames(event);
    expect(event.debug_ids).toBeUndefined();
    expect(event.frames!.map((f) => f.file)).toEqual(['https://app.test/shop?token=[redacted]&q=1', 'https://cdn.test/app.js']);
  });

  it("sends the IDs of the frames' files only, once per file", () => {
    register({ 'https://cdn.test/app.js': APP, 'https://cdn.test/vendor.js': VENDOR, 'https://cdn.test/other.js': 'not-in-the-stack' });
    const event = described('https://cdn.test/vendor.js', 'https://cdn.test/vendor.js', 'https://app.test/shop', 'https://cdn.test/app.js', '<anonymous>');
    scrubFrames(event);
    expect(event.debug_ids).toEqual({ 'https://cdn.test/vendor.js': VENDOR, 'https://cdn.test/app.js': APP });
  });

  it('sends nothing when no frame is from a registered bundle', () => {
    register({ 'https://cdn.test/app.js': APP });
    const event = described('https://app.test/shop', 'https://cdn.test/app.js?v=2');
    scrubFrames(event);
    expect(event.debug_ids).toBeUndefined();
    const frameless: Described = { type: 'Message', message: 'hello' };
    scrubFrames(frameless);
    expect(frameless).toEqual({ type: 'Message', message: 'hello' });
  });

  it('looks up the file as the engine printed it, and keys the ID by the file as sent (scrubbed)', () => {
    register({ 'https://cdn.test/app.js?v=3&token=s3cret': APP, 'https://cdn.test/vendor.js?sig=x': VENDOR });
    const event = described('https://cdn.test/app.js?v=3&token=s3cret', 'https://cdn.test/vendor.js?sig=x');
    scrubFrames(event);
    expect(event.frames!.map((f) => f.file)).toEqual(['https://cdn.test/app.js?v=3&token=[redacted]', 'https://cdn.test/vendor.js?sig=[redacted]']);
    expect(event.debug_ids).toEqual({ 'https://cdn.test/app.js?v=3&token=[redacted]': APP, 'https://cdn.test/vendor.js?sig=[redacted]': VENDOR });
    // The keys are exactly the files the frames carry.
    expect(Object.keys(event.debug_ids!).every((file) => event.frames!.some((f) => f.file == file))).toBe(true);
  });

  it('scrubs with init({ scrub }) keys', () => {
    register({ 'https://cdn.test/app.js?build=42&v=1': APP });
    const event = described('https://cdn.test/app.js?build=42&v=1');
    scrubFrames(event, /build/);
    expect(event.debug_ids).toEqual({ 'https://cdn.test/app.js?build=[redacted]&v=1': APP });
  });

  it('reads the registrations when the event is built: bundles loaded after the agent count', () => {
    const before = described('https://cdn.test/lazy.js');
    scrubFrames(before);
    expect(before.debug_ids).toBeUndefined();
    register({ 'https://cdn.test/lazy.js': APP });
    const after = described('https://cdn.test/lazy.js');
    scrubFrames(after);
    expect(after.debug_ids).toEqual({ 'https://cdn.test/lazy.js': APP });
  });

  it(`sends at most ${MAX_DEBUG_IDS} (the wire's bound), those of the newest frames' files`, () => {
    expect(MAX_DEBUG_IDS).toBe(64);
    const files = Array.from({ length: 100 }, (_, i) => `https://cdn.test/chunk-${i}.js`);
    register(Object.fromEntries(files.map((file, i) => [file, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`])));
    const event = described(...files);
    scrubFrames(event);
    expect(Object.keys(event.debug_ids!)).toEqual(files.slice(0, MAX_DEBUG_IDS));
    expect(event.debug_ids![files[63]]).toBe('00000000-0000-4000-8000-000000000063');
  });

  it('counts files, not frames, towards the bound: deep recursion in one bundle leaves room for the others', () => {
    register({ 'https://cdn.test/vendor.js': VENDOR, 'https://cdn.test/app.js': APP });
    const event = described(...Array<string>(90).fill('https://cdn.test/vendor.js'), 'https://cdn.test/app.js');
    scrubFrames(event);
    expect(event.debug_ids).toEqual({ 'https://cdn.test/vendor.js': VENDOR, 'https://cdn.test/app.js': APP });
  });

  it("matches what the registration snippet records with the agent's own parsing of the stack (V8)", () => {
    // The bundle as `lookout sourcemaps inject` leaves it, run as a script of that URL.
    const url = 'https://cdn.test/assets/app-3f9c.js?v=3&token=s3cret';
    const page = createContext({});
    runInContext(`function checkout() { throw new TypeError('cart is undefined'); }\n${debugIdRegistration(APP.toUpperCase())}`, page, { filename: url });
    expect(runInContext(DEBUG_IDS_GLOBAL, page)).toEqual({ [url]: APP });

    let thrown: unknown;
    try {
      runInContext('checkout()', page);
    } catch (error) {
      thrown = error;
    }
    register(runInContext(DEBUG_IDS_GLOBAL, page));
    const event = describeValue(thrown);
    scrubFrames(event);
    expect(event.frames![0]).toMatchObject({ function: 'checkout', file: 'https://cdn.test/assets/app-3f9c.js?v=3&token=[redacted]', line: 1 });
    expect(event.debug_ids).toEqual({ 'https://cdn.test/assets/app-3f9c.js?v=3&token=[redacted]': APP });
  });
});
