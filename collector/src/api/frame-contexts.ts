/** Puts the stored source context back into read events' symbolicated frames (one query per page). */
import type { ContextStore } from '../symbolicate/context-store.js';
import type { StoredFrame } from '../symbolicate/stored-frame.js';

export async function attachContexts(contexts: ContextStore, projectId: number, events: readonly Record<string, unknown>[]): Promise<void> {
  const frames = events.flatMap((event) => (event.symbolicated_frames as StoredFrame[] | undefined) ?? []).filter((frame) => frame.context_id);
  if (!frames.length) return;
  const found = await contexts.read(projectId, frames.map((frame) => frame.context_id!));
  for (const frame of frames) {
    const context = found.get(frame.context_id!);
    if (context) frame.context = context;
    delete frame.context_id;
  }
}
