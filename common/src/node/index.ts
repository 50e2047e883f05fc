export * from './log.js';
export * from './config-file.js';
export * from './ports.js';
export * from './supervisor.js';
export * from './resident-rows.js';
export * from './secret-file.js';
export * from './camera-rows.js';
export * from './entry.js';
