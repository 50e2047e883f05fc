/**
 * The capacity bench's cameras (bench/capacity.ts, bench/rtsp-client.ts): ONE pre-encoded clip
 * (640×360, 25 fps, GOP 2 s, the demo cameras' picture; rendered once into the cache) served to N
 * RTSP paths (`/cam-<i>`, basic credentials) by one Node process of its own (clip-camera-server.ts,
 * the clip packetized once by GStreamer) on loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoFilterGraph, DEFAULT_FONT, encoderArgs } from '@wardwall/endpoint/demo';

/** The clip every camera plays. */
export const CLIP = { width: 640, height: 360, fps: 25, gopFrames: 50, bitrateKbps: 800, seconds: 10 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cacheDir(): string {
  return process.env.WARDWALL_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'wardwall');
}

/** Renders (once, cached by its recipe) the cameras' clip: MPEG-TS, a whole number of GOPs. */
export async function cameraClip(): Promise<string> {
  const graph = demoFilterGraph({ id: 'capacity', name: 'Capacity camera', index: 1, width: CLIP.width, height: CLIP.height, fps: CLIP.fps, gopFrames: CLIP.gopFrames, bitrateKbps: CLIP.bitrateKbps, mainUrl: '', fontFile: DEFAULT_FONT })
    // Rendered as fast as it goes (the realtime filter holds the live cameras to the clock).
    .replace(',realtime', '');
  const recipe = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-filter_complex', graph, '-map', '[main]', ...encoderArgs(CLIP, CLIP.bitrateKbps), '-t', String(CLIP.seconds)];
  const key = createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 16);
  const dir = join(cacheDir(), 'capacity-clips');
  const file = join(dir, `camera-${key}.ts`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await new Promise<void>((resolve, reject) => {
    const p = spawn('nice', ['-n', '10', 'ffmpeg', ...recipe, '-f', 'mpegts', '-y', tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`capacity clip: ffmpeg exited ${code}: ${err}`))));
  });
  renameSync(tmp, file);
  rmSync(tmp, { force: true });
  return file;
}

export interface CameraServer {
  child: ChildProcess;
  port: number;
  user: string;
  password: string;
  close(): Promise<void>;
}

const SERVER = fileURLToPath(new URL('./clip-camera-server.ts', import.meta.url));

/** Starts the camera server (credentials through stdin) and resolves once it listens. */
export async function startCameraServer(clip: string, paths: number): Promise<CameraServer> {
  const user = 'bench';
  const password = randomBytes(12).toString('hex');
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  child.stdin!.end(JSON.stringify({ host: '127.0.0.1', clip, paths, user, password, fps: CLIP.fps }));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`camera server not ready: ${stderr}`)), 20000);
    let buf = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (t: string) => {
      buf += t;
      const m = /READY (\{.*\})/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve((JSON.parse(m[1]!) as { port: number }).port);
      }
    });
    child.once('exit', (code) => reject(new Error(`camera server exited ${code}: ${stderr}`)));
  });
  return {
    child, port, user, password,
    async close() {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
