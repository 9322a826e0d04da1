// Scrubbing rules are shared with the collector, which applies them again as a safety net.
export { SENSITIVE_KEYS, scrubUrl, withoutQueryValues } from '../../protocol/scrub.js';
