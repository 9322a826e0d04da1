/**
 * Entry of the script-tag build (global `Lookout`). It also takes over from the loader
 * snippet (loader.ts): calls queued before the script arrived are replayed (`init` is first),
 * and the errors the snippet caught in the meantime are reported.
 */
import { sendWindowEvent } from './core.js';
import { guard } from './guard.js';

export * from './index.js';

type Call = [string, ArrayLike<unknown>];
type Api = Record<string, (...args: unknown[]) => void> & { q?: Call[] };

const calls = (window as unknown as { Lookout?: Api }).Lookout?.q;

// After this script has run, window.Lookout is this build's exports: replay through them.
if (calls)
  queueMicrotask(
    guard(() => {
      const api = (window as unknown as { Lookout: Api }).Lookout;
      // The snippet put `init` first.
      for (const [name, args] of calls)
        // The snippet queues the window's error and unhandledrejection events as "_e".
        name == '_e' ? sendWindowEvent(args as unknown as Event) : api[name]?.apply(api, args as unknown[]);
    }),
  );
