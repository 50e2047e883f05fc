export * from './errors.js';
export * from './redact.js';
export * from './config.js';
export * from './protocol.js';
export * from './timestrip.js';
export * from './backoff.js';
export * from './displays.js';
