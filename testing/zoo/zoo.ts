/**
 * The camera zoo: test cameras of our own, one awkward behaviour each, served on loopback by Debian
 * GStreamer's RTSP server in one python3-gi process (zoo-server.py). Each kind renders the demo
 * cameras' picture (name, wall-clock time, moving walker and the machine-readable timestamp strip of
 * common/timestrip.ts, from endpoint/src/demo/demo-args.ts) with its own encoder settings.
 *
 *   const zoo = await CameraZoo.start({ kinds: ['bframes', 'restart'] });
 *   zoo.url('bframes')  // rtsp://127.0.0.1:<port>/bframes
 *   await zoo.close();
 *
 * Audio kinds beep (1 kHz, 100 ms) at the start of every second of stream time while a white box
 * flashes in the picture for the same 100 ms, so lip sync can be measured.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoFilterGraph, DEFAULT_FONT, encoderArgs } from '@wardwall/endpoint/demo';

export const ZOO_KINDS = ['restart', 'bframes', 'h265', 'g711', 'aac', 'gop10', 'fps6', 'portrait', 'main1080'] as const;
export type ZooKind = (typeof ZOO_KINDS)[number];

export interface ZooKindSpec {
  kind: ZooKind;
  /** What the camera does, for docs and test names. */
  behaviour: string;
  width: number;
  height: number;
  fps: number;
  gopFrames: number;
  video: 'H264' | 'H265';
  /** H.264 profile the encoder writes ('baseline' = constrained baseline), or 'main' for H.265. */
  profile: 'baseline' | 'main' | 'high';
  /** Consecutive B-frames (0 = none, no reordering). */
  bframes: number;
  audio: null | 'PCMA' | 'AAC';
  /** Encoder restart (new SSRC, sequence and timestamp base) every this many seconds. */
  restartEveryS: number | null;
  bitrateKbps: number;
}

const base = { fps: 25, gopFrames: 50, video: 'H264', profile: 'baseline', bframes: 0, audio: null, restartEveryS: null, width: 640, height: 360, bitrateKbps: 600 } as const;

export const ZOO_SPECS: Readonly<Record<ZooKind, ZooKindSpec>> = {
  restart: { ...base, kind: 'restart', behaviour: 'encoder restart every 20 s inside one RTSP session (new SSRC, sequence and timestamp base at the next IDR)', restartEveryS: 20 },
  bframes: { ...base, kind: 'bframes', behaviour: 'H.264 High profile with 2 B-frames, 1280×720', width: 1280, height: 720, profile: 'high', bframes: 2, bitrateKbps: 1500 },
  h265: { ...base, kind: 'h265', behaviour: 'H.265 (HEVC) Main', video: 'H265', profile: 'main' },
  g711: { ...base, kind: 'g711', behaviour: 'H.264 with G.711 A-law (PCMA) audio, 8 kHz mono', audio: 'PCMA' },
  aac: { ...base, kind: 'aac', behaviour: 'H.264 with AAC-LC audio, 16 kHz mono', audio: 'AAC' },
  gop10: { ...base, kind: 'gop10', behaviour: 'a keyframe every 10 s', gopFrames: 250 },
  fps6: { ...base, kind: 'fps6', behaviour: '6 frames per second', fps: 6, gopFrames: 12 },
  portrait: { ...base, kind: 'portrait', behaviour: 'portrait 720×1280', width: 720, height: 1280, bitrateKbps: 1500 },
  main1080: { ...base, kind: 'main1080', behaviour: '1920×1080 H.264 Main profile', width: 1920, height: 1080, profile: 'main', bitrateKbps: 3000 },
};

/** Video encoder arguments of one kind. */
export function zooEncoderArgs(spec: ZooKindSpec): string[] {
  const kbps = spec.bitrateKbps;
  const rate = ['-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps}k`, '-pix_fmt', 'yuv420p'];
  const gop = ['-g', String(spec.gopFrames), '-keyint_min', String(spec.gopFrames)];
  if (spec.video === 'H265') {
    return ['-c:v', 'libx265', '-preset', 'ultrafast', '-tune', 'zerolatency',
      '-x265-params', `keyint=${spec.gopFrames}:min-keyint=${spec.gopFrames}:scenecut=0:repeat-headers=1:log-level=error:pools=1:frame-threads=1:bframes=0`, ...rate];
  }
  if (spec.bframes > 0) {
    // No zerolatency (it turns B-frames off); a fixed pattern of `bframes` B-frames, no pyramid.
    return ['-c:v', 'libx264', '-preset', 'superfast', '-profile:v', 'high', '-threads', '1',
      '-x264-params', `bframes=${spec.bframes}:b-adapt=0:b-pyramid=none:8x8dct=1:scenecut=0:rc-lookahead=${spec.bframes + 2}:sync-lookahead=0:sliced-threads=0`,
      ...gop, ...rate];
  }
  if (spec.profile === 'main') {
    // CABAC makes the stream Main profile (ultrafast alone would write constrained baseline).
    return ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'main', '-threads', '1',
      '-x264-params', 'cabac=1:sliced-threads=0:scenecut=0', '-bf', '0', ...gop, ...rate];
  }
  return encoderArgs(spec, kbps);
}

/** The ffmpeg arguments of one kind: picture (and audio) rendered in real time, live Matroska on stdout. */
/** `announceFrame0`: the showinfo branch that reports frame 0's wall clock (live mode only: its
 * nullsink keeps an ffmpeg rendering a fixed-length clip from ever finishing). */
export function zooFfmpegArgs(spec: ZooKindSpec, fontFile = DEFAULT_FONT, announceFrame0 = true): string[] {
  const graph = demoFilterGraph({
    id: spec.kind, name: `zoo ${spec.kind}`, index: ZOO_KINDS.indexOf(spec.kind) + 1, width: spec.width, height: spec.height,
    fps: spec.fps, gopFrames: spec.gopFrames, bitrateKbps: spec.bitrateKbps, mainUrl: '', fontFile,
  });
  // Frame 0's wall-clock stamp (pts = RTCTIME in µs before the graph resets it) through showinfo:
  // the zoo maps its media time onto capture time from it, so its RTCP sender reports carry capture
  // time like those of a camera with a right clock (the recorder's latency cross-check).
  const stampAt = '[pic][stamp]';
  if (!graph.includes(`split${stampAt}`)) throw new Error('zoo: the demo graph no longer splits [pic][stamp]');
  const announced = announceFrame0 ? graph.replace(`split${stampAt}`, `split=3${stampAt}[frame0]`) + `;[frame0]select='eq(n\\,0)',showinfo,nullsink` : graph;
  const flash = spec.audio
    ? `;[main]drawbox=x=iw*3/4:y=ih*3/4:w=iw/4:h=ih/4:color=white:t=fill:enable='lt(mod(t\\,1)\\,0.1)'[cam]`
    : `;[main]null[cam]`;
  // showinfo logs at the info level; the zoo-server takes its line and passes the others on.
  const args = ['-hide_banner', '-loglevel', 'info', '-nostats', '-nostdin'];
  if (spec.audio) {
    const rate = spec.audio === 'PCMA' ? 8000 : 16000;
    args.push('-f', 'lavfi', '-i', `aevalsrc='if(lt(mod(t,1),0.1),0.7*sin(2*PI*1000*t),0)':s=${rate}:c=mono`);
  }
  args.push('-filter_complex', announced + flash, '-map', '[cam]', ...zooEncoderArgs(spec));
  if (spec.audio === 'PCMA') args.push('-map', '0:a', '-c:a', 'pcm_alaw', '-ar', '8000', '-ac', '1');
  else if (spec.audio === 'AAC') args.push('-map', '0:a', '-c:a', 'aac', '-b:a', '32k', '-ar', '16000', '-ac', '1');
  if (spec.audio) {
    // Audio and video in one container keep their common timeline (exact lip sync); costs ~1-2 frames.
    args.push('-f', 'matroska', '-live', '1', '-flush_packets', '1', '-cluster_time_limit', '40', 'pipe:1');
  } else {
    // Video only: RTP straight from the encoder (the zoo-server binds the port), SPS/PPS before keyframes.
    args.push('-bsf:v', 'dump_extra', '-f', 'rtp', '-payload_type', '96', 'rtp://127.0.0.1:{VIDEO_PORT}?pkt_size=1400');
  }
  return args;
}

/**
 * Pre-rendered mode: the kind's picture and sound are encoded once into a clip (a whole number of
 * GOPs, at least 10 s) kept in the setup's cache, and the camera plays it in a loop at its real rate
 * with the packets copied (`-re -stream_loop -1 -c copy`). A real camera encodes on its own chip;
 * this keeps the zoo's encoders off the 2 cores the SFU, the transcoder and Chromium need. The
 * burned-in time is the time of rendering, so tests of evidence time use live mode.
 */
export function zooClipSeconds(spec: ZooKindSpec): number {
  const gopS = spec.gopFrames / spec.fps;
  return Math.ceil(10 / gopS) * gopS;
}

function cacheDir(): string {
  return process.env.WARDWALL_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'wardwall');
}

/** Renders (once; cached by the recipe's hash) the clip of one kind and returns its path. */
export async function zooClip(spec: ZooKindSpec, fontFile = DEFAULT_FONT): Promise<string> {
  const live = zooFfmpegArgs(spec, fontFile, false);
  // The recipe: the live arguments up to the output, the clip length; rendered as fast as it goes.
  const outAt = live.findIndex((a, i) => a === '-f' && i > live.indexOf('-map'));
  // Without the graph's realtime filter (it holds rendering to the clock).
  const recipe = [...live.slice(0, outAt).map((a) => a.replace(',realtime', '')), '-t', String(zooClipSeconds(spec))];
  const key = createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 16);
  const dir = join(cacheDir(), 'zoo-clips');
  const ext = spec.audio ? 'mkv' : 'ts';
  const file = join(dir, `${spec.kind}-${key}.${ext}`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const args = [...recipe, '-f', spec.audio ? 'matroska' : 'mpegts', '-y', tmp];
  await new Promise<void>((resolve, reject) => {
    const p = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`zoo clip ${spec.kind}: ffmpeg exited ${code}: ${err}`))));
  });
  renameSync(tmp, file);
  rmSync(tmp, { force: true });
  return file;
}

/** The ffmpeg arguments that play a kind's clip in a loop at its real rate, packets copied. */
export function zooPlaybackArgs(spec: ZooKindSpec, clip: string): string[] {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', clip, '-map', '0:v', '-c:v', 'copy'];
  if (spec.audio) {
    args.push('-map', '0:a', '-c:a', 'copy', '-f', 'matroska', '-live', '1', '-flush_packets', '1', '-cluster_time_limit', '40', 'pipe:1');
  } else {
    // The clip is MPEG-TS: Annex B with the encoder's in-band parameter sets, as RTP wants them
    // (a bitstream filter would be needed for Matroska, and ffmpeg 5.1's fail on -stream_loop).
    args.push('-f', 'rtp', '-payload_type', '96', 'rtp://127.0.0.1:{VIDEO_PORT}?pkt_size=1400');
  }
  return args;
}

export interface ZooOptions {
  /** Play pre-rendered clips in a loop instead of encoding live (see zooClip); default false. */
  prerendered?: boolean;
  kinds?: readonly ZooKind[];
  /** Overrides the restart kind's interval (seconds). */
  restartEveryS?: number;
  /** When set, the zoo asks for RTSP basic authentication (the URLs then carry the credentials). */
  user?: string;
  password?: string;
  /** How long to wait until every kind streams (default 60 s). */
  readyTimeoutMs?: number;
}

export interface ZooRestartEvent {
  kind: ZooKind;
  restarts: number;
  ssrc: number;
  seq: number;
  rtptime: number;
  atMs: number;
}

interface ZooEvents {
  restart: [ZooRestartEvent];
  line: [unknown];
}

const SERVER = fileURLToPath(new URL('./zoo-server.py', import.meta.url));
/** Debian's interpreter (python3-gi and GstRtspServer live there, not in a pyenv). */
export const ZOO_PYTHON = '/usr/bin/python3';

export class CameraZoo extends EventEmitter<ZooEvents> {
  private exited: Promise<void>;
  readonly restartEvents: ZooRestartEvent[] = [];
  readonly stderrTail: string[] = [];
  private closed = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly kinds: readonly ZooKind[],
    private readonly opts: ZooOptions,
    exited: Promise<void>,
  ) {
    super();
    this.exited = exited;
  }

  /** Starts the zoo on a free loopback port and resolves once every kind streams. */
  static async start(opts: ZooOptions = {}): Promise<CameraZoo> {
    const kinds = opts.kinds ?? ZOO_KINDS;
    const spec = {
      host: '127.0.0.1',
      port: 0,
      user: opts.user ?? null,
      password: opts.password ?? null,
      kinds: await Promise.all(kinds.map(async (k) => {
        const s = ZOO_SPECS[k];
        const restartEveryS = s.restartEveryS === null ? null : (opts.restartEveryS ?? s.restartEveryS);
        const ffmpeg = opts.prerendered ? zooPlaybackArgs(s, await zooClip(s)) : zooFfmpegArgs(s);
        return { name: k, ffmpeg, video: s.video, audio: s.audio, restartEveryS };
      })),
    };
    const child = spawn(ZOO_PYTHON, [SERVER], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stderr: string[] = [];
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (t: string) => {
      stderr.push(...t.split('\n').filter(Boolean).map((l) => l.slice(0, 300)));
      stderr.splice(0, Math.max(0, stderr.length - 30));
    });
    child.stdin!.end(JSON.stringify(spec));
    let zoo: CameraZoo | null = null;
    const pending: unknown[] = [];
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`camera zoo not ready: ${stderr.slice(-5).join(' | ')}`)), opts.readyTimeoutMs ?? 60_000);
      let buf = '';
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (t: string) => {
        buf += t;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.startsWith('READY ')) {
            clearTimeout(timer);
            resolve((JSON.parse(line.slice(6)) as { port: number }).port);
            continue;
          }
          let msg: unknown;
          try {
            msg = JSON.parse(line);
          } catch {
            continue;
          }
          if (zoo) zoo.onLine(msg);
          else pending.push(msg);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`camera zoo exited (${code}) before it was ready: ${stderr.slice(-5).join(' | ')}`));
      });
    });
    zoo = new CameraZoo(child, port, kinds, opts, exited);
    (zoo.stderrTail as string[]).push(...stderr);
    for (const msg of pending) zoo.onLine(msg);
    return zoo;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The RTSP URL of one kind (with the credentials when the zoo asks for them). */
  url(kind: ZooKind): string {
    const auth = this.opts.user ? `${encodeURIComponent(this.opts.user)}:${encodeURIComponent(this.opts.password ?? '')}@` : '';
    return `rtsp://${auth}127.0.0.1:${this.port}/${kind}`;
  }

  urls(): Record<string, string> {
    return Object.fromEntries(this.kinds.map((k) => [k, this.url(k)]));
  }

  private onLine(msg: unknown): void {
    const m = msg as { event?: string };
    if (m.event === 'restart') {
      const ev = msg as ZooRestartEvent;
      this.restartEvents.push(ev);
      this.emit('restart', ev);
    }
    this.emit('line', msg);
  }

  /** Stops the zoo (its RTSP server and every ffmpeg it runs) by PID. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return this.exited;
    this.closed = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const pid = this.child.pid!;
    const kill = setTimeout(() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 3000);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    await this.exited;
    clearTimeout(kill);
  }
}
