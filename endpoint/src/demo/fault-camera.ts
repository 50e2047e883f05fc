/**
 * A synthetic camera for health tests and demonstrations: one ffmpeg publisher (see
 * fault-scene-args.ts) whose picture is switched at runtime (black, covered, frozen, moved,
 * defocused, normal) without restarting the stream, and which can be unplugged and plugged in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { DEFAULT_FONT } from './demo-args.js';
import { faultCameraArgs, sceneCommand, type FaultCameraSpec, type FaultScene } from './fault-scene-args.js';

export class FaultCamera {
  private child: ChildProcess | null = null;
  private sceneRef: FaultScene = 'normal';
  private readonly stderrTail: string[] = [];

  constructor(
    private readonly spec: FaultCameraSpec,
    private readonly log: Logger,
  ) {}

  /** A spec with the demo defaults for a small, cheap test camera. */
  static spec(id: string, mainUrl: string, opts: Partial<FaultCameraSpec> = {}): FaultCameraSpec {
    return { id, name: id, index: 3, width: 320, height: 180, fps: 15, gopFrames: 15, bitrateKbps: 400, mainUrl, fontFile: DEFAULT_FONT, ...opts };
  }

  get scene(): FaultScene {
    return this.sceneRef;
  }
  get plugged(): boolean {
    return this.child !== null;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts publishing (plugs the camera in) with the current scene. */
  start(): void {
    if (this.child) return;
    const child = spawn('ffmpeg', faultCameraArgs(this.spec, this.sceneRef), { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, TZ: 'Asia/Ho_Chi_Minh' } });
    this.child = child;
    child.stdin!.on('error', () => undefined);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      for (const line of text.split('\n')) if (line.trim() && !/Enter command|Command reply/.test(line)) this.stderrTail.push(line.slice(0, 300));
      this.stderrTail.splice(0, Math.max(0, this.stderrTail.length - 20));
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) {
        this.child = null;
        this.log.warn({ camera: this.spec.id, code, signal, stderr: this.stderrTail.slice(-3) }, 'fault camera publisher exited');
      }
    });
  }

  /** Shows `scene` from the next frame on (the stream keeps running). */
  setScene(scene: FaultScene): void {
    this.sceneRef = scene;
    this.child?.stdin?.write(sceneCommand(scene));
  }

  /** Unplugs the camera: the publisher ends until start(). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
