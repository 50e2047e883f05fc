/** The city control plane on NATS (docs/city.md). */
export * from './nats-config.js';
export * from './nats-process.js';
export * from './nats-connect.js';
export * from './city-protocol.js';
export * from './directory-state.js';
export * from './centre-directory.js';
export * from './ward-registry.js';
export * from './ward-requests.js';
export * from './pipe-protocol.js';
export * from './ward-events.js';
export * from './centre-presence.js';
