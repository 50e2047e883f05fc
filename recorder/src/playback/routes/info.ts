/** The recorder's own state: health, the station's signing key, the cameras the caller may play back. */
import { sendJson, type Route } from '@wardwall/server-kit';
import { principal, type PlaybackContext } from './context.js';

export function infoRoutes(c: PlaybackContext): Route[] {
  const { deps } = c;
  return [
    // 200 when ok, 503 when not (same body).
    {
      method: 'GET',
      path: '/api/health',
      access: 'session',
      handle: ({ res }) => {
        const body = deps.health();
        sendJson(res, body.ok ? 200 : 503, body);
      },
    },
    // The station's public key that signs every package's manifest (public by nature; a session
    // is still needed, like every route).
    { method: 'GET', path: '/api/station-key', access: 'session', handle: () => deps.exports.signer.info() },
    {
      method: 'GET',
      path: '/api/cameras',
      access: 'session',
      // The cameras with recordings the caller may play back (also resident cameras shared for
      // recording only, which the live wall never lists).
      handle: (ctx) => ({ cameras: [...deps.cameras].filter(([id]) => c.allowed(principal(ctx), 'playback', id)).map(([id, name]) => ({ id, name })) }),
    },
  ];
}
