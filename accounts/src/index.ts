/**
 * @wardwall/accounts: what the SFU and the recorder share of the wall's accounts: users and
 * sessions (auth-store, session-verifier, token, password, secret), the rights policy (roles,
 * policy, access) and the audit chain (audit/). The SFU, which owns the database and keys the
 * chain, uses all of it from here. The recorder uses only `@wardwall/accounts/recorder`: "who is
 * calling, and may they play camera X from T?" plus appending to the trail through the SFU.
 */
export * from './access.js';
export * from './roles.js';
export * from './auth-store.js';
export * from './session-verifier.js';
export * from './policy.js';
export * from './token.js';
export * from './password.js';
export * from './secret.js';
export * from './audit/audit-log.js';
export * from './audit/chain.js';
export * from './audit/chain-key.js';
export * from './audit/head.js';
export * from './audit/verify.js';
export * from './audit-client.js';
