/**
 * Thumbnails: the frame shown at an instant, as a small JPEG (ffmpeg -ss on the segment, accurate
 * seek: it decodes from the previous keyframe to the exact frame). Cached in memory; at most two
 * ffmpeg runs at a time, each bounded in time and ended by PID.
 */
import { spawn } from 'node:child_process';

export class Thumbnailer {
  private readonly cache = new Map<string, Buffer>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly opts: { width: number; maxEntries: number; timeoutMs: number; ffmpegPath?: string } = { width: 160, maxEntries: 500, timeoutMs: 10000 },
  ) {}

  async get(key: string, absPath: string, offsetMs: number): Promise<Buffer> {
    const hit = this.cache.get(key);
    if (hit) return hit;
    await this.acquire();
    try {
      const again = this.cache.get(key);
      if (again) return again;
      const jpeg = await this.render(absPath, offsetMs);
      this.cache.set(key, jpeg);
      while (this.cache.size > this.opts.maxEntries) this.cache.delete(this.cache.keys().next().value!);
      return jpeg;
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < 2) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => (this.running++, resolve())));
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }

  private render(absPath: string, offsetMs: number): Promise<Buffer> {
    const args = [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-ss', (Math.max(0, offsetMs) / 1000).toFixed(3), '-i', absPath,
      '-frames:v', '1', '-vf', `scale=${this.opts.width}:-2`, '-q:v', '5',
      '-f', 'image2pipe', '-c:v', 'mjpeg', 'pipe:1',
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(this.opts.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-500)));
      const timer = setTimeout(() => child.kill('SIGKILL'), this.opts.timeoutMs);
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        const jpeg = Buffer.concat(out);
        if (code === 0 && jpeg.length > 2 && jpeg[0] === 0xff && jpeg[1] === 0xd8) resolve(jpeg);
        else reject(new Error(`thumbnail failed (${code}): ${err.trim().split('\n').pop() ?? ''}`));
      });
    });
  }
}
