import { AppError, ErrorCode, type ClientMessage, type ResponseData } from '@wardwall/common';
import type { types } from 'mediasoup';
import type { SignalingContext } from '../context.js';
import type { Session } from '../session.js';

type Msg<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

function transportOf(session: Session, id: string): types.WebRtcTransport {
  const t = session.transport(id);
  if (!t) throw new AppError(ErrorCode.UNKNOWN_TRANSPORT, `unknown transport ${id.slice(0, 64)}`);
  return t;
}

export async function createTransport(ctx: SignalingContext, session: Session, _msg: Msg<'createTransport'>): Promise<ResponseData['createTransport']> {
  // Counted before the await: a burst of concurrent messages cannot get past the limit.
  const release = session.reserve('transports');
  let transport: types.WebRtcTransport;
  let slot: ReturnType<SignalingContext['pool']['edge']>;
  try {
    // Every browser transport is on the edge worker's WebRtcServer: one UDP port, same TCP port as fallback.
    slot = ctx.pool.edge();
    const { listenIp, announcedAddress } = ctx.config.sfu.webrtc;
    const listen = (protocol: 'udp' | 'tcp'): types.TransportListenInfo => ({ protocol, ip: listenIp, ...(announcedAddress ? { announcedAddress } : {}) });
    transport = await slot.router.createWebRtcTransport({
      ...(slot.webRtcServer ? { webRtcServer: slot.webRtcServer } : { listenInfos: [listen('udp'), listen('tcp')] }),
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 4_000_000,
      appData: { sessionId: session.id },
    });
  } finally {
    release();
  }
  if (session.isClosed) {
    transport.close();
    throw new AppError(ErrorCode.BAD_REQUEST, 'session closed');
  }
  session.addTransport(transport, slot.router);
  return {
    transportId: transport.id,
    iceParameters: transport.iceParameters as unknown as Record<string, unknown>,
    iceCandidates: transport.iceCandidates as unknown as Record<string, unknown>[],
    dtlsParameters: transport.dtlsParameters as unknown as Record<string, unknown>,
  };
}

export async function connectTransport(_ctx: SignalingContext, session: Session, msg: Msg<'connectTransport'>): Promise<ResponseData['connectTransport']> {
  const transport = transportOf(session, msg.transportId);
  try {
    await transport.connect({ dtlsParameters: msg.dtlsParameters as unknown as types.DtlsParameters });
  } catch (e) {
    throw new AppError(ErrorCode.BAD_REQUEST, `cannot connect transport: ${(e as Error).message.slice(0, 200)}`);
  }
  return {};
}

export async function restartIce(_ctx: SignalingContext, session: Session, msg: Msg<'restartIce'>): Promise<ResponseData['restartIce']> {
  const transport = transportOf(session, msg.transportId);
  const iceParameters = await transport.restartIce();
  return { iceParameters: iceParameters as unknown as Record<string, unknown> };
}
