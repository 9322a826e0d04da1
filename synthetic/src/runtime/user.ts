/** What one virtual user carries while it runs its chain. */
import type { UserContext } from '../definition.js';
import type { HttpClient } from './client.js';
import type { CookieJar } from './cookies.js';
import type { Session } from './session.js';

export interface UserState {
  context: UserContext;
  client: HttpClient;
  jar: CookieJar;
  session: Session;
  /**
   * When the next request should start (performance.now() ms): the user's arrival at first, then
   * the end of the previous request, plus any pause since. Latency counts from here.
   */
  nextIntended: number;
  /** Enclosing groups, outermost first; a KO request inside marks all of them KO. */
  groups: { name: string; ok: boolean }[];
  /** The simulation declares a throttle: time waiting for a token is then not latency. */
  throttled: boolean;
  /** Set by exitHereIfFailed, an exhausted queue feeder, or the runner stopping us. */
  exited: boolean;
}

export function markKo(state: UserState): void {
  state.session = state.session.markAsFailed();
  for (const group of state.groups) group.ok = false;
}
