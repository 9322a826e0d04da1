/** Every notification sent or attempted, per destination: `alert_history` (90 days), listed by the API. */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/types.js';
import type { AlertMessage, DeliveryResult } from './destinations/types.js';

export interface HistoryEntry {
  id: string;
  sentAt: number;
  ruleId: string;
  ruleName: string;
  issueId: string | null;
  kind: string;
  destination: string;
  title: string;
  summary: string;
  result: DeliveryResult;
}

export interface AlertHistory {
  record(message: AlertMessage, destination: string, result: DeliveryResult): Promise<void>;
  list(projectId: number, options: { ruleId?: string; limit: number; before?: number }): Promise<HistoryEntry[]>;
}

export function createAlertHistory(store: Store): AlertHistory {
  return {
    async record(message, destination, result) {
      await store.insert('alert_history', [
        {
          project_id: message.projectId,
          sent_at: Date.now(),
          history_id: randomUUID(),
          rule_id: message.rule.id,
          rule_name: message.rule.name,
          issue_id: message.issue?.id ?? '',
          kind: message.kind,
          destination,
          title: message.title,
          summary: message.summary,
          ok: result.ok ? 1 : 0,
          status: result.status ?? 0,
          attempts: result.attempts,
          error: result.error ?? '',
        },
      ]);
    },
    async list(projectId, { ruleId, limit, before }) {
      const rows = await store.query<Record<string, any>>(
        `SELECT history_id, toUnixTimestamp64Milli(sent_at) AS sent_ms, rule_id, rule_name, issue_id, kind, destination, title, summary, ok, status, attempts, error
         FROM alert_history WHERE project_id = {projectId:UInt32}
           ${ruleId ? 'AND rule_id = {ruleId:String}' : ''}
           ${before ? 'AND sent_at < fromUnixTimestamp64Milli({before:Int64})' : ''}
         ORDER BY sent_at DESC, history_id DESC LIMIT {limit:UInt32}`,
        { projectId, ruleId: ruleId ?? '', before: before ?? 0, limit },
      );
      return rows.map((row) => ({
        id: row.history_id,
        sentAt: Number(row.sent_ms),
        ruleId: row.rule_id,
        ruleName: row.rule_name,
        issueId: row.issue_id || null,
        kind: row.kind,
        destination: row.destination,
        title: row.title,
        summary: row.summary,
        result: { ok: Number(row.ok) === 1, ...(Number(row.status) ? { status: Number(row.status) } : {}), attempts: Number(row.attempts), ...(row.error ? { error: row.error } : {}) },
      }));
    },
  };
}

/** The history, also counting each delivery for `/metrics` (every rule kind records here). */
export function countingDeliveries(history: AlertHistory, counter: { inc(labels: { kind: string; result: string }): void }): AlertHistory {
  return {
    ...history,
    record(message, destination, result) {
      counter.inc({ kind: message.kind, result: result.ok ? 'delivered' : 'failed' });
      return history.record(message, destination, result);
    },
  };
}
