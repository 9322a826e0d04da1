/**
 * The processor stage that groups each error into an issue, after symbolication: the
 * fingerprint reads original function names and modules where the map gave them, so the same
 * bug keeps one issue across browsers and releases. Opens issues and reopens resolved ones
 * (regressions); what it decided rides on the event to the store and then to the bus.
 *
 * Replays are harmless: an issue remembers the event that opened it and the event that last
 * reopened it, so the same event replayed after a crash is "new" again rather than "seen".
 */
import { LRUCache } from 'lru-cache';
import type { Frame } from '../../../protocol/wire.js';
import type { CollectorMetrics } from '../ops/metrics.js';
import type { ProcessedEvent, ProcessorStage } from '../process/pipeline.js';
import type { StoredFrame } from '../symbolicate/stored-frame.js';
import { createFingerprinter, titleOf, type Fingerprint, type FingerprintOptions } from './fingerprint.js';
import { createInAppMatcher, type GroupingFrame } from './in-app.js';
import { normalizeFunction } from './normalize.js';
import type { IssueRecord, IssueStore } from './issue-store.js';
import { isLaterRelease } from './release-order.js';

export interface GroupingStageOptions {
  issues: IssueStore;
  metrics: CollectorMetrics;
  grouping?: FingerprintOptions;
}

/** Issue ids: the first 64 bits of the fingerprint, in hex — stable, short enough for a URL. */
export const issueIdOf = (fingerprintHash: string): string => fingerprintHash.slice(0, 16);

/** What grouping may read of a frame: names only from where they are stable across builds and browsers. */
export function groupingFrameOf(frame: StoredFrame): GroupingFrame {
  if (frame.status === 'mapped' || frame.status === 'source_missing') {
    return {
      // A name found at the frame's position depends on the browser's column; only the enclosing function's does not.
      function: frame.function_source === 'enclosing' ? (frame.function ?? undefined) : undefined,
      file: frame.file ?? undefined,
      ...(frame.ignored ? { inApp: false } : {}),
    };
  }
  return fromMinified(frame.minified);
}

/**
 * An unmapped frame keeps the browser's name unless it looks mangled: minifiers rename to one or
 * two characters (`lV`, `r`), different in the next build, which would split the issue.
 */
function fromMinified(frame: Frame): GroupingFrame {
  const name = normalizeFunction(frame.function);
  return { function: name.length > 2 ? frame.function : undefined, file: frame.file };
}

type ErrorProcessed = ProcessedEvent & { event: Extract<ProcessedEvent['event'], { kind: 'error' }> };

export function createGroupingStage(options: GroupingStageOptions): ProcessorStage {
  const { issues, metrics } = options;
  const fingerprint = createFingerprinter(options.grouping);
  const inApp = createInAppMatcher(options.grouping);
  // Every event of a bug has the same frames: their fingerprint and in-app flags are remembered,
  // keyed by what grouping reads of them. Not for message fingerprints (the message varies).
  const stacks = new LRUCache<string, { print: Fingerprint; inApp: boolean[] }>({ max: 20_000 });

  function group(event: ErrorProcessed['event'], stored: StoredFrame[] | undefined): Fingerprint {
    const frames: GroupingFrame[] = stored ? stored.map(groupingFrameOf) : (event.frames ?? []).map(fromMinified);
    let key = `${event.type}\u0000${event.fingerprint?.join('\u0001') ?? ''}`;
    for (const frame of frames) key += `\u0000${frame.function ?? ''}\u0001${frame.file ?? ''}\u0001${frame.inApp ?? ''}`;
    const known = stacks.get(key);
    if (known) {
      if (stored) known.inApp.forEach((flag, i) => (stored[i].in_app = flag));
      return { ...known.print, title: titleOf(event.type, event.message) };
    }
    const flags = frames.map((frame) => inApp(frame));
    if (stored) flags.forEach((flag, i) => (stored[i].in_app = flag));
    const print = fingerprint({ type: event.type, message: event.message, frames: frames.map((frame, i) => ({ ...frame, inApp: flags[i] })), fingerprint: event.fingerprint });
    if (!print.parts.some((part) => part.startsWith('message:'))) stacks.set(key, { print, inApp: flags });
    return print;
  }

  return {
    name: 'group',
    async run(events) {
      const errors = events.filter((processed): processed is ErrorProcessed => processed.event.kind === 'error');
      if (!errors.length) return;

      const planned = errors.map((processed) => {
        const print = group(processed.event, processed.frames);
        return { processed, print, issueId: issueIdOf(print.hash) };
      });

      const known = new Map<string, IssueRecord>();
      const byProject = new Map<number, string[]>();
      for (const { processed, issueId } of planned) {
        const ids = byProject.get(processed.projectId) ?? [];
        ids.push(issueId);
        byProject.set(processed.projectId, ids);
      }
      for (const [projectId, ids] of byProject) {
        for (const [issueId, record] of await issues.load(projectId, ids)) known.set(`${projectId}:${issueId}`, record);
      }
      // An event would reopen a resolved issue: read that issue again first. Another collector
      // may have ignored or reopened it since this one cached it, and a regression written from
      // a stale copy would overwrite that (and alert).
      const reopening = new Map<number, string[]>();
      for (const { processed, issueId } of planned) {
        const record = known.get(`${processed.projectId}:${issueId}`);
        if (record?.status === 'resolved' || record?.status === 'resolved_in_release') reopening.set(processed.projectId, [...(reopening.get(processed.projectId) ?? []), issueId]);
      }
      for (const [projectId, ids] of reopening) {
        for (const [issueId, record] of await issues.load(projectId, ids, { fresh: true })) known.set(`${projectId}:${issueId}`, record);
      }

      const changed = new Map<string, IssueRecord>();
      for (const { processed, print, issueId } of planned) {
        const { event } = processed;
        const key = `${processed.projectId}:${issueId}`;
        let record = known.get(key);
        let isNew = false;
        let isRegression = false;
        if (!record) {
          record = {
            projectId: processed.projectId,
            issueId,
            fingerprint: print.hash,
            grouping: print.parts,
            groupingKind: print.kind,
            title: print.title,
            culprit: print.culprit,
            type: event.type || 'Error',
            firstSeen: event.timestamp,
            firstRelease: event.release ?? '',
            firstEventId: event.event_id,
            status: 'unresolved',
            resolvedInRelease: '',
            statusChangedAt: processed.receivedAt,
            regressionEventId: '',
            updatedAt: Date.now(),
          };
          isNew = true;
          metrics.issuesOpened.inc({ reason: 'new' });
        } else if (record.firstEventId === event.event_id) {
          isNew = true;
        } else if (record.regressionEventId === event.event_id) {
          isRegression = true;
        } else if (
          (record.status === 'resolved' && processed.receivedAt > record.statusChangedAt) ||
          (record.status === 'resolved_in_release' && isLaterRelease(event.release ?? '', record.resolvedInRelease))
        ) {
          record = {
            ...record,
            status: 'unresolved',
            resolvedInRelease: '',
            statusChangedAt: processed.receivedAt,
            regressionEventId: event.event_id,
            updatedAt: Math.max(Date.now(), record.updatedAt + 1),
          };
          isRegression = true;
          metrics.issuesOpened.inc({ reason: 'regression' });
        }
        if (isNew || isRegression) {
          known.set(key, record);
          changed.set(key, record);
        }
        processed.issue = { id: issueId, title: record.title, culprit: record.culprit, status: record.status, isNew, isRegression };
      }
      // Before the events: an event is never stored pointing at an issue that does not exist.
      await issues.save([...changed.values()]);
    },
  };
}
