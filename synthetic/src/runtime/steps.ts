/** A scenario's chain as data: what the DSL builds and run-chain.ts walks. */
import type { HttpRequestSpec } from '../dsl/http.js';
import type { Feeder } from './feeders.js';
import type { Session } from './session.js';
import type { Expression } from './template.js';

export type SessionFunction = (session: Session) => Session | void;

export type Step =
  | { kind: 'request'; request: HttpRequestSpec }
  | { kind: 'session'; fn: SessionFunction }
  | { kind: 'pause'; minSeconds: Expression<number>; maxSeconds?: Expression<number> }
  | { kind: 'feed'; feeder: Feeder }
  | { kind: 'repeat'; times: Expression<number | string>; counterKey?: string; chain: readonly Step[] }
  | { kind: 'during'; seconds: Expression<number | string>; counterKey?: string; chain: readonly Step[] }
  | { kind: 'foreach'; items: string | ((session: Session) => unknown[]); itemKey: string; counterKey?: string; chain: readonly Step[] }
  | { kind: 'group'; name: Expression<string>; chain: readonly Step[] }
  | { kind: 'exitHereIfFailed' }
  | { kind: 'doIf'; condition: string | ((session: Session) => boolean); chain: readonly Step[]; orElse?: readonly Step[] };
