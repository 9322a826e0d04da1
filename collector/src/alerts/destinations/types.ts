/**
 * What the alert engine hands to a destination, and what a destination answers.
 *
 * A destination (Slack, webhook, …) turns one `AlertMessage` into one delivery, retrying as its
 * transport allows, and answers a `DeliveryResult` that the engine stores in the alert history.
 * `send` never throws: every failure is a result with `ok: false` and an `error` for people.
 */

export type AlertKind = 'issue.new' | 'issue.regression' | 'issue.digest' | 'threshold.firing' | 'threshold.resolved' | 'cert.firing' | 'cert.changed' | 'cert.resolved' | 'test';

export const ALERT_KINDS: readonly AlertKind[] = ['issue.new', 'issue.regression', 'issue.digest', 'threshold.firing', 'threshold.resolved', 'cert.firing', 'cert.changed', 'cert.resolved', 'test'];

/** Where the issue happens: the top in-app symbolicated frame (see `culpritFrame`). */
export interface AlertFrame {
  file: string | null;
  line: number | null;
  function: string | null;
}

export interface AlertIssue {
  /** The issue's id (16 hex digits). */
  id: string;
  /** Exception type, e.g. `TypeError`. */
  type?: string;
  /** Exception message. */
  message?: string;
  culprit?: AlertFrame | null;
  /** Events counted for the issue (as on the issue page). */
  events?: number;
  /** Users affected. */
  users?: number;
  /** First seen, ms since the epoch. */
  firstSeen?: number;
  release?: string;
  environment?: string;
  /** Browsers with the most events, most first (the issue page's browsers breakdown). */
  topBrowsers?: { name: string; events: number }[];
}

export interface AlertMetric {
  /** What is measured, e.g. `error rate` or `events`. */
  name: string;
  value: number;
  threshold: number;
  windowMinutes: number;
}

export interface AlertMessage {
  kind: AlertKind;
  projectId: number;
  rule: { id: string; name: string };
  /** One line: what happened (Slack's header, the webhook's `title`). */
  title: string;
  /** One sentence under the title. */
  summary: string;
  issue?: AlertIssue;
  metric?: AlertMetric;
  /** Where to look in the dashboard, e.g. `issueLink(publicUrl, issueId)`. */
  link: string;
}

export interface DeliveryResult {
  ok: boolean;
  /** The last HTTP status answered (absent when no answer came: network error, timeout). */
  status?: number;
  /** HTTP requests made (1 when delivered at once). */
  attempts: number;
  /** Why it failed, for people (Slack's answer such as `invalid_payload`, a network error, …). */
  error?: string;
}

export interface Destination {
  /** For logs and the alert history: never a secret (a Slack webhook URL is one). */
  readonly name: string;
  /** Delivers one message; never rejects. */
  send(message: AlertMessage): Promise<DeliveryResult>;
  /** Stops: sends waiting or retrying end with `ok: false` ("destination closed"); later sends too. */
  close(): Promise<void>;
}

/** The minimal logger destinations need; the collector's pino logger fits. */
export interface DestinationLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The dashboard's page of an issue: `${publicUrl}/issues/${issueId}` (`--public-url` sets the base). */
export function issueLink(publicUrl: string, issueId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/issues/${encodeURIComponent(issueId)}`;
}
