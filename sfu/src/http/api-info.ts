/** The head of the SFU's OpenAPI description (GET /api/openapi.json; the rest comes from the route table). */
import { SESSION_COOKIE } from '@wardwall/accounts';
import type { OpenApiInfo } from '@wardwall/server-kit';

export const SFU_API_INFO: OpenApiInfo = {
  title: 'Wardwall SFU REST API',
  version: '0.1.0',
  description: [
    'Generated from the route table: every route with its method, path, path parameters and the access it needs',
    '(`x-access`: "public", "session" or {permission, camera?}); request bodies and query strings from the zod',
    'schemas the handlers parse with. Errors are `{code, message}`.',
    'The recorder routes (/api/recordings/..., /api/holds, /api/exports, /api/recorder/...) are proxied to the',
    "recorder: their bodies and queries are in the recorder's own description, GET /api/recorder/openapi.json.",
    'Live video and control run over the signaling WebSocket (/ws), described in docs/protocol.md.',
  ].join(' '),
  sessionCookie: SESSION_COOKIE,
};
