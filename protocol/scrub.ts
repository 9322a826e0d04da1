/**
 * Query (and fragment, for OAuth implicit flows and hash routers) parameters whose values
 * never leave the browser. Matched against the key as a substring, so it errs on the side
 * of scrubbing ("keyword" is scrubbed too); `init({ scrub })` replaces it.
 */
export const SENSITIVE_KEYS = /token|passw|pwd|secret|session|key|auth|sig|credential|otp/i;

/** A URL with the values of sensitive parameters replaced (an empty value stays empty: nothing to hide). */
export const scrubUrl = (url: string, keys: RegExp = SENSITIVE_KEYS): string =>
  url.replace(/([?&#;]([^=&#?;]+)=)[^&#;]+/g, (all, head: string, key: string) =>
    keys.test(key) ? head + '[redacted]' : all,
  );

/**
 * A request URL for breadcrumbs: keys kept so the call stays recognisable, every value
 * dropped, because request parameters are where personal data travels.
 */
export const withoutQueryValues = (url: string): string =>
  url.replace(/#.*/, '').replace(/([?&][^=&]*)=[^&]*/g, '$1=');

/**
 * Every URL inside free text (an error message that quotes a request URL, as Angular's
 * HttpErrorResponse does) with its sensitive values replaced.
 */
export const scrubUrlsIn = (text: string, keys: RegExp = SENSITIVE_KEYS): string =>
  text.includes('=') ? text.replace(/\b(?:https?|wss?):\/\/[^\s'"<>()]+/g, (url) => scrubUrl(url, keys)) : text;
