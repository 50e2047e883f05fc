import type { CityHello, ClientMessage, ResponseData } from '@wardwall/common';
import type { SignalingContext } from '../context.js';
import type { Session } from '../session.js';
import { canSeeCamera } from '@wardwall/accounts';

export function hello(ctx: SignalingContext, session: Session, _msg: Extract<ClientMessage, { type: 'hello' }>): ResponseData['hello'] {
  session.greeted = true;
  return {
    sessionId: session.id,
    serverTime: Date.now(),
    routerRtpCapabilities: ctx.pool.rtpCapabilities as unknown as Record<string, unknown>,
    cameras: ctx.cameras.info().filter((c) => canSeeCamera(ctx.access, session.principal, c.id)),
    ...cityHello(ctx),
  };
}

/** The city role the wall needs at start (docs/city.md): a centre's wall fetches /api/city/cameras and places the wards' maps. */
function cityHello(ctx: SignalingContext): { city?: CityHello } {
  const city = ctx.config.city;
  if (city.role === 'off') return {};
  const placements = city.role === 'centre' ? city.wards.map((w) => ({ ward: w.id, map: { ...w.map } })) : [];
  return { city: { role: city.role, placements, neighbourDistance: ctx.config.map.neighbourDistance } };
}

export function ping(): ResponseData['ping'] {
  return { serverTime: Date.now() };
}
