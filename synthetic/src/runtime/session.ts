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

/**
 * One object per session state, its methods shared on the prototype (a session is created per
 * user and per `set`: building a dozen closures each time showed in the generator's profile).
 * They are called on the session (`session.get(…)`, as documented), not detached from it.
 */
class UserSession implements Session {
  constructor(
    readonly userId: number,
    readonly scenario: string,
    private readonly values: Record<string, unknown>,
    private readonly failed: boolean,
  ) {}

  get attributes(): Readonly<Record<string, unknown>> {
    return { ...this.values };
  }

  get<T = unknown>(key: string): T | undefined {
    return this.values[key] as T | undefined;
  }

  contains(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.values, key);
  }

  set(key: string, value: unknown): Session {
    return new UserSession(this.userId, this.scenario, { ...this.values, [key]: value }, this.failed);
  }

  setAll(values: Record<string, unknown>): Session {
    return new UserSession(this.userId, this.scenario, { ...this.values, ...values }, this.failed);
  }

  remove(key: string): Session {
    const { [key]: _removed, ...rest } = this.values;
    return new UserSession(this.userId, this.scenario, rest, this.failed);
  }

  isFailed(): boolean {
    return this.failed;
  }

  /** What the object-literal sessions serialised to (console.log / JSON of a session). */
  toJSON(): { userId: number; scenario: string; attributes: Record<string, unknown> } {
    return { userId: this.userId, scenario: this.scenario, attributes: { ...this.values } };
  }

  markAsFailed(): Session {
    return this.failed ? this : new UserSession(this.userId, this.scenario, this.values, true);
  }

  markAsSucceeded(): Session {
    return this.failed ? new UserSession(this.userId, this.scenario, this.values, false) : this;
  }
}

export function createSession(userId: number, scenario: string, attributes: Record<string, unknown> = {}, failed = false): Session {
  return new UserSession(userId, scenario, attributes, failed);
}

export function isSession(value: unknown): value is Session {
  return typeof value === 'object' && value !== null && typeof (value as Session).set === 'function' && typeof (value as Session).isFailed === 'function';
}
