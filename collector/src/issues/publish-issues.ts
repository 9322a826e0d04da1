/**
 * After the store accepted a batch: `issue.new`, `issue.regression` and `issue.event` on the
 * bus, in the order the events arrived. Only stored events are announced.
 */
import type { Bus, IssueNotice } from '../bus/bus.js';
import type { ProcessedEvent, StoredListener } from '../process/pipeline.js';
import { culpritFrame } from '../symbolicate/stored-frame.js';

function noticeOf(processed: ProcessedEvent): IssueNotice | null {
  const { event, issue, client } = processed;
  if (event.kind !== 'error' || !issue) return null;
  return {
    projectId: processed.projectId,
    issueId: issue.id,
    title: issue.title,
    culprit: issue.culprit,
    status: issue.status,
    frame: culpritFrame(processed.frames),
    event: {
      event_id: event.event_id,
      timestamp: event.timestamp,
      received_at: processed.receivedAt,
      release: event.release ?? '',
      environment: event.environment ?? '',
      url: event.url,
      route: event.route ?? '',
      user_id: event.user_id ?? '',
      browser: [client.browser_name, client.browser_version].filter(Boolean).join(' '),
      os: [client.os_name, client.os_version].filter(Boolean).join(' '),
      message: event.message,
      type: event.type,
      tags: event.tags ?? {},
    },
  };
}

export function publishIssues(bus: Bus): StoredListener {
  return (events) => {
    for (const processed of events) {
      const notice = noticeOf(processed);
      if (!notice) continue;
      if (processed.issue!.isNew) bus.publish('issue.new', notice);
      if (processed.issue!.isRegression) bus.publish('issue.regression', notice);
      bus.publish('issue.event', notice);
    }
  };
}
