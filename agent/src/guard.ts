/**
 * The agent's own health, sent with every batch (`sdk.failures`, `sdk.dropped`) so that
 * bugs in the agent and lost events show up on the server instead of nowhere.
 */
export const health = { failures: 0, dropped: 0 };

/** Wraps a hook so that nothing the agent does can throw into the host page. */
export const guard =
  <A extends unknown[], R>(fn: (...args: A) => R) =>
  (...args: A): R | undefined => {
    try {
      return fn(...args);
    } catch {
      health.failures++;
    }
  };
