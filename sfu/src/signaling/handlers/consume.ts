import { AppError, ErrorCode, parseRemoteCameraId, type ClientMessage, type ResponseData } from '@wardwall/common';
import type { types } from 'mediasoup';
import type { SignalingContext } from '../context.js';
import type { Session } from '../session.js';
import { actorOf } from '@wardwall/accounts';
import type { PipeLease } from '../../city/pipe-link.js';

type Msg<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

export async function consume(ctx: SignalingContext, session: Session, msg: Msg<'consume'>): Promise<ResponseData['consume']> {
  const who = ctx.access.require(session.principal, 'live', msg.cameraId);
  const transport = session.transport(msg.transportId);
  if (!transport) throw new AppError(ErrorCode.UNKNOWN_TRANSPORT, `unknown transport ${msg.transportId}`);
  if (msg.media === 'bridge') return consumeBridge(ctx, session, msg);
  const audio = msg.media === 'audio';
  // At a city centre, a ward's camera `<ward>/<camera>` comes through a leased pipe (docs/city.md).
  const city = ctx.city && parseRemoteCameraId(msg.cameraId) ? ctx.city : null;
  if (city && audio) throw new AppError(ErrorCode.UNKNOWN_STREAM, `camera ${msg.cameraId}: a ward camera's audio is not piped to the centre`, 404);
  let source: { producer: types.Producer | null; ensureOn(router: types.Router): Promise<types.Producer> } | undefined;
  if (!city) {
    if (!ctx.cameras.has(msg.cameraId)) throw new AppError(ErrorCode.UNKNOWN_CAMERA, `unknown camera ${msg.cameraId}`, 404);
    const stream = ctx.cameras.stream(msg.cameraId, msg.stream);
    if (!stream) throw new AppError(ErrorCode.UNKNOWN_STREAM, `camera ${msg.cameraId} has no ${msg.stream} stream`, 404);
    // Live audio comes with the main stream of a camera that has it enabled (`audio` not false).
    source = (audio ? ctx.cameras.stream(msg.cameraId, 'main')?.audio : stream) ?? undefined;
    if (!source) throw new AppError(ErrorCode.UNKNOWN_STREAM, `camera ${msg.cameraId} has no live audio`, 404);
  } else if (!city.has(msg.cameraId)) throw new AppError(ErrorCode.UNKNOWN_CAMERA, `unknown camera ${msg.cameraId}`, 404);
  // Counted before the awaits: a burst of concurrent consume messages cannot get past the limit.
  const release = session.reserve('consumers');
  let consumer: types.Consumer;
  let producer: types.Producer;
  let lease: PipeLease | null = null;
  let done = false;
  try {
    const transportRouter = session.routerOf(transport.id);
    if (city) {
      lease = await city.acquire(msg.cameraId, msg.stream, transportRouter, who);
      producer = lease.producer;
    } else {
      if (!source!.producer) throw new AppError(ErrorCode.CAMERA_OFFLINE, `camera ${msg.cameraId} is being restarted, try again`);
      try {
        producer = await source!.ensureOn(transportRouter);
      } catch (e) {
        throw new AppError(ErrorCode.CAMERA_OFFLINE, `camera ${msg.cameraId} is not available: ${(e as Error).message.slice(0, 100)}`);
      }
    }
    const rtpCapabilities = msg.rtpCapabilities as unknown as types.RtpCapabilities;
    let canConsume = false;
    try {
      canConsume = transportRouter.canConsume({ producerId: producer.id, rtpCapabilities });
    } catch {
      canConsume = false;
    }
    if (!canConsume) throw new AppError(ErrorCode.CANNOT_CONSUME, audio ? 'the browser cannot receive Opus (rtpCapabilities)' : 'the browser cannot receive H.264 (rtpCapabilities)');
    try {
      consumer = await transport.consume({ producerId: producer.id, rtpCapabilities, paused: true, appData: { cameraId: msg.cameraId, stream: msg.stream, media: audio ? 'audio' : 'video' } });
    } catch (e) {
      throw new AppError(ErrorCode.CANNOT_CONSUME, `cannot consume: ${(e as Error).message.slice(0, 200)}`);
    }
    if (session.isClosed) {
      consumer.close();
      throw new AppError(ErrorCode.BAD_REQUEST, 'session closed');
    }
    done = true;
  } finally {
    release();
    if (!done) lease?.release();
  }
  // The pipe's lease ends with the consumer; the linger keeps the pipe a while for the next viewer.
  const held = lease;
  if (held) consumer.observer.once('close', () => held.release());
  const detail = { stream: msg.stream, consumer: consumer.id.slice(0, 8), ...(audio ? { media: 'audio' } : {}) };
  // Audited before any video flows (consumers start paused): not audited, not watched.
  try {
    ctx.audit.record(actorOf(who), 'live_start', msg.cameraId, detail);
  } catch (e) {
    consumer.close();
    throw e;
  }
  session.addConsumer({ consumer, cameraId: msg.cameraId, stream: msg.stream });
  consumer.observer.once('close', () => ctx.audit.append(actorOf(who), 'live_stop', msg.cameraId, detail));
  // The browser weighs these with its own stats to pick streams for the link (bandwidth-aware wall).
  consumer.on('score', ({ score, producerScore }) => session.send({ type: 'consumerScore', consumerId: consumer.id, score, producerScore }));
  return {
    consumerId: consumer.id,
    producerId: producer.id,
    kind: audio ? 'audio' : 'video',
    rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
    cameraId: msg.cameraId,
    stream: msg.stream,
  };
}

/**
 * A consumer of the stream's GOP bridge (docs/gop-bridge.md), for a session that already consumes
 * the stream's video (that consumer is the audited viewing; this one only fills its first GOP).
 * NO_BRIDGE when the join does not need one: the browser then shows the video consumer alone.
 */
async function consumeBridge(ctx: SignalingContext, session: Session, msg: Msg<'consume'>): Promise<ResponseData['consume']> {
  ctx.access.require(session.principal, 'live', msg.cameraId);
  const transport = session.transport(msg.transportId);
  if (!transport) throw new AppError(ErrorCode.UNKNOWN_TRANSPORT, `unknown transport ${msg.transportId}`);
  const stream = parseRemoteCameraId(msg.cameraId) ? null : ctx.cameras.has(msg.cameraId) ? ctx.cameras.stream(msg.cameraId, msg.stream) : null;
  if (!stream) throw new AppError(ErrorCode.NO_BRIDGE, `camera ${msg.cameraId}: no bridge for this stream`, 404);
  const watching = [...session.consumers.values()].some((c) => c.cameraId === msg.cameraId && c.stream === msg.stream && c.consumer.kind === 'video' && c.consumer.appData.media !== 'bridge' && !c.consumer.closed);
  if (!watching) throw new AppError(ErrorCode.BAD_REQUEST, `consume the video of ${msg.cameraId} before its bridge`);
  const decision = stream.bridgeDecision();
  const bridge = stream.bridge;
  if (!decision.bridge || !bridge) throw new AppError(ErrorCode.NO_BRIDGE, `no bridge: ${decision.bridge ? 'no_bridge' : decision.reason}`, 404);
  const release = session.reserve('consumers');
  let consumer: types.Consumer;
  try {
    const router = session.routerOf(transport.id);
    let producer: types.Producer;
    try {
      producer = await bridge.ensureOn(router);
    } catch (e) {
      throw new AppError(ErrorCode.NO_BRIDGE, `no bridge: ${(e as Error).message.slice(0, 100)}`, 404);
    }
    const rtpCapabilities = msg.rtpCapabilities as unknown as types.RtpCapabilities;
    let canConsume = false;
    try {
      canConsume = router.canConsume({ producerId: producer.id, rtpCapabilities });
    } catch {
      canConsume = false;
    }
    if (!canConsume) throw new AppError(ErrorCode.CANNOT_CONSUME, 'the browser cannot receive H.264 constrained baseline (rtpCapabilities)');
    try {
      consumer = await transport.consume({ producerId: producer.id, rtpCapabilities, paused: true, appData: { cameraId: msg.cameraId, stream: msg.stream, media: 'bridge' } });
    } catch (e) {
      throw new AppError(ErrorCode.CANNOT_CONSUME, `cannot consume: ${(e as Error).message.slice(0, 200)}`);
    }
    if (session.isClosed) {
      consumer.close();
      throw new AppError(ErrorCode.BAD_REQUEST, 'session closed');
    }
    session.addConsumer({ consumer, cameraId: msg.cameraId, stream: msg.stream });
    return { consumerId: consumer.id, producerId: producer.id, kind: 'video', rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>, cameraId: msg.cameraId, stream: msg.stream };
  } finally {
    release();
  }
}

function consumerOf(session: Session, id: string): types.Consumer {
  const entry = session.consumers.get(id);
  if (!entry) throw new AppError(ErrorCode.UNKNOWN_CONSUMER, `unknown consumer ${id.slice(0, 64)}`);
  return entry.consumer;
}

export async function resumeConsumer(ctx: SignalingContext, session: Session, msg: Msg<'resumeConsumer'>): Promise<ResponseData['resumeConsumer']> {
  const consumer = consumerOf(session, msg.consumerId);
  await consumer.resume();
  // GOP bridge (docs/gop-bridge.md). A bridge consumer: the ingest sends a keyframe on the bridge
  // producer now. A new video consumer whose join needs a bridge: the ingest starts decoding its kept
  // GOP already, while the browser asks for its bridge consumer (that resume then only forces an IDR).
  const entry = session.consumers.get(msg.consumerId);
  const stream = entry && !parseRemoteCameraId(entry.cameraId) && ctx.cameras.has(entry.cameraId) ? ctx.cameras.stream(entry.cameraId, entry.stream) : undefined;
  if (consumer.appData.media === 'bridge') {
    stream?.requestBridge();
    return {};
  }
  if (stream && consumer.kind === 'video' && stream.bridgeDecision().bridge) stream.requestBridge();
  // Ask for a keyframe so the picture starts as soon as possible (cameras that honour it).
  await consumer.requestKeyFrame().catch(() => undefined);
  return {};
}

export async function pauseConsumer(_ctx: SignalingContext, session: Session, msg: Msg<'pauseConsumer'>): Promise<ResponseData['pauseConsumer']> {
  await consumerOf(session, msg.consumerId).pause();
  return {};
}

export async function closeConsumer(_ctx: SignalingContext, session: Session, msg: Msg<'closeConsumer'>): Promise<ResponseData['closeConsumer']> {
  consumerOf(session, msg.consumerId).close();
  session.consumers.delete(msg.consumerId);
  return {};
}
