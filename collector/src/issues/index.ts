export * from './fingerprint.js';
export * from './in-app.js';
export * from './normalize.js';
