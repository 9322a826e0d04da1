/** A v4 UUID; crypto.randomUUID exists only in secure contexts, getRandomValues everywhere. */
export const uuid = (): string =>
  '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) =>
    (+c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (+c / 4)))).toString(16),
  );

/** A session ends after this long without events, as in most RUM products. */
export const SESSION_IDLE_MS = 30 * 60e3;
const KEY = 'lookout.session';

interface Session {
  id: string;
  /** Last time it was used, epoch ms. */
  t: number;
}

/** Kept in memory too: sessionStorage throws in sandboxed frames and some private modes. */
let current: Session | undefined;

/**
 * The session id, renewed after SESSION_IDLE_MS of silence; marks the session as used now.
 * Storage is read once per page (sessionStorage is per tab: nothing else changes it meanwhile),
 * and written on every use so that the next page of the tab continues the session.
 */
export function touchSession(now = Date.now(), store: Storage | undefined = storage('sessionStorage')): string {
  let session: Session | undefined = current;
  if (!session)
    try {
      session = JSON.parse(store!.getItem(KEY)!);
    } catch {}
  if (!session?.id || now - session.t > SESSION_IDLE_MS) session = { id: uuid() } as Session;
  session.t = now;
  current = session;
  try {
    store!.setItem(KEY, JSON.stringify(session));
  } catch {}
  return session.id;
}

/**
 * Whether a session is in the sample: decided by its id, so every page of the session
 * agrees without storing the decision. The first 32 bits of a v4 UUID are random.
 */
export const sampledIn = (sessionId: string, rate: number): boolean =>
  parseInt(sessionId.slice(0, 8), 16) / 2 ** 32 < rate;

/** window.localStorage or sessionStorage, or undefined where merely reading it throws. */
export function storage(name: 'localStorage' | 'sessionStorage'): Storage | undefined {
  try {
    return window[name];
  } catch {}
}
