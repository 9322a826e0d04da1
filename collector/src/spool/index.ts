export { openSpool, type DiskSpool, type DiskSpoolStats, type SpoolOptions } from './open-spool.js';
export * from './types.js';
