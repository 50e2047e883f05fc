import type { ClientMessage, ResponseData } from '@wardwall/common';
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
  };
}

export function ping(): ResponseData['ping'] {
  return { serverTime: Date.now() };
}
