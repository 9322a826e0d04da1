/**
 * The `sdk` field of every batch, with the agent's own health in it (`failures`: the
 * agent's code threw; `dropped`: events lost), so that bugs in the agent and lost events
 * show up on the server instead of nowhere.
 */
export const sdk = { name: 'lookout', version: '0.1.0', failures: 0, dropped: 0 };

/** Wraps a hook so that nothing the agent does can throw into the host page. */
export const guard =
  <A extends unknown[], R>(fn: (...args: A) => R) =>
  (...args: A): R | undefined => {
    try {
      return fn(...args);
    } catch {
      sdk.failures++;
    }
  };
