/**
 * The SFU's GET /metrics on the real pipeline (embedded endpoint, a fault camera and a demo camera,
 * GStreamer ingest, mediasoup), read with the strict exposition reader: per-camera state, bitrate,
 * frame rate, keyframe interval, packets, loss, reconnects; consumers and signaling sessions; worker
 * CPU; open health alerts. The fault camera is unplugged (offline, an alert) and plugged back (live,
 * one reconnect). Access without metrics.token: loopback only (403 from the machine's LAN address,
 * 401 for a token nobody configured). /api/health answers 503 while the audit trail cannot be written.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import { readFileSync } from 'node:fs';
import { createLogger } from '@wardwall/server-kit';
import { FaultCamera } from '@wardwall/endpoint/demo';
import { startTestSystem, waitFor, wsClient, type TestSystem, type WsClient } from '@wardwall/testing/system';
import { parsePromText, sampleValue, type Family } from '@wardwall/testing/prom-text';

let sys: TestSystem;
let cam: FaultCamera;

before(async () => {
  sys = await startTestSystem({ demoCount: 1, withSub: 0, cameras: [{ id: 'faulty', name: 'Faulty', main: '{rtsp}/faulty' }] });
  cam = new FaultCamera(FaultCamera.spec('faulty', sys.embedded.publishUrl('faulty')), createLogger('test', 'warn'));
  cam.start();
});

after(async () => {
  await cam?.stop();
  await sys?.close();
});

/** GET on the SFU's port from `localAddress` (default loopback) with optional headers. */
function get(path: string, opts: { localAddress?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: sys.sfu.port, path, headers: opts.headers ?? {}, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function scrape(): Promise<Map<string, Family>> {
  const r = await get('/metrics');
  assert.equal(r.status, 200, r.body);
  assert.match(r.type, /^text\/plain; version=0\.0\.4/);
  return parsePromText(r.body);
}

const v = (f: Map<string, Family>, name: string, labels: Record<string, string> = {}) => sampleValue(f, name, labels);
const faulty = { camera: 'faulty', stream: 'main' };

test('per-camera metrics of a live camera, consumers, sessions, worker CPU, alerts by kind', { timeout: 90_000 }, async (t) => {
  const f = await waitFor(
    'both cameras live with two keyframes seen',
    async () => {
      const m = await scrape();
      const ready = ['faulty', 'demo-1'].every((c) => v(m, 'wardwall_camera_state', { camera: c, stream: 'main', state: 'live' }) === 1 && (v(m, 'wardwall_camera_keyframe_interval_seconds', { camera: c, stream: 'main' }) ?? 0) > 0);
      // (An offline alert may open while the fault camera's publisher starts: it closes once live.)
      return ready && (v(m, 'wardwall_camera_bitrate_bits_per_second', faulty) ?? 0) > 0 && v(m, 'wardwall_health_alerts_open', { kind: 'offline' }) === 0 ? m : undefined;
    },
    60_000,
    500,
  );
  assert.equal(f.get('wardwall_camera_state')!.type, 'gauge');
  assert.equal(v(f, 'wardwall_camera_state', { ...faulty, state: 'offline' }), 0);
  assert.equal(v(f, 'wardwall_camera_state', { ...faulty, state: 'connecting' }), 0);
  // The fault camera sends 15 fps (a keyframe every 15 frames); the probe reads it from RTP timestamps.
  assert.equal(v(f, 'wardwall_camera_frame_rate', faulty), 15);
  const kf = v(f, 'wardwall_camera_keyframe_interval_seconds', faulty)!;
  assert.ok(Number.isFinite(kf) && kf > 0, `keyframe interval ${kf} s`);
  t.diagnostic(`faulty: keyframe interval ${kf} s (GOP 15 frames at 15 fps), bitrate ${v(f, 'wardwall_camera_bitrate_bits_per_second', faulty)} bit/s`);
  assert.equal(f.get('wardwall_camera_packets_received_total')!.type, 'counter');
  assert.ok(v(f, 'wardwall_camera_packets_received_total', faulty)! > 0);
  assert.ok(v(f, 'wardwall_camera_bytes_received_total', faulty)! > v(f, 'wardwall_camera_packets_received_total', faulty)!);
  assert.ok(v(f, 'wardwall_camera_packets_lost_total', faulty)! >= 0);
  assert.equal(v(f, 'wardwall_camera_reconnects_total', faulty), 0);
  assert.equal(v(f, 'wardwall_health_alerts_open', { kind: 'offline' }), 0);
  assert.equal(f.get('wardwall_health_alerts_open')!.samples.length, 8, 'every kind, zeros included');
  for (const w of ['0', '1']) {
    assert.ok(v(f, 'wardwall_mediasoup_worker_user_cpu_seconds_total', { worker: w })! > 0, `worker ${w} user CPU`);
    assert.ok(v(f, 'wardwall_mediasoup_worker_system_cpu_seconds_total', { worker: w })! >= 0);
  }
  assert.equal(v(f, 'wardwall_mediasoup_workers'), 2);
  assert.ok(v(f, 'process_cpu_user_seconds_total')! > 0, 'the process metrics too');
  // Every wardwall_ metric is documented.
  const docs = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  for (const name of f.keys()) if (name.startsWith('wardwall_')) assert.ok(docs.includes(`\`${name}\``), `${name} documented in docs/metrics.md`);
  // No camera URL anywhere (labels are camera ids).
  const text = (await get('/metrics')).body;
  assert.equal(/rtsp:\/\//.test(text), false);
  t.diagnostic(`one scrape, 2 cameras, 2 workers: ${Buffer.byteLength(text)} bytes, ${text.split('\n').filter((l) => l && !l.startsWith('#')).length} samples`);

  // A signaling session with one consumer of the fault camera.
  assert.equal(v(f, 'wardwall_signaling_sessions'), 0);
  assert.equal(v(f, 'wardwall_consumers', faulty), 0);
  const ws: WsClient = await wsClient(sys.url);
  try {
    const hello = (await ws.request({ type: 'hello' })) as unknown as { data: { routerRtpCapabilities: unknown } };
    const tr = (await ws.request({ type: 'createTransport' })) as unknown as { data: { transportId: string } };
    const c = (await ws.request({ type: 'consume', transportId: tr.data.transportId, cameraId: 'faulty', stream: 'main', rtpCapabilities: hello.data.routerRtpCapabilities })) as unknown as { ok: boolean };
    assert.equal(c.ok, true, JSON.stringify(c));
    const g = await scrape();
    assert.equal(v(g, 'wardwall_signaling_sessions'), 1);
    assert.equal(v(g, 'wardwall_consumers', faulty), 1);
    assert.equal(v(g, 'wardwall_consumers', { camera: 'demo-1', stream: 'main' }), 0);
  } finally {
    ws.ws.close();
    await ws.closed;
  }
  await waitFor('the session gone from the metrics', async () => v(await scrape(), 'wardwall_signaling_sessions') === 0, 10_000, 200);
});

test('unplugged: state leaves live and an offline alert opens; plugged back: live with one reconnect', { timeout: 120_000 }, async () => {
  await cam.stop();
  const down = await waitFor('faulty offline with its alert', async () => {
    const m = await scrape();
    return v(m, 'wardwall_camera_state', { ...faulty, state: 'live' }) === 0 && v(m, 'wardwall_health_alerts_open', { kind: 'offline' }) === 1 ? m : undefined;
  }, 40_000, 500);
  assert.equal((v(down, 'wardwall_camera_state', { ...faulty, state: 'offline' }) ?? 0) + (v(down, 'wardwall_camera_state', { ...faulty, state: 'connecting' }) ?? 0), 1);
  assert.equal(v(down, 'wardwall_camera_reconnects_total', faulty), 0, 'not back yet');
  assert.equal(v(down, 'wardwall_camera_keyframe_interval_seconds', faulty), undefined, 'no keyframe interval while down');
  assert.equal(v(down, 'wardwall_camera_state', { camera: 'demo-1', stream: 'main', state: 'live' }), 1, 'the other camera stays live');
  cam.start();
  const up = await waitFor('faulty live again', async () => {
    const m = await scrape();
    return v(m, 'wardwall_camera_state', { ...faulty, state: 'live' }) === 1 ? m : undefined;
  }, 60_000, 500);
  assert.equal(v(up, 'wardwall_camera_reconnects_total', faulty), 1);
  assert.equal(v(up, 'wardwall_camera_reconnects_total', { camera: 'demo-1', stream: 'main' }), 0);
  await waitFor('the offline alert closed', async () => v(await scrape(), 'wardwall_health_alerts_open', { kind: 'offline' }) === 0, 30_000, 500);
});

/** A non-loopback address of this machine (the request's source), if it has one. */
function lanAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

test('without metrics.token: loopback only; another address gets 403, a bearer token 401 (coded JSON)', async (t) => {
  assert.equal(sys.config.metrics.token, null);
  const bearer = await get('/metrics', { headers: { authorization: 'Bearer not-configured-anywhere' } });
  assert.equal(bearer.status, 401);
  assert.equal(JSON.parse(bearer.body).code, 'UNAUTHENTICATED');
  const lan = lanAddress();
  if (!lan) return t.skip('this machine has no non-loopback IPv4 address to call from');
  const r = await get('/metrics', { localAddress: lan });
  assert.equal(r.status, 403, r.body);
  assert.deepEqual(Object.keys(JSON.parse(r.body)).sort(), ['code', 'message']);
  assert.equal(JSON.parse(r.body).code, 'FORBIDDEN');
  assert.equal((await get('/api/health', { localAddress: lan })).status, 200, 'the same caller reaches other public routes');
});

test('/api/health: 503 with the same body while the audit trail cannot be written, 200 again after', async () => {
  const ok = await get('/api/health');
  assert.equal(ok.status, 200);
  assert.equal(JSON.parse(ok.body).ok, true);
  sys.sfu.db.exec("CREATE TRIGGER test_metrics_audit_fail BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk I/O error (test)'); END");
  try {
    assert.equal(sys.sfu.audit.append('system', 'test_metrics'), null);
    const bad = await get('/api/health');
    assert.equal(bad.status, 503);
    const body = JSON.parse(bad.body) as { ok: boolean; reasons: string[]; cameras: number; workers: number };
    assert.equal(body.ok, false);
    assert.match(body.reasons.join(' '), /audit trail: append failed/);
    assert.deepEqual([body.cameras, body.workers], [2, 2]);
  } finally {
    sys.sfu.db.exec('DROP TRIGGER test_metrics_audit_fail');
  }
  assert.notEqual(sys.sfu.audit.append('system', 'test_metrics'), null);
  assert.equal((await get('/api/health')).status, 200);
});
