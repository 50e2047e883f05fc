export * from './resident-rows.js';
export * from './secret-file.js';
export * from './camera-rows.js';
