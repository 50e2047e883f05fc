/**
 * A live tile's sound: consumes the camera's live audio (Opus) while the tile plays a camera that
 * offers it, keeps it muted until the operator unmutes this tile, and measures its level for the
 * tile's meter (WebAudio analyser, ~10 times a second). Everything is released when the tile stops
 * playing, changes camera or leaves the page.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LiveAudio, LiveMediaService } from '../services/live-media.js';
import { AvSyncLoop, playoutSkew, type AvDelays } from '../core/av-sync.js';

/** How often the fine A/V sync samples the two receivers' playout (ms). */
const AV_SYNC_SAMPLE_MS = 500;

export interface TileAudioInputs {
  service: LiveMediaService | null;
  cameraId: string;
  /** The camera offers live audio and the tile is playing it. */
  enabled: boolean;
  /** The receiver of the tile's live video (main stream), for the fine A/V sync; null when none. */
  videoReceiver: () => RTCRtpReceiver | null;
}

export class TileAudioController implements ReactiveController {
  /** 0..1, the RMS level of the last ~100 ms (0 while nothing plays). */
  level = 0;
  /** The operator turned this tile's sound on. */
  soundOn = false;
  /** A live audio track is being received. */
  receiving = false;
  /** The fine A/V sync's current extra delays (diagnostics; `av-delay` attribute on the tile). */
  avDelays: AvDelays = { audioMs: 0, videoMs: 0 };
  private key = '';
  private generation = 0;
  private consumer: LiveAudio | null = null;
  private videoReceiver: () => RTCRtpReceiver | null = () => null;
  private syncTimer: ReturnType<typeof setInterval> | null = null;
  private sync = new AvSyncLoop();
  /** The video receiver the sync works with (its jitterBufferTarget is reset when it changes or stops). */
  private syncedVideo: RTCRtpReceiver | null = null;
  private element: HTMLAudioElement | null = null;
  private ctx: AudioContext | null = null;
  private analyser: AnalyserNode | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private samples: Float32Array<ArrayBuffer> | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
    this.key = '';
  }

  /** Called on every host update. */
  update(inputs: TileAudioInputs): void {
    this.videoReceiver = inputs.videoReceiver;
    const key = inputs.enabled && inputs.service ? inputs.cameraId : '';
    if (key === this.key) return;
    this.stop();
    this.key = key;
    if (!key || !inputs.service) return;
    const gen = ++this.generation;
    inputs.service.consumeAudio(key).then(
      (c) => {
        if (gen !== this.generation) return c.close();
        this.start(c);
      },
      (err: unknown) => {
        if (gen === this.generation) console.warn(`[tile] no live audio for ${key}`, err);
      },
    );
  }

  /** Turns this tile's sound on or off (a user gesture: the audio context may start now). */
  toggle(): void {
    this.soundOn = !this.soundOn;
    if (this.element) this.element.muted = !this.soundOn;
    void this.ctx?.resume().catch(() => undefined);
    this.host.requestUpdate();
  }

  private start(c: LiveAudio): void {
    this.consumer = c;
    this.receiving = true;
    const stream = new MediaStream([c.track]);
    // Chromium feeds a remote WebRTC track to WebAudio only while a media element plays it.
    const el = new Audio();
    el.muted = !this.soundOn;
    el.autoplay = true;
    el.srcObject = stream;
    void el.play().catch(() => undefined);
    this.element = el;
    try {
      const ctx = new AudioContext();
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 1024;
      ctx.createMediaStreamSource(stream).connect(analyser);
      this.ctx = ctx;
      this.analyser = analyser;
      this.samples = new Float32Array(analyser.fftSize);
      void ctx.resume().catch(() => undefined);
    } catch {
      /* no WebAudio: sound without a meter */
    }
    this.timer = setInterval(() => this.measure(), 100);
    if (c.receiver) this.syncTimer = setInterval(() => void this.syncStep(c), AV_SYNC_SAMPLE_MS);
    this.host.requestUpdate();
  }

  /**
   * Fine A/V sync (core/av-sync.ts): samples the two receivers' estimatedPlayoutTimestamp and
   * delays the leading one through its jitterBufferTarget; the video only while the sound is on.
   */
  private async syncStep(c: LiveAudio): Promise<void> {
    const gen = this.generation;
    const audio = c.receiver;
    const video = this.videoReceiver();
    if (!audio) return;
    if (video !== this.syncedVideo) {
      // A new video consumer (stream switch, reconnect): release the old one, start over.
      this.setTarget(this.syncedVideo, null);
      this.syncedVideo = video;
      this.sync = new AvSyncLoop();
      this.setTarget(audio, null);
      this.applyDelays({ audioMs: 0, videoMs: 0 });
    }
    let skew: number | null = null;
    if (video) {
      try {
        const [a, v] = await Promise.all([audio.getStats(), video.getStats()]);
        if (gen !== this.generation) return;
        skew = playoutSkew(a.values() as Iterable<{ type?: string }>, v.values() as Iterable<{ type?: string }>);
      } catch {
        return;
      }
    }
    const next = this.sync.push(skew, this.soundOn);
    if (!next || gen !== this.generation) return;
    this.setTarget(audio, next.audioMs);
    this.setTarget(video, next.videoMs);
    this.applyDelays(next);
  }

  private applyDelays(d: AvDelays): void {
    if (d.audioMs === this.avDelays.audioMs && d.videoMs === this.avDelays.videoMs) return;
    this.avDelays = d;
    this.host.requestUpdate();
  }

  /** Sets a receiver's jitterBufferTarget (ms; null/0: the browser's own). */
  private setTarget(r: RTCRtpReceiver | null, ms: number | null): void {
    if (!r) return;
    try {
      (r as RTCRtpReceiver & { jitterBufferTarget: number | null }).jitterBufferTarget = ms ? ms : null;
    } catch {
      /* a closed receiver, or a browser without jitterBufferTarget */
    }
  }

  private measure(): void {
    const a = this.analyser;
    const s = this.samples;
    if (!a || !s) return;
    a.getFloatTimeDomainData(s);
    let sum = 0;
    for (const v of s) sum += v * v;
    const rms = Math.sqrt(sum / s.length);
    // A meter that reads like one: -50 dBFS .. 0 dBFS onto 0..1.
    const level = rms > 0 ? Math.max(0, Math.min(1, 1 + (20 * Math.log10(rms)) / 50)) : 0;
    if (Math.abs(level - this.level) > 0.01) {
      this.level = level;
      this.host.requestUpdate();
    }
  }

  private stop(): void {
    this.generation++;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.syncTimer = null;
    // The video consumer may outlive the sound (other tiles, the lease's linger): no delay left on it.
    this.setTarget(this.syncedVideo, null);
    this.syncedVideo = null;
    this.sync = new AvSyncLoop();
    this.avDelays = { audioMs: 0, videoMs: 0 };
    this.consumer?.close();
    this.consumer = null;
    if (this.element) {
      this.element.pause();
      this.element.srcObject = null;
    }
    this.element = null;
    void this.ctx?.close().catch(() => undefined);
    this.ctx = null;
    this.analyser = null;
    this.samples = null;
    this.receiving = false;
    if (this.level !== 0) this.host.requestUpdate();
    this.level = 0;
  }
}
