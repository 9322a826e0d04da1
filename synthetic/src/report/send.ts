/**
 * `--report-to <collector> --token <t>`: posts the run summary to the collector
 * (`POST /api/:projectId/load-runs`). Without a project id the token says which project: a
 * project token opens exactly its own; the admin token opens all of them, so it needs one.
 */
import type { RunSummary } from '../contract.js';

export interface SendSummaryOptions {
  /** The collector's base URL, e.g. `https://lookout.example.com`. */
  url: string;
  /** A project token, or the admin token (then `projectId` is required). */
  token: string;
  projectId?: number;
  summary: RunSummary;
}

/** An HTTP failure, with the collector's own message. */
export class SendSummaryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SendSummaryError';
  }
}

const base = (url: string) => url.replace(/\/+$/, '');

async function call<T>(method: string, url: string, token: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new SendSummaryError(`${method} ${url} failed: ${cause} (is the collector running at that address?)`);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text.slice(0, 500);
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // Not JSON (a proxy's error page): its start is the message.
    }
    throw new SendSummaryError(`${method} ${url} → ${response.status}: ${message}`, response.status);
  }
  return JSON.parse(text) as T;
}

async function projectOfToken(url: string, token: string): Promise<number> {
  const { admin, projects } = await call<{ admin: boolean; projects: { id: number; name: string }[] }>('GET', `${url}/api/projects`, token);
  if (admin) throw new SendSummaryError('the admin token opens every project: say which project the run belongs to (its id), or send with that project\'s token');
  if (projects.length !== 1) throw new SendSummaryError(`this token opens ${projects.length} projects: say which project the run belongs to (its id)`);
  return projects[0].id;
}

export async function sendSummary({ url, token, projectId, summary }: SendSummaryOptions): Promise<{ runId: string }> {
  const collector = base(url);
  const project = projectId ?? (await projectOfToken(collector, token));
  const { run_id } = await call<{ run_id: string }>('POST', `${collector}/api/${project}/load-runs`, token, summary);
  return { runId: run_id };
}
