/**
 * The recorder's GET /metrics with metrics.token, on a real demo camera (embedded endpoint, ffmpeg
 * publisher, GStreamer pull, ffmpeg segments, SQLite index), read with the strict exposition reader:
 * recording state, bytes recorded, disk free, retention evictions (a tiny quota), holds, export
 * queue; the camera unplugged (state leaves recording, /api/health 503) and plugged back (recording,
 * a restart counted, 200). Access: the token from any address; none or a wrong one is 401.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import { readFileSync } from 'node:fs';
import { startRecorder } from '../src/app.js';
import { log, startCameras, tempDir, testConfig, waitFor } from '@wardwall/testing/recorder';
import { parsePromText, sampleValue, type Family } from '@wardwall/testing/prom-text';

const TOKEN = 'recorder-metrics-token-0123456789';

function get(port: number, path: string, opts: { localAddress?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; type: string; body: string; auth: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: opts.headers ?? {}, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body, auth: res.headers['www-authenticate'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

function lanAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

test('recorder /metrics: token access, per-camera recording metrics, evictions, holds, unplug and replug, health 503', { timeout: 150_000 }, async (t) => {
  const dir = tempDir();
  // A quota of ~1.5 MB: retention must evict while the test runs.
  const config = await testConfig({ cameras: 1, dataDir: dir.path, segmentSeconds: 2, bitrateKbps: 800, retention: { maxBytes: 1_500_000 }, metricsToken: TOKEN });
  const cams = await startCameras(config);
  const rec = await startRecorder(config, { log, backoffMs: [500, 1000, 1000], stallMs: 3000, ioTimeoutMs: 3000, retentionIntervalMs: 500 });
  t.after(async () => {
    await rec.close();
    await cams.close();
    dir.remove();
  });
  const auth = { authorization: `Bearer ${TOKEN}` };
  const scrape = async (): Promise<Map<string, Family>> => {
    const r = await get(rec.port, '/metrics', { headers: auth });
    assert.equal(r.status, 200, r.body);
    assert.match(r.type, /^text\/plain; version=0\.0\.4/);
    return parsePromText(r.body);
  };
  const v = (f: Map<string, Family>, name: string, labels: Record<string, string> = {}) => sampleValue(f, name, labels);
  const cam = { camera: 'demo-1' };

  // Access: no token and a wrong one are 401 (loopback too), coded; the token works from another address.
  for (const headers of [{}, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Basic ${TOKEN}` }] as Record<string, string>[]) {
    const r = await get(rec.port, '/metrics', { headers });
    assert.equal(r.status, 401, JSON.stringify(headers));
    assert.equal(JSON.parse(r.body).code, 'UNAUTHENTICATED');
    assert.match(r.auth ?? '', /^Bearer/);
  }
  const lan = lanAddress();
  if (lan) {
    assert.equal((await get(rec.port, '/metrics', { localAddress: lan })).status, 401, 'no token from the LAN');
    assert.equal((await get(rec.port, '/metrics', { localAddress: lan, headers: auth })).status, 200, 'the token from the LAN');
  }

  // Recording: state, bytes, disk; retention evicts under the quota.
  const f = await waitFor('demo-1 recording, bytes recorded and segments evicted', async () => {
    const m = await scrape();
    return v(m, 'wardwall_recorder_state', { ...cam, state: 'recording' }) === 1 && v(m, 'wardwall_recorder_bytes_recorded_total', cam)! > 1_500_000 && v(m, 'wardwall_recorder_retention_evictions_total')! > 0 ? m : undefined;
  }, 90_000, 500);
  assert.equal(f.get('wardwall_recorder_bytes_recorded_total')!.type, 'counter');
  const docs = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  for (const name of f.keys()) if (name.startsWith('wardwall_')) assert.ok(docs.includes(`\`${name}\``), `${name} documented in docs/metrics.md`);
  assert.equal(v(f, 'wardwall_recorder_state', { ...cam, state: 'retrying' }), 0);
  const frames = v(f, 'wardwall_recorder_video_frames_total', cam)!;
  const keys = v(f, 'wardwall_recorder_keyframes_total', cam)!;
  assert.ok(keys >= 2 && frames > keys, `frames ${frames}, keyframes ${keys}`);
  t.diagnostic(`demo-1: ${frames} frames, ${keys} keyframes (GOP ${(frames / keys).toFixed(1)})`);
  const free = v(f, 'wardwall_recorder_disk_free_bytes')!;
  assert.ok(free > 0 && free <= v(f, 'wardwall_recorder_disk_total_bytes')!, `free ${free}`);
  assert.ok(v(f, 'wardwall_recorder_store_bytes')! > 0);
  assert.equal(v(f, 'wardwall_recorder_low_space'), 0);
  assert.equal(v(f, 'wardwall_recorder_export_queue', { state: 'queued' }), 0);
  assert.equal(v(f, 'wardwall_recorder_export_queue', { state: 'running' }), 0);
  assert.equal(v(f, 'wardwall_recorder_holds'), 0);
  assert.equal(v(f, 'wardwall_recorder_restarts_total', cam), 0);
  const holdId = rec.store.db.addHold({ camera: 'demo-1', startMs: 1000, endMs: 2000, reason: 'metrics test', createdBy: 'test', createdMs: Date.now() });
  assert.equal(v(await scrape(), 'wardwall_recorder_holds'), 1);
  rec.store.db.releaseHold(holdId, Date.now());
  assert.equal(v(await scrape(), 'wardwall_recorder_holds'), 0);
  const health = await get(rec.port, '/api/health');
  assert.equal(health.status, 200, health.body);

  // Unplugged: no longer recording, and /api/health answers 503 with its usual body.
  const bytesBefore = v(f, 'wardwall_recorder_bytes_recorded_total', cam)!;
  await cams.demo!.stop('demo-1');
  await waitFor('demo-1 not recording', async () => v(await scrape(), 'wardwall_recorder_state', { ...cam, state: 'recording' }) === 0, 30_000, 500);
  const down = await get(rec.port, '/api/health');
  assert.equal(down.status, 503);
  const body = JSON.parse(down.body) as { ok: boolean; cameras: { camera: string; state: string }[] };
  assert.equal(body.ok, false);
  assert.notEqual(body.cameras[0]!.state, 'recording');

  // Plugged back: recording again, a restart counted, more bytes, 200.
  cams.demo!.start('demo-1');
  const up = await waitFor('demo-1 recording again', async () => {
    const m = await scrape();
    return v(m, 'wardwall_recorder_state', { ...cam, state: 'recording' }) === 1 ? m : undefined;
  }, 60_000, 500);
  assert.ok(v(up, 'wardwall_recorder_restarts_total', cam)! >= 1);
  await waitFor('more bytes recorded', async () => v(await scrape(), 'wardwall_recorder_bytes_recorded_total', cam)! > bytesBefore, 30_000, 500);
  await waitFor('/api/health 200 again', async () => (await get(rec.port, '/api/health')).status === 200, 30_000, 500);
  assert.equal((await get(rec.port, '/metrics', { headers: auth })).body.includes('rtsp://'), false, 'no camera URL');
});
