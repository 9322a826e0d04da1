/** What the collector and the command use of the certificate checker. */
export type * from './contract.js';
export { STARTTLS_PROTOCOLS } from './contract.js';
export { checkTarget, checkAddress, DEFAULT_CHECK_OPTIONS } from './check.js';
export { changedCertificates, type CertificateChange } from './changes.js';
export { parseTarget, targetLabel, DEFAULT_PORTS } from './targets.js';
export { mapBounded } from './limit.js';
export { formatPlugin, formatTable, overallStatus, EXIT } from './format.js';
