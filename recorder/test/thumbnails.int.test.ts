/**
 * Thumbnails against the real recorder, demo camera and ffmpeg: snapped to the keyframe (every
 * instant of a GOP gets the same picture, served from the cache keyed by camera + keyframe), a
 * bounded queue (429 RATE_LIMITED with retryAfterS past it), a per-user concurrency limit, and the
 * ffmpeg process killed when the client goes away. A "slow ffmpeg" is real ffmpeg started through
 * a wrapper that, while a flag file exists, runs a long real-time ffmpeg job instead (so requests
 * pile up and can be abandoned mid-run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRecorder } from '../src/app.js';
import { Thumbnailer } from '../src/playback/thumbnail.js';
import { execFileP, getJson, log, spans, startCameras, tempDir, testConfig, waitFor } from '@wardwall/testing/recorder';

function slowFfmpeg(dir: string): { path: string; slow(on: boolean): void } {
  const flag = join(dir, 'slow');
  const path = join(dir, 'ffmpeg-wrapper.sh');
  writeFileSync(path, `#!/bin/sh\nif [ -e '${flag}' ]; then exec ffmpeg -hide_banner -loglevel error -nostdin -re -f lavfi -i testsrc=size=64x36:rate=5 -t 120 -f null -; fi\nexec ffmpeg "$@"\n`);
  chmodSync(path, 0o755);
  return { path, slow: (on) => (on ? writeFileSync(flag, '') : existsSync(flag) && unlinkSync(flag)) };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !/^\S+ \(\S+\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

test('thumbnails: keyframe-snapped and cached; 429 + retryAfterS past the queue; ffmpeg killed when the client goes away', { timeout: 180_000 }, async (t) => {
  const dir = tempDir();
  t.after(() => dir.remove());
  const ff = slowFfmpeg(dir.path);
  const config = await testConfig({ cameras: 1, dataDir: join(dir.path, 'store'), segmentSeconds: 4 });
  const cams = await startCameras(config);
  t.after(() => cams.close());
  const rec = await startRecorder(config, { log, backoffMs: [500, 1000], stallMs: 5000, thumbnails: { ffmpegPath: ff.path, maxRunning: 2, perUser: 1, maxQueuePerUser: 2, maxQueue: 8 } });
  t.after(() => rec.close());
  const base = `http://127.0.0.1:${rec.port}`;
  const span = await waitFor('8 s recorded', async () => {
    const s = (await spans(base, 'demo-1', Date.now() - 60_000, Date.now())).spans[0];
    return s && s.endMs - s.startMs > 8000 ? s : null;
  }, 60_000);

  await t.test('instants of one GOP share the keyframe picture, from the cache', async () => {
    const at = span.startMs + 2500;
    const a = await fetch(`${base}/api/recordings/demo-1/thumbnail?at=${at}`);
    assert.equal(a.status, 200);
    const k = Number(a.headers.get('x-keyframe-at'));
    assert.ok(k <= at && at - k < 2100, `snapped ${at - k} ms back`);
    const jpeg = Buffer.from(await a.arrayBuffer());
    const renders = rec.thumbnails.stats.renders;
    const hits = rec.thumbnails.stats.hits;
    // Another instant after the same keyframe (before the next one: the GOP is at most 1 s here).
    const b = await fetch(`${base}/api/recordings/demo-1/thumbnail?at=${k + 1}`);
    assert.equal(b.status, 200);
    assert.equal(Number(b.headers.get('x-keyframe-at')), k);
    assert.deepEqual(Buffer.from(await b.arrayBuffer()), jpeg);
    assert.equal(rec.thumbnails.stats.renders, renders, 'no new ffmpeg run');
    assert.equal(rec.thumbnails.stats.hits, hits + 1, 'a cache hit');
    // The JPEG is a real decodable picture.
    const file = join(dir.path, 't.jpg');
    writeFileSync(file, jpeg);
    const { stdout } = await execFileP('ffprobe', ['-v', 'error', '-show_entries', 'stream=width', '-of', 'csv=p=0', file]);
    assert.equal(stdout.trim(), '160');
  });

  await t.test('past the queue: 429 with retryAfterS; abandoned requests kill their ffmpeg', async () => {
    ff.slow(true);
    const aborts: AbortController[] = [];
    const pending: Promise<unknown>[] = [];
    // One user (no access control: the local operator): 1 running + 2 waiting fill its share.
    for (let i = 0; i < 3; i++) {
      const c = new AbortController();
      aborts.push(c);
      pending.push(fetch(`${base}/api/recordings/demo-1/thumbnail?at=${span.startMs + 4200 + i * 1000}`, { signal: c.signal }).catch(() => null));
    }
    const pids = await waitFor('the slow ffmpeg running', () => (rec.thumbnails.pids().length === 1 ? rec.thumbnails.pids() : null), 10_000, 50);
    assert.match(readFileSync(`/proc/${pids[0]}/cmdline`, 'utf8'), /ffmpeg/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(rec.thumbnails.pids().length, 1, 'one ffmpeg per user at a time');
    const full = await getJson(`${base}/api/recordings/demo-1/thumbnail?at=${span.startMs + 7300}`);
    assert.equal(full.status, 429);
    assert.equal(full.body.code, 'RATE_LIMITED');
    assert.ok(Number.isInteger(full.body.retryAfterS) && full.body.retryAfterS >= 1, JSON.stringify(full.body));
    // The client goes away: its ffmpeg is killed, and the next waiting request starts (and is abandoned too).
    const cancelled = rec.thumbnails.stats.cancelled;
    aborts[0]!.abort();
    await waitFor('the first ffmpeg killed', () => !alive(pids[0]!), 5000, 50);
    for (const c of aborts.slice(1)) c.abort();
    await Promise.all(pending);
    await waitFor('every ffmpeg gone', () => rec.thumbnails.pids().length === 0, 5000, 50);
    assert.ok(rec.thumbnails.stats.cancelled >= cancelled + 3, `cancelled ${rec.thumbnails.stats.cancelled - cancelled}`);
    ff.slow(false);
    const ok = await fetch(`${base}/api/recordings/demo-1/thumbnail?at=${span.startMs + 6100}`);
    assert.equal(ok.status, 200, 'served again once the queue is free');
  });

  await t.test('per-user limit: another user is served while one user has its share running', async () => {
    const file = (await rec.store.db.overlapping('demo-1', span.startMs, span.startMs + 1))[0]!;
    const abs = rec.store.abs(file.path);
    const th = new Thumbnailer({ ffmpegPath: ff.path, maxRunning: 2, perUser: 1, maxQueuePerUser: 1, maxQueue: 8 });
    ff.slow(true);
    const ca = new AbortController();
    const a1 = th.get({ key: 'a1', absPath: abs, offsetMs: 0, user: 'a', signal: ca.signal }).catch((e: Error) => e);
    const a2 = th.get({ key: 'a2', absPath: abs, offsetMs: 1000, user: 'a', signal: ca.signal }).catch((e: Error) => e);
    await assert.rejects(th.get({ key: 'a3', absPath: abs, offsetMs: 2000, user: 'a' }), (e: Error & { status?: number; retryAfterS?: number }) => e.status === 429 && (e.retryAfterS ?? 0) >= 1);
    const cb = new AbortController();
    const b1 = th.get({ key: 'b1', absPath: abs, offsetMs: 0, user: 'b', signal: cb.signal }).catch((e: Error) => e);
    await waitFor('user b running beside user a', () => th.pids().length === 2, 5000, 50);
    ca.abort();
    cb.abort();
    assert.equal(((await a1) as Error).name, 'AbortError');
    assert.equal(((await a2) as Error).name, 'AbortError');
    assert.equal(((await b1) as Error).name, 'AbortError');
    await waitFor('no ffmpeg left', () => th.pids().length === 0, 5000, 50);
    ff.slow(false);
    th.close();
  });
});
