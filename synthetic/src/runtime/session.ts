/**
 * A virtual user's session: its attributes (key → value) and whether it has failed. Immutable as
 * in Gatling: `set` returns a new session and leaves the old one untouched, so a session function
 * reads `session => session.set('n', 1)`, and a value captured earlier never changes under you.
 */

export interface Session {
  readonly userId: number;
  readonly scenario: string;
  /** A copy of every attribute. */
  readonly attributes: Readonly<Record<string, unknown>>;
  get<T = unknown>(key: string): T | undefined;
  contains(key: string): boolean;
  set(key: string, value: unknown): Session;
  setAll(values: Record<string, unknown>): Session;
  remove(key: string): Session;
  /** True once a request or check failed (until `markAsSucceeded`): what `exitHereIfFailed` tests. */
  isFailed(): boolean;
  markAsFailed(): Session;
  markAsSucceeded(): Session;
}

export function createSession(userId: number, scenario: string, attributes: Record<string, unknown> = {}, failed = false): Session {
  const with_ = (next: Record<string, unknown>, nextFailed = failed) => createSession(userId, scenario, next, nextFailed);
  const self: Session = {
    userId,
    scenario,
    get attributes() {
      return { ...attributes };
    },
    get: <T>(key: string) => attributes[key] as T | undefined,
    contains: (key) => Object.prototype.hasOwnProperty.call(attributes, key),
    set: (key, value) => with_({ ...attributes, [key]: value }),
    setAll: (values) => with_({ ...attributes, ...values }),
    remove: (key) => {
      const { [key]: _removed, ...rest } = attributes;
      return with_(rest);
    },
    isFailed: () => failed,
    markAsFailed: () => (failed ? self : with_(attributes, true)),
    markAsSucceeded: () => (failed ? with_(attributes, false) : self),
  };
  return self;
}

export function isSession(value: unknown): value is Session {
  return typeof value === 'object' && value !== null && typeof (value as Session).set === 'function' && typeof (value as Session).isFailed === 'function';
}
