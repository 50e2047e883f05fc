/**
 * Live media: mediasoup-client's Device and the one receive transport of a signaling session, and
 * the consumers the tiles lease. No DOM.
 *
 * - A new Device and transport are built on each signaling session and torn down when it is lost.
 * - Tiles `acquire` a lease on (camera, stream). Leases of the same camera and stream share one
 *   consumer (one track, any number of <video> elements). A released consumer lingers for a few
 *   seconds so a tile that moves, swaps or re-expands picks it up again without a new consume.
 * - Consumers are created paused on the server and resumed right after the local consumer exists,
 *   which makes the server request a keyframe.
 */
import { Device } from 'mediasoup-client';
import type { types as ms } from 'mediasoup-client';
import type { StreamKind } from '@wardwall/common';
import { Emitter } from './emitter.js';
import { SignalingError } from './errors.js';
import type { HelloData, SignalingClient } from './signaling.js';

export type LiveState = 'down' | 'preparing' | 'ready' | 'failed';

/**
 * The MediaStream id (SDP msid) of a camera stream's consumers. Chromium keeps audio and video in
 * lip-sync (by the SFU's RTCP sender reports) only for receivers of one msid stream id; mediasoup-
 * client's default is the producer's CNAME, which differs between the camera's video and audio
 * producers (each has its own PlainTransport), so without this the two play unsynchronised. The
 * audio (main stream) shares the main video's id; the sub stream gets its own (Chromium syncs one
 * audio with one video per id). An msid is 1-64 token characters.
 */
export function syncStreamId(cameraId: string, stream: StreamKind): string {
  const safe = cameraId.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${safe.slice(0, 64 - stream.length - 1)}-${stream}`;
}

export interface LiveMediaEvents {
  state: [LiveState];
}

export interface LiveMediaOptions {
  /** How long an unleased consumer stays open for a quick re-lease. */
  lingerMs?: number;
  /** How long an ICE/DTLS 'disconnected' transport may stay so before an ICE restart. */
  disconnectedGraceMs?: number;
  /** Builds the mediasoup-client Device (tests hand in one with a fake handler). */
  createDevice?: () => Device;
}

interface Entry {
  key: string;
  cameraId: string;
  stream: StreamKind;
  generation: number;
  refs: number;
  consumerId: string | null;
  consumer: ms.Consumer | null;
  ready: Promise<ms.Consumer>;
  closed: boolean;
  lingerTimer: ReturnType<typeof setTimeout> | null;
  listeners: Set<(reason: string) => void>;
}

/** A camera's live audio for one tile. */
export interface LiveAudio {
  track: MediaStreamTrack;
  /** Its RTCRtpReceiver (null where the handler does not expose one). */
  receiver: RTCRtpReceiver | null;
  close(): void;
}

/** One tile's hold on a live consumer. Release it exactly once (further calls are ignored). */
export class LiveLease {
  private released = false;
  private readonly listener: (reason: string) => void;
  private closeReason: string | null = null;
  private readonly closedCallbacks = new Set<(reason: string) => void>();

  constructor(
    private readonly entry: Entry,
    private readonly service: LiveMediaService,
  ) {
    this.listener = (reason) => {
      this.closeReason = reason;
      for (const cb of [...this.closedCallbacks]) {
        try {
          cb(reason);
        } catch (err) {
          console.warn('[live] lease close listener failed', err);
        }
      }
    };
    entry.listeners.add(this.listener);
  }

  get cameraId(): string {
    return this.entry.cameraId;
  }
  get stream(): StreamKind {
    return this.entry.stream;
  }
  get consumerId(): string | null {
    return this.entry.consumerId;
  }
  get track(): MediaStreamTrack {
    return this.entry.consumer!.track;
  }
  /** Whether the consumer behind this lease has gone (server closed it, connection lost...). */
  get closed(): boolean {
    return this.released || this.entry.closed;
  }
  get closedReason(): string | null {
    return this.closeReason;
  }

  onClosed(cb: (reason: string) => void): () => void {
    this.closedCallbacks.add(cb);
    return () => this.closedCallbacks.delete(cb);
  }

  /** The consumer's RTCRtpReceiver (the tile's fine A/V sync sets its jitterBufferTarget). */
  get receiver(): RTCRtpReceiver | null {
    const c = this.entry.consumer;
    return c && !c.closed ? (c.rtpReceiver ?? null) : null;
  }

  async getStats(): Promise<RTCStatsReport | null> {
    const c = this.entry.consumer;
    if (!c || c.closed) return null;
    return c.getStats();
  }

  /** Gives the lease back; `linger: false` closes an unshared consumer at once. */
  release({ linger = true }: { linger?: boolean } = {}): void {
    if (this.released) return;
    this.released = true;
    this.closedCallbacks.clear();
    this.entry.listeners.delete(this.listener);
    this.service.unref(this.entry, linger);
  }
}

export class LiveMediaService extends Emitter<LiveMediaEvents> {
  private _state: LiveState = 'down';
  private generation = 0;
  private device: Device | null = null;
  private transport: ms.Transport | null = null;
  private readonly entries = new Map<string, Entry>();
  private readonly byConsumerId = new Map<string, Entry>();
  /** ICE restarts done on this page (diagnostics and tests). */
  iceRestarts = 0;
  private readonly unsubscribe: (() => void)[] = [];
  private disconnectedTimer: ReturnType<typeof setTimeout> | null = null;
  private iceRestarting = false;
  private closedForGood = false;
  private readonly lingerMs: number;
  private readonly disconnectedGraceMs: number;
  private readonly createDevice: () => Device;
  private _error: string | null = null;

  constructor(
    private readonly signaling: SignalingClient,
    options: LiveMediaOptions = {},
  ) {
    super();
    this.lingerMs = options.lingerMs ?? 3000;
    this.disconnectedGraceMs = options.disconnectedGraceMs ?? 4000;
    this.createDevice = options.createDevice ?? (() => new Device());
    this.unsubscribe.push(
      signaling.on('session', (hello) => void this.prepare(hello)),
      signaling.on('lost', () => this.teardown('disconnected')),
      signaling.on('consumerClosed', ({ consumerId, reason }) => {
        const e = this.byConsumerId.get(consumerId);
        if (e) this.closeEntry(e, reason || 'closed by the server', false);
      }),
    );
  }

  get state(): LiveState {
    return this._state;
  }

  get ready(): boolean {
    return this._state === 'ready';
  }

  /** Why the last preparation failed (for diagnostics), or null. */
  get error(): string | null {
    return this._error;
  }

  /** Number of open consumers (diagnostics). */
  /** The receive transport's stats (candidate pairs, inbound streams), or null without a transport. */
  async transportStats(): Promise<RTCStatsReport | null> {
    const t = this.transport;
    if (!t || t.closed) return null;
    return t.getStats();
  }

  /** Whether `consumerId` is one of this session's open consumers. */
  hasConsumer(consumerId: string): boolean {
    return this.byConsumerId.has(consumerId);
  }

  /** Forces an ICE restart of the receive transport now (network change; also used by tests). */
  async forceIceRestart(): Promise<void> {
    await this.restartIce(this.generation);
  }

  get consumerCount(): number {
    return this.entries.size;
  }

  private setState(state: LiveState): void {
    if (state === this._state) return;
    this._state = state;
    this.emit('state', state);
  }

  private async prepare(hello: HelloData): Promise<void> {
    this.teardown('new session');
    const generation = ++this.generation;
    this.setState('preparing');
    try {
      const device = this.createDevice();
      await device.load({ routerRtpCapabilities: hello.routerRtpCapabilities as unknown as ms.RtpCapabilities });
      if (generation !== this.generation) return;
      const t = await this.signaling.request({ type: 'createTransport' });
      if (generation !== this.generation) return;
      const transport = device.createRecvTransport({
        id: t.transportId,
        iceParameters: t.iceParameters as unknown as ms.IceParameters,
        iceCandidates: t.iceCandidates as unknown as ms.IceCandidate[],
        dtlsParameters: t.dtlsParameters as unknown as ms.DtlsParameters,
      });
      transport.on('connect', ({ dtlsParameters }, callback, errback) => {
        this.signaling
          .request({ type: 'connectTransport', transportId: transport.id, dtlsParameters: dtlsParameters as unknown as Record<string, unknown> })
          .then(() => callback(), errback);
      });
      transport.on('connectionstatechange', (state) => this.onTransportState(generation, state));
      this.device = device;
      this.transport = transport;
      this._error = null;
      this.setState('ready');
    } catch (err) {
      if (generation !== this.generation) return;
      this._error = err instanceof Error ? err.message : String(err);
      console.warn('[live] cannot prepare the receive transport', err);
      this.setState('failed');
      // A broken session helps nobody: start over with a fresh connection (back-off applies).
      if (!(err instanceof SignalingError && err.code === 'DISCONNECTED')) this.signaling.reconnect('live media setup failed');
    }
  }

  private onTransportState(generation: number, state: ms.ConnectionState): void {
    if (generation !== this.generation) return;
    if (this.disconnectedTimer) {
      clearTimeout(this.disconnectedTimer);
      this.disconnectedTimer = null;
    }
    if (state === 'failed') void this.restartIce(generation);
    else if (state === 'disconnected') {
      this.disconnectedTimer = setTimeout(() => {
        this.disconnectedTimer = null;
        void this.restartIce(generation);
      }, this.disconnectedGraceMs);
    }
  }

  /** ICE restart; when that fails too, the whole session is rebuilt. */
  private async restartIce(generation: number): Promise<void> {
    const transport = this.transport;
    if (!transport || transport.closed || this.iceRestarting) return;
    this.iceRestarting = true;
    try {
      const { iceParameters } = await this.signaling.request({ type: 'restartIce', transportId: transport.id });
      if (generation !== this.generation) return;
      await transport.restartIce({ iceParameters: iceParameters as unknown as ms.IceParameters });
      this.iceRestarts++;
    } catch (err) {
      if (generation !== this.generation) return;
      console.warn('[live] ICE restart failed; reconnecting', err);
      this.signaling.reconnect('ICE restart failed');
    } finally {
      this.iceRestarting = false;
    }
  }

  /** Closes every consumer and the transport (the session ended or is being replaced). */
  private teardown(reason: string): void {
    this.generation++;
    if (this.disconnectedTimer) {
      clearTimeout(this.disconnectedTimer);
      this.disconnectedTimer = null;
    }
    for (const e of [...this.entries.values()]) this.closeEntry(e, reason, false);
    try {
      this.transport?.close();
    } catch {
      /* already closed */
    }
    this.transport = null;
    this.device = null;
    if (!this.closedForGood) this.setState('down');
  }

  /**
   * Leases a live consumer of a camera stream. Rejects with a SignalingError (NOT_READY when there
   * is no session yet, or the server's code such as CAMERA_OFFLINE).
   */
  async acquire(cameraId: string, stream: StreamKind): Promise<LiveLease> {
    if (!this.ready || !this.device || !this.transport) throw new SignalingError('NOT_READY', 'live media is not ready');
    const key = `${cameraId}\u0000${stream}`;
    let entry = this.entries.get(key);
    if (!entry || entry.closed) entry = this.createEntry(key, cameraId, stream);
    entry.refs++;
    if (entry.lingerTimer) {
      clearTimeout(entry.lingerTimer);
      entry.lingerTimer = null;
    }
    try {
      await entry.ready;
    } catch (err) {
      entry.refs--;
      throw err;
    }
    if (entry.closed) {
      entry.refs--;
      throw new SignalingError('DISCONNECTED', 'the consumer closed while opening');
    }
    return new LiveLease(entry, this);
  }

  /**
   * The camera's live audio (Opus), one consumer per call (a tile that wants sound); the caller
   * closes it. Rejects with the server's code (e.g. UNKNOWN_STREAM: no live audio).
   */
  async consumeAudio(cameraId: string): Promise<LiveAudio> {
    if (!this.ready || !this.device || !this.transport) throw new SignalingError('NOT_READY', 'live media is not ready');
    const device = this.device;
    const transport = this.transport;
    const data = await this.signaling.request({
      type: 'consume',
      transportId: transport.id,
      cameraId,
      stream: 'main',
      media: 'audio',
      rtpCapabilities: device.recvRtpCapabilities as unknown as Record<string, unknown>,
    });
    let consumer: ms.Consumer;
    try {
      consumer = await transport.consume({ id: data.consumerId, producerId: data.producerId, kind: 'audio', rtpParameters: data.rtpParameters as unknown as ms.RtpParameters, streamId: syncStreamId(cameraId, 'main'), appData: { cameraId, media: 'audio' } });
      await this.signaling.request({ type: 'resumeConsumer', consumerId: data.consumerId });
    } catch (err) {
      this.closeOnServer(data.consumerId);
      throw err instanceof SignalingError ? err : new SignalingError('CANNOT_CONSUME', err instanceof Error ? err.message : String(err));
    }
    let closed = false;
    return {
      track: consumer.track,
      receiver: consumer.rtpReceiver ?? null,
      close: () => {
        if (closed) return;
        closed = true;
        consumer.close();
        this.closeOnServer(data.consumerId);
      },
    };
  }

  /**
   * The stream's GOP bridge (docs/gop-bridge.md): a short-lived re-encoded video that starts with a
   * keyframe at once, for a tile whose consumer of the stream waits for the camera's next keyframe.
   * One consumer per call; the caller closes it at the real consumer's first frame. Rejects with
   * the server's code (NO_BRIDGE: not needed or not available for this join).
   */
  async consumeBridge(cameraId: string, stream: StreamKind): Promise<{ track: MediaStreamTrack; close(): void }> {
    if (!this.ready || !this.device || !this.transport) throw new SignalingError('NOT_READY', 'live media is not ready');
    const device = this.device;
    const transport = this.transport;
    const data = await this.signaling.request({
      type: 'consume',
      transportId: transport.id,
      cameraId,
      stream,
      media: 'bridge',
      rtpCapabilities: device.recvRtpCapabilities as unknown as Record<string, unknown>,
    });
    let consumer: ms.Consumer;
    try {
      consumer = await transport.consume({ id: data.consumerId, producerId: data.producerId, kind: 'video', rtpParameters: data.rtpParameters as unknown as ms.RtpParameters, appData: { cameraId, stream, media: 'bridge' } });
      await this.signaling.request({ type: 'resumeConsumer', consumerId: data.consumerId });
    } catch (err) {
      this.closeOnServer(data.consumerId);
      throw err instanceof SignalingError ? err : new SignalingError('CANNOT_CONSUME', err instanceof Error ? err.message : String(err));
    }
    let closed = false;
    return {
      track: consumer.track,
      close: () => {
        if (closed) return;
        closed = true;
        consumer.close();
        this.closeOnServer(data.consumerId);
      },
    };
  }

  private createEntry(key: string, cameraId: string, stream: StreamKind): Entry {
    const device = this.device!;
    const transport = this.transport!;
    const generation = this.generation;
    const entry: Entry = {
      key,
      cameraId,
      stream,
      generation,
      refs: 0,
      consumerId: null,
      consumer: null,
      ready: Promise.resolve(null as unknown as ms.Consumer),
      closed: false,
      lingerTimer: null,
      listeners: new Set(),
    };
    entry.ready = (async () => {
      try {
        const data = await this.signaling.request({
          type: 'consume',
          transportId: transport.id,
          cameraId,
          stream,
          rtpCapabilities: device.recvRtpCapabilities as unknown as Record<string, unknown>,
        });
        entry.consumerId = data.consumerId;
        if (entry.closed || generation !== this.generation) {
          this.closeOnServer(data.consumerId);
          throw new SignalingError('DISCONNECTED', 'session changed while consuming');
        }
        this.byConsumerId.set(data.consumerId, entry);
        const consumer = await transport.consume({
          id: data.consumerId,
          producerId: data.producerId,
          kind: 'video',
          rtpParameters: data.rtpParameters as unknown as ms.RtpParameters,
          streamId: syncStreamId(cameraId, stream),
          appData: { cameraId, stream },
        });
        if (entry.closed) {
          consumer.close();
          throw new SignalingError('DISCONNECTED', 'the consumer closed while opening');
        }
        entry.consumer = consumer;
        consumer.on('trackended', () => this.closeEntry(entry, 'track ended', true));
        consumer.on('transportclose', () => this.closeEntry(entry, 'transport closed', false));
        await this.signaling.request({ type: 'resumeConsumer', consumerId: data.consumerId });
        return consumer;
      } catch (err) {
        this.closeEntry(entry, 'consume failed', true);
        throw err instanceof SignalingError ? err : new SignalingError('CANNOT_CONSUME', err instanceof Error ? err.message : String(err));
      }
    })();
    // Waiters handle the rejection; keep an unobserved rejection from being reported.
    entry.ready.catch(() => undefined);
    this.entries.set(key, entry);
    return entry;
  }

  /** Called by a lease on release. */
  unref(entry: Entry, linger: boolean): void {
    entry.refs = Math.max(0, entry.refs - 1);
    if (entry.refs > 0 || entry.closed) return;
    if (!linger || this.lingerMs <= 0) {
      this.closeEntry(entry, 'released', true);
      return;
    }
    if (entry.lingerTimer) clearTimeout(entry.lingerTimer);
    entry.lingerTimer = setTimeout(() => {
      entry.lingerTimer = null;
      if (entry.refs === 0) this.closeEntry(entry, 'released', true);
    }, this.lingerMs);
  }

  private closeOnServer(consumerId: string): void {
    if (!this.signaling.connected) return;
    this.signaling.request({ type: 'closeConsumer', consumerId }).catch(() => undefined);
  }

  private closeEntry(entry: Entry, reason: string, notifyServer: boolean): void {
    if (entry.closed) return;
    entry.closed = true;
    if (entry.lingerTimer) {
      clearTimeout(entry.lingerTimer);
      entry.lingerTimer = null;
    }
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    if (entry.consumerId) this.byConsumerId.delete(entry.consumerId);
    // Listeners first: a tile keeps the last picture while the track is still alive.
    for (const l of [...entry.listeners]) {
      try {
        l(reason);
      } catch (err) {
        console.warn('[live] consumer close listener failed', err);
      }
    }
    try {
      entry.consumer?.close();
    } catch {
      /* already closed */
    }
    if (notifyServer && entry.consumerId && entry.generation === this.generation) this.closeOnServer(entry.consumerId);
  }

  close(): void {
    if (this.closedForGood) return;
    this.closedForGood = true;
    for (const u of this.unsubscribe.splice(0)) u();
    this.teardown('closed');
    this._state = 'down';
    this.removeAllListeners();
  }
}
