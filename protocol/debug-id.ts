/**
 * The debug-ID registration: the contract between `lookout sourcemaps inject` (which appends
 * `debugIdRegistration(id)` to each bundle) and the agent (which reads the global it fills).
 *
 * `globalThis._lookoutDebugIds` maps a script's URL, exactly as the engine prints it in
 * `error.stack` (query string and all), to the bundle's debug ID (lower-case UUID). The snippet
 * finds its own URL in a fresh stack: the first `scheme://…:line:column` in it is the snippet's
 * own frame in Chromium, Firefox and Safari alike.
 *
 * Appended rather than prepended: nothing in the bundle moves, so the source map needs no
 * change beyond its `debugId`, and a leading "use strict" or hashbang stays first. The cost: an
 * error thrown while the bundle's own top-level code first runs happens before the registration,
 * and is matched by release + URL instead.
 */

/** The global the agent reads. */
export const DEBUG_IDS_GLOBAL = '_lookoutDebugIds';

/** The comment that names a bundle's debug ID (ECMA-426 debug ID proposal). */
export const DEBUG_ID_COMMENT = '//# debugId=';

/** One line of JavaScript that registers `debugId` for the script it is part of. Never throws. */
export function debugIdRegistration(debugId: string): string {
  const id = debugId.toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new Error(`"${debugId}" is not a debug ID: expected a UUID such as 85314830-023f-4cf1-a267-535f4e37bb17`);
  }
  return (
    ';!function(){try{var g=typeof globalThis<"u"?globalThis:typeof self<"u"?self:window,' +
    's=new Error().stack||"",m=/[a-z][\\w+.-]*:\\/\\/[^\\s()]*?(?=:\\d+:\\d+)/i.exec(s);' +
    `m&&((g.${DEBUG_IDS_GLOBAL}=g.${DEBUG_IDS_GLOBAL}||{})[m[0]]="${id}")}catch(e){}}();`
  );
}
