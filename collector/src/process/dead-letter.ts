/**
 * Events ClickHouse refuses outright (not "unreachable": invalid for it) are appended to
 * DATA/dead-letter.ndjson with the reason, so one poison event never blocks the others and
 * nothing acknowledged disappears without a trace. Replaying them is a manual step (docs).
 */
import { appendFile } from 'node:fs/promises';
import type { ProcessedEvent } from './pipeline.js';

export function deadLetterFile(path: string): (events: readonly ProcessedEvent[], reason: string) => Promise<void> {
  return async (events, reason) => {
    const at = new Date().toISOString();
    const lines = events.map((processed) => JSON.stringify({ at, reason, project_id: processed.projectId, received_at: processed.receivedAt, sdk: processed.sdk, event: processed.event }));
    await appendFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  };
}
