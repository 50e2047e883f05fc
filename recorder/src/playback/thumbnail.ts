/**
 * Thumbnails: the keyframe at or before an instant, as a small JPEG (the caller snaps the instant
 * to the keyframe that starts its HLS part, so every instant of a GOP shares one picture and one
 * cache entry, keyed by camera + keyframe instant). A small LRU cache; ffmpeg runs at most
 * `maxRunning` at a time and `perUser` per user; requests wait in a bounded queue (per user and in
 * all), and past it get 429 RATE_LIMITED with `retryAfterS`. A request whose client went away is
 * dropped from the queue, or its ffmpeg killed (by PID) when it is running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { AppError, ErrorCode } from '@wardwall/common';

export interface ThumbnailOptions {
  width: number;
  /** Cached pictures (LRU). */
  maxEntries: number;
  /** One ffmpeg run at most this long (then killed). */
  timeoutMs: number;
  ffmpegPath?: string;
  /** ffmpeg runs at once, in all. */
  maxRunning: number;
  /** ffmpeg runs at once for one user. */
  perUser: number;
  /** Requests one user may have waiting. */
  maxQueuePerUser: number;
  /** Requests waiting in all. */
  maxQueue: number;
}

export const DEFAULT_THUMBNAIL_OPTIONS: ThumbnailOptions = { width: 160, maxEntries: 500, timeoutMs: 10000, maxRunning: 2, perUser: 1, maxQueuePerUser: 4, maxQueue: 32 };

export interface ThumbnailRequest {
  /** Cache key: camera + keyframe instant. */
  key: string;
  absPath: string;
  /** Offset of the keyframe in the file, ms. */
  offsetMs: number;
  /** Whose request (the per-user limit). */
  user: string;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
}

/** 429 with `retryAfterS` in the body. */
export function thumbnailsBusy(retryAfterS: number): AppError & { retryAfterS: number } {
  const e = new AppError(ErrorCode.RATE_LIMITED, `too many thumbnail requests; try again in ${retryAfterS} s`, 429) as AppError & { retryAfterS: number };
  e.retryAfterS = retryAfterS;
  e.toBody = () => ({ code: ErrorCode.RATE_LIMITED, message: e.message, retryAfterS }) as ReturnType<AppError['toBody']>;
  return e;
}

interface Waiting {
  user: string;
  go: () => void;
  fail: (e: Error) => void;
}

const aborted = (): Error => Object.assign(new Error('the client went away'), { name: 'AbortError' });

export class Thumbnailer {
  private readonly opts: ThumbnailOptions;
  private readonly cache = new Map<string, Buffer>();
  private readonly queue: Waiting[] = [];
  private readonly runningBy = new Map<string, number>();
  private running = 0;
  private readonly children = new Set<ChildProcess>();
  /** Recent render times, ms (for retryAfterS). */
  private avgMs = 300;
  readonly stats = { hits: 0, renders: 0, refused: 0, cancelled: 0 };

  constructor(opts: Partial<ThumbnailOptions> = {}) {
    this.opts = { ...DEFAULT_THUMBNAIL_OPTIONS, ...opts };
  }

  /** The running ffmpeg processes' PIDs. */
  pids(): number[] {
    return [...this.children].map((c) => c.pid).filter((p): p is number => p !== undefined);
  }

  cached(key: string): Buffer | undefined {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
    }
    return hit;
  }

  async get(r: ThumbnailRequest): Promise<Buffer> {
    const hit = this.cached(r.key);
    if (hit) {
      this.stats.hits++;
      return hit;
    }
    if (r.signal?.aborted) throw aborted();
    await this.acquire(r.user, r.signal);
    try {
      const again = this.cached(r.key);
      if (again) {
        this.stats.hits++;
        return again;
      }
      const t0 = Date.now();
      const jpeg = await this.render(r.absPath, r.offsetMs, r.signal);
      this.avgMs = this.avgMs * 0.8 + (Date.now() - t0) * 0.2;
      this.stats.renders++;
      this.cache.set(r.key, jpeg);
      while (this.cache.size > this.opts.maxEntries) this.cache.delete(this.cache.keys().next().value!);
      return jpeg;
    } finally {
      this.release(r.user);
    }
  }

  private free(user: string): boolean {
    return this.running < this.opts.maxRunning && (this.runningBy.get(user) ?? 0) < this.opts.perUser;
  }

  private take(user: string): void {
    this.running++;
    this.runningBy.set(user, (this.runningBy.get(user) ?? 0) + 1);
  }

  private acquire(user: string, signal?: AbortSignal): Promise<void> {
    if (this.free(user) && !this.queue.some((w) => w.user === user)) {
      this.take(user);
      return Promise.resolve();
    }
    const mine = this.queue.filter((w) => w.user === user).length;
    if (mine >= this.opts.maxQueuePerUser || this.queue.length >= this.opts.maxQueue) {
      this.stats.refused++;
      const ahead = Math.max(mine / this.opts.perUser, this.queue.length / this.opts.maxRunning) + 1;
      throw thumbnailsBusy(Math.max(1, Math.ceil((ahead * this.avgMs) / 1000)));
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiting = {
        user,
        go: () => {
          signal?.removeEventListener('abort', onAbort);
          this.take(user);
          resolve();
        },
        fail: reject,
      };
      const onAbort = () => {
        const i = this.queue.indexOf(w);
        if (i >= 0) this.queue.splice(i, 1);
        this.stats.cancelled++;
        reject(aborted());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(w);
    });
  }

  private release(user: string): void {
    this.running--;
    const n = (this.runningBy.get(user) ?? 1) - 1;
    if (n > 0) this.runningBy.set(user, n);
    else this.runningBy.delete(user);
    for (let i = 0; i < this.queue.length && this.running < this.opts.maxRunning; ) {
      const w = this.queue[i]!;
      if (this.free(w.user)) {
        this.queue.splice(i, 1);
        w.go();
      } else i++;
    }
  }

  private render(absPath: string, offsetMs: number, signal?: AbortSignal): Promise<Buffer> {
    const args = [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-ss', (Math.max(0, offsetMs) / 1000).toFixed(3), '-i', absPath,
      '-frames:v', '1', '-vf', `scale=${this.opts.width}:-2`, '-q:v', '5',
      '-f', 'image2pipe', '-c:v', 'mjpeg', 'pipe:1',
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(this.opts.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      this.children.add(child);
      const out: Buffer[] = [];
      let err = '';
      let cancelled = false;
      child.stdout!.on('data', (b: Buffer) => out.push(b));
      child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-500)));
      const kill = () => {
        cancelled = true;
        this.stats.cancelled++;
        child.kill('SIGKILL');
      };
      signal?.addEventListener('abort', kill, { once: true });
      const timer = setTimeout(() => child.kill('SIGKILL'), this.opts.timeoutMs);
      const end = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', kill);
        this.children.delete(child);
      };
      child.once('error', (e) => {
        end();
        reject(e);
      });
      child.once('close', (code) => {
        end();
        const jpeg = Buffer.concat(out);
        if (cancelled) reject(aborted());
        else if (code === 0 && jpeg.length > 2 && jpeg[0] === 0xff && jpeg[1] === 0xd8) resolve(jpeg);
        else reject(new Error(`thumbnail failed (${code}): ${err.trim().split('\n').pop() ?? ''}`));
      });
    });
  }

  /** Kills running renders (by PID) and refuses the waiting ones. Idempotent. */
  close(): void {
    for (const w of this.queue.splice(0)) w.fail(aborted());
    for (const c of this.children) c.kill('SIGKILL');
  }
}
