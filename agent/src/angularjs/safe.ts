/**
 * Wraps a hook so that nothing the integration does can throw into the app. Its own copy
 * (not the agent's `guard`): the script-tag build must not bundle a second agent core.
 */
export const safe =
  <A extends unknown[]>(fn: (...args: A) => unknown) =>
  (...args: A): void => {
    try {
      fn(...args);
    } catch {} // the app comes first; a broken hook only loses data
  };
