import * as bundled from '../index.js';

export type Agent = typeof bundled;

/**
 * The agent to talk to: the script-tag build when the page has one (window.Lookout once it
 * has loaded — the loader snippet's stub has no markPending), so that an app bundling this
 * integration and a page with the script tag share one agent, one queue and one dedupe.
 */
export const agent = (): Agent => {
  const global = (window as unknown as { Lookout?: Agent }).Lookout;
  return global?.markPending ? global : bundled;
};
