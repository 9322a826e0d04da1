/**
 * Grouping of errors into issues: the fingerprint of an error event. Pure; the issue store
 * calls it after symbolication and keys issues by `hash`.
 *
 * Order (as Sentry's, see shared/research/peers.md): a custom fingerprint from the agent
 * (with `{{ default }}` standing for what follows) → the exception type with the in-app
 * frames → the exception type with the normalised message when no in-app frame exists.
 * A frame counts by its normalised function name and module id, never by line or column,
 * so the same bug keeps one fingerprint across browsers and releases.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { createInAppMatcher, type GroupingFrame, type InAppOptions } from './in-app.js';
import { isEvalFrameName, normalizeFile, normalizeFunction, normalizeMessage } from './normalize.js';

/** Bumped whenever a change to grouping would move existing events to other issues. */
export const GROUPING_VERSION = 1;

export interface FingerprintInput {
  /** Exception type (`TypeError`); empty or missing reads as `Error`. */
  type?: string;
  message?: string;
  /** Newest first, as the agent sends them; symbolicated ones when available. */
  frames?: readonly GroupingFrame[];
  /** The agent's custom fingerprint; `{{ default }}` expands to the default parts. */
  fingerprint?: readonly string[];
}

export interface Fingerprint {
  /** SHA-1 hex of the grouping version and parts. */
  hash: string;
  kind: 'custom' | 'stack' | 'message';
  /** What went into the hash, readable: `type:…`, `frame:fn@module`, `message:…`, `custom:…`. */
  parts: string[];
  /** `TypeError: Cannot read properties…` (first line, at most 200 characters). */
  title: string;
  /** Top in-app frame as `module in function` (`?` for an anonymous one); '' without frames. */
  culprit: string;
}

export interface FingerprintOptions extends InAppOptions {
  /** Directory names under which a module id keeps its path (default `['src']`). */
  roots?: readonly string[];
}

const MAX_TITLE = 200;
const MAX_CUSTOM_PART = 200;
/** Longest run of frames that repeats and is collapsed (mutual recursion a→b→a→b). */
const MAX_CYCLE = 4;

interface Normalized {
  fn: string;
  module: string;
  inApp: boolean;
}

/** Collapses consecutive repeats of a block of up to MAX_CYCLE entries. */
export function collapseRecursion<T>(items: readonly T[], same: (a: T, b: T) => boolean = Object.is): T[] {
  let out = [...items];
  for (let size = 1; size <= MAX_CYCLE; size++) {
    const next: T[] = [];
    for (let i = 0; i < out.length; ) {
      next.push(out[i]);
      i++;
      // The last `size` entries form a block: skip any immediate repeats of it.
      if (next.length >= size) {
        const start = next.length - size;
        while (i + size <= out.length && out.slice(i, i + size).every((item, k) => same(item, next[start + k]))) i += size;
      }
    }
    out = next;
  }
  return out;
}

/** Builds a fingerprinter with project options; compile once, call per event. */
export function createFingerprinter(options: FingerprintOptions = {}): (input: FingerprintInput) => Fingerprint {
  const inApp = createInAppMatcher(options);
  const fileOptions = { roots: options.roots };

  // Every event of a bug repeats its frames: their normalised form is remembered.
  const normalizedFrames = new LRUCache<string, Normalized & { hasFile: boolean }>({ max: 50_000 });
  const normalize = (frame: GroupingFrame) => {
    const key = `${frame.function ?? ''}\u0000${frame.file ?? ''}\u0000${frame.inApp ?? ''}`;
    let normalized = normalizedFrames.get(key);
    if (!normalized) {
      const module = normalizeFile(frame.file, fileOptions);
      normalized = {
        fn: normalizeFunction(frame.function),
        module,
        inApp: inApp(frame),
        hasFile: fileOptions.roots === undefined ? module !== '' : normalizeFile(frame.file) !== '',
      };
      normalizedFrames.set(key, normalized);
    }
    return normalized;
  };

  return (input) => {
    const type = (input.type || '').trim() || 'Error';
    const frames: Normalized[] = [];
    let culpritFrame: GroupingFrame | undefined;
    let fallbackCulprit: GroupingFrame | undefined;
    for (const frame of input.frames ?? []) {
      if (isEvalFrameName(frame.function)) continue;
      const normalized = normalize(frame);
      if (normalized.inApp) {
        frames.push(normalized);
        culpritFrame ??= frame;
      } else if (!fallbackCulprit && normalized.hasFile) fallbackCulprit = frame;
    }

    const collapsed = collapseRecursion(frames, (a, b) => a.fn == b.fn && a.module == b.module);
    let kind: 'stack' | 'message';
    let defaults: string[];
    if (collapsed.some((f) => f.fn || f.module)) {
      // Named frames count as name@module; anonymous ones by module alone. When no frame
      // has a usable name this is the file-only stack the brief asks for.
      kind = 'stack';
      defaults = ['type:' + type, ...collapsed.filter((f) => f.fn || f.module).map((f) => `frame:${f.fn}@${f.module}`)];
    } else {
      kind = 'message';
      defaults = ['type:' + type, 'message:' + normalizeMessage(input.message, type)];
    }

    let parts = defaults;
    let finalKind: Fingerprint['kind'] = kind;
    const custom = (input.fingerprint ?? []).map((p) => String(p));
    if (custom.length && !(custom.length == 1 && isDefault(custom[0]))) {
      finalKind = 'custom';
      parts = custom.flatMap((entry) => {
        if (isDefault(entry)) return defaults;
        const variable = /^\{\{\s*([\w.]+)\s*\}\}$/.exec(entry.trim())?.[1];
        if (variable == 'type' || variable == 'error.type') return ['type:' + type];
        if (variable == 'message' || variable == 'error.value') return ['message:' + normalizeMessage(input.message, type)];
        return ['custom:' + entry.slice(0, MAX_CUSTOM_PART)];
      });
    }

    const hash = createHash('sha1')
      .update(JSON.stringify([GROUPING_VERSION, ...parts]))
      .digest('hex');
    return { hash, kind: finalKind, parts, title: titleOf(type, input.message), culprit: culpritOf(culpritFrame ?? fallbackCulprit, fileOptions) };
  };
}

function isDefault(entry: string): boolean {
  return /^\{\{\s*default\s*\}\}$/.test(entry.trim());
}

/** `Type: first line of the message`, like Sentry's title. */
export function titleOf(type: string | undefined, message: string | undefined): string {
  const name = (type || '').trim() || 'Error';
  let text = (message || '').split('\n').find((line) => line.trim())?.trim() ?? '';
  if (text.startsWith(name + ': ')) text = text.slice(name.length + 2);
  const title = text ? `${name}: ${text}` : name;
  return title.length > MAX_TITLE ? title.slice(0, MAX_TITLE - 1) + '…' : title;
}

function culpritOf(frame: GroupingFrame | undefined, options: { roots?: readonly string[] }): string {
  if (!frame) return '';
  const module = normalizeFile(frame.file, { ...options, lowerCase: false });
  const fn = normalizeFunction(frame.function);
  return `${module || '?'} in ${fn || '?'}`;
}

const defaultFingerprinter = createFingerprinter();

/** The fingerprint of one error under the default options. */
export function fingerprintError(input: FingerprintInput, options?: FingerprintOptions): Fingerprint {
  return options ? createFingerprinter(options)(input) : defaultFingerprinter(input);
}
