import type { LookoutEvent } from '../../protocol/wire.js';

/** A substring to look for, or a pattern. */
export type Pattern = string | RegExp;

export interface Options {
  /** `http://<public key>@host:8080/<project id>`, as shown on the project page. */
  dsn: string;
  release?: string;
  environment?: string;
  /** Share of sessions whose Web Vitals and navigations are sent, 0–1. Default 1. */
  sampleRate?: number;
  /** Share of errors sent, decided per error, 0–1. Default 1. */
  errorSampleRate?: number;
  /** Last look at every event (errors, vitals, navigations): return it, changed or not, or null to drop it. */
  beforeSend?: (event: LookoutEvent) => LookoutEvent | null | false | undefined | void;
  /** Errors whose message, or "Type: message", matches one of these are not sent. */
  ignoreErrors?: Pattern[];
  /** When given, only errors whose newest frame's file matches one of these are sent. */
  allowUrls?: Pattern[];
  /** Errors whose newest frame's file matches one of these are not sent. */
  denyUrls?: Pattern[];
  /** Query and fragment keys whose values are replaced in URLs. Default: SENSITIVE_KEYS. */
  scrub?: RegExp;
  /**
   * Send to this URL (your own origin, out of ad blockers' reach) instead of the
   * collector; the tunnel forwards the body and the `key` query parameter to
   * `<collector>/api/<project id>/ingest`.
   */
  tunnel?: string;
}

/** The ingest URL for a DSN, with the public key in the query: see TransportOptions.url. */
export function ingestUrl(dsn: string, tunnel?: string): string {
  const url = new URL(dsn);
  const path = url.pathname.split('/');
  const project = path.pop();
  // The DSN as the message: init's guard swallows it anyway (a bad DSN leaves the agent off).
  if (!url.username || !project) throw Error(dsn);
  // The path before the project id is the collector's --ingest-prefix; none means the default /api.
  const base = tunnel || url.origin + (path.join('/') || '/api') + '/' + project + '/ingest';
  return base + (base.includes('?') ? '&' : '?') + 'key=' + url.username;
}

export const matches = (text: string | undefined, patterns: Pattern[] | undefined): boolean =>
  !!text && !!patterns?.some((p) => (typeof p == 'string' ? text.includes(p) : p.test(text)));
