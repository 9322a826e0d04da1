/**
 * Walks a chain for one user. Between steps it honours the runner (`stopping()`), the user's own
 * exit (exitHereIfFailed, a dry queue feeder) and `during` deadlines; errors in the user's own
 * functions fail the session (reported once on stderr) instead of escaping.
 */
import { runRequestStep } from './request.js';
import type { Step } from './steps.js';
import { isSession, type Session } from './session.js';
import { resolveValue } from './template.js';
import { markKo, type UserState } from './user.js';

/** A `during` deadline (performance.now() ms) the steps inside must respect. */
type Deadlines = readonly number[];

const NO_DEADLINES: Deadlines = [];

const reported = new Set<string>();

/** Reports a failure that has no request to be recorded against, once per reason. */
function reportOnce(state: UserState, where: string, error: unknown): void {
  const reason = `${state.context.scenario}: ${where}: ${error instanceof Error ? error.message : String(error)}`;
  if (reported.has(reason) || reported.size > 100) return;
  reported.add(reason);
  console.error(`lookout load: ${reason} (the user's session is marked failed)`);
}

function shouldStop(state: UserState, deadlines: Deadlines): boolean {
  if (state.exited) return true;
  if (state.context.stopping()) {
    state.exited = true;
    return true;
  }
  if (deadlines.length === 0) return false;
  const now = performance.now();
  for (let i = 0; i < deadlines.length; i++) if (now >= deadlines[i]) return true;
  return false;
}

export async function runChain(state: UserState, chain: readonly Step[], deadlines: Deadlines = NO_DEADLINES): Promise<void> {
  for (let i = 0; i < chain.length; i++) {
    if (shouldStop(state, deadlines)) return;
    const step = chain[i];
    // Requests are most steps: awaited directly, without runStep's extra async frame.
    if (step.kind === 'request') await runRequestStep(state, step.request);
    else await runStep(state, step, deadlines);
  }
}

function toCount(value: unknown, what: string): number {
  const count = Number(value);
  if (!Number.isFinite(count) || count < 0) throw new Error(`${what} must be a number ≥ 0, got ${JSON.stringify(value)}`);
  return count;
}

async function runStep(state: UserState, step: Step, deadlines: Deadlines): Promise<void> {
  switch (step.kind) {
    case 'request':
      return runRequestStep(state, step.request);

    case 'session': {
      try {
        const result = step.fn(state.session);
        if (result !== undefined) {
          if (!isSession(result)) throw new Error('a session function must return the session (session.set(…) returns the new one) or nothing');
          state.session = result;
        }
      } catch (error) {
        reportOnce(state, 'exec(session => …) threw', error);
        markKo(state);
      }
      return;
    }

    case 'pause': {
      let ms: number;
      try {
        const min = toCount(resolveValue(step.minSeconds, state.session), 'pause');
        const max = step.maxSeconds === undefined ? min : toCount(resolveValue(step.maxSeconds, state.session), 'pause');
        ms = (min + Math.random() * Math.max(0, max - min)) * 1000;
      } catch (error) {
        reportOnce(state, 'pause', error);
        markKo(state);
        return;
      }
      // The next request is due `ms` after the previous one ended, however late the timer fires.
      const due = state.nextIntended + ms;
      await sleepUntil(due, () => shouldStop(state, deadlines));
      // A timer firing late still counts from `due`; one cut short by a stop counts from now.
      state.nextIntended = Math.min(due, performance.now());
      return;
    }

    case 'feed': {
      const record = step.feeder.next();
      if (record === undefined) {
        // A dry queue ends the run cleanly, as in Gatling: not a failure of this user.
        state.context.stopRun('feeder_exhausted');
        state.exited = true;
        return;
      }
      state.session = state.session.setAll(record);
      return;
    }

    case 'repeat': {
      let times: number;
      try {
        times = Math.floor(toCount(resolveValue(step.times, state.session), 'repeat count'));
      } catch (error) {
        reportOnce(state, 'repeat', error);
        markKo(state);
        return;
      }
      for (let i = 0; i < times && !shouldStop(state, deadlines); i++) {
        if (step.counterKey) state.session = state.session.set(step.counterKey, i);
        await runChain(state, step.chain, deadlines);
      }
      if (step.counterKey) state.session = state.session.remove(step.counterKey);
      return;
    }

    case 'during': {
      let seconds: number;
      try {
        seconds = toCount(resolveValue(step.seconds, state.session), 'during duration');
      } catch (error) {
        reportOnce(state, 'during', error);
        markKo(state);
        return;
      }
      const deadline = performance.now() + seconds * 1000;
      const inner = [...deadlines, deadline];
      for (let i = 0; !shouldStop(state, inner); i++) {
        if (step.counterKey) state.session = state.session.set(step.counterKey, i);
        await runChain(state, step.chain, inner);
        // A body with no I/O (session functions only) must not hold the event loop until the deadline.
        await new Promise(setImmediate);
      }
      if (step.counterKey) state.session = state.session.remove(step.counterKey);
      return;
    }

    case 'foreach': {
      let items: unknown;
      try {
        items = typeof step.items === 'string' && !step.items.includes('#{') ? resolveValue(`#{${step.items}}`, state.session) : resolveValue(step.items, state.session);
        if (!Array.isArray(items)) throw new Error(`foreach needs an array, got ${JSON.stringify(items)}`);
      } catch (error) {
        reportOnce(state, 'foreach', error);
        markKo(state);
        return;
      }
      for (let i = 0; i < items.length && !shouldStop(state, deadlines); i++) {
        state.session = state.session.set(step.itemKey, items[i]);
        if (step.counterKey) state.session = state.session.set(step.counterKey, i);
        await runChain(state, step.chain, deadlines);
      }
      state.session = state.session.remove(step.itemKey);
      if (step.counterKey) state.session = state.session.remove(step.counterKey);
      return;
    }

    case 'group': {
      let name: string;
      try {
        name = String(resolveValue(step.name, state.session));
      } catch (error) {
        reportOnce(state, 'group name', error);
        markKo(state);
        return;
      }
      const group = { name, ok: true };
      state.groups.push(group);
      const path = state.groups.map((g) => g.name);
      const start = performance.now();
      try {
        await runChain(state, step.chain, deadlines);
      } finally {
        state.groups.pop();
        state.context.recorder.group({ groups: path, start, end: performance.now(), ok: group.ok });
      }
      return;
    }

    case 'exitHereIfFailed':
      if (state.session.isFailed()) state.exited = true;
      return;

    case 'doIf': {
      let condition: boolean;
      try {
        condition = evaluateCondition(step.condition, state);
      } catch (error) {
        reportOnce(state, 'doIf', error);
        markKo(state);
        return;
      }
      if (condition) await runChain(state, step.chain, deadlines);
      else if (step.orElse) await runChain(state, step.orElse, deadlines);
      return;
    }
  }
}

/** A function of the session; or a key / `#{template}` whose value is true or 'true' (a missing key is false). */
function evaluateCondition(condition: string | ((session: Session) => boolean), state: UserState): boolean {
  if (typeof condition === 'function') return condition(state.session) === true;
  const key = condition.startsWith('#{') && condition.endsWith('}') ? condition.slice(2, -1).trim() : condition;
  let value: unknown;
  try {
    value = resolveValue(`#{${key}}`, state.session);
  } catch {
    return false;
  }
  return value === true || value === 'true';
}

/** Sleeps until `due` (performance.now() ms), waking early when `stop()` turns true (checked every 250 ms). */
async function sleepUntil(due: number, stop: () => boolean): Promise<void> {
  for (;;) {
    const left = due - performance.now();
    if (left <= 0 || stop()) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, 250)));
  }
}
