import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { healthConfigSchema, resolveConfig, type HealthAlert } from '@wardwall/common';
import { createLogger } from '@wardwall/server-kit';
import { openAppDb } from '@wardwall/server-kit';
import { AlertStore } from '../src/health/alert-store.js';
import { WebhookSender } from '../src/health/webhook.js';


test('alert store: one unclosed alert per camera and kind, acknowledge once, close keeps history', () => {
  const db = openAppDb(':memory:');
  const store = new AlertStore(db);
  new AlertStore(db); // migrating twice is harmless
  const a = store.open('cam-1', 'black', { mean: 16 }, 1000);
  assert.equal(a.created, true);
  assert.deepEqual(a.alert.detail, { mean: 16 });
  assert.equal(store.open('cam-1', 'black', {}, 2000).created, false, 'the open alert is reused');
  assert.equal(store.open('cam-1', 'offline', {}, 2000).created, true, 'another kind is another alert');
  assert.equal(store.unclosed().length, 2);

  const ack = store.acknowledge(a.alert.id, { userId: 'u1', name: 'Nguyễn Văn A' }, 3000);
  assert.equal(ack.changed, true);
  assert.equal(ack.alert!.state, 'acknowledged');
  assert.equal(ack.alert!.ackedBy, 'Nguyễn Văn A');
  assert.equal(ack.alert!.ackedAt, 3000);
  assert.equal(store.acknowledge(a.alert.id, { userId: 'u2', name: 'B' }, 3500).changed, false, 'acknowledged once');
  assert.equal(store.acknowledge(999, { userId: 'u2', name: 'B' }, 3500).alert, null);

  const closed = store.close('cam-1', 'black', 4000)!;
  assert.equal(closed.state, 'closed');
  assert.equal(closed.ackedBy, 'Nguyễn Văn A', 'who acknowledged stays');
  assert.equal(store.close('cam-1', 'black', 5000), null);
  assert.equal(store.open('cam-1', 'black', {}, 6000).created, true, 'a new fault is a new alert');

  const hist = store.history('cam-1', 0, 10000, 10);
  assert.deepEqual(hist.map((h) => [h.kind, h.state]), [['black', 'open'], ['offline', 'open'], ['black', 'closed']]);
  assert.equal(store.history('cam-1', 4500, 5500, 10).length, 1, 'only the offline alert was open then');
  assert.equal(store.history('cam-2', 0, 10000, 10).length, 0);
  db.close();
});

test('health config: defaults, bad values name the key, webhook URL must be http(s)', () => {
  const d = healthConfigSchema.parse({});
  assert.equal(d.enabled, true);
  assert.equal(d.webhook.url, null);
  assert.throws(() => resolveConfig({ sfu: { health: { blackMeanMax: -1 } } }), /sfu\.health\.blackMeanMax/);
  assert.throws(() => resolveConfig({ sfu: { health: { webhook: { url: 'ftp://x' } } } }), /sfu\.health\.webhook\.url/);
  assert.throws(() => resolveConfig({ sfu: { health: { nope: 1 } } }), /sfu\.health: unknown key/);
});

const alert: HealthAlert = { id: 7, cameraId: 'cam-1', kind: 'black', state: 'open', openedAt: 1, ackedAt: null, ackedBy: null, closedAt: null, detail: {} };

test('webhook: posts JSON, retries on 5xx with back-off, gives up after the steps, never logs the URL', async () => {
  const received: unknown[] = [];
  let failFirst = 2;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/hang') return; // never answers: the timeout must fire
      if (failFirst-- > 0) {
        res.writeHead(503).end();
        return;
      }
      received.push({ type: req.headers['content-type'], auth: req.headers.authorization, body: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const lines: string[] = [];
  const spyLog = createLogger('test', 'warn', { write: (l: string) => lines.push(l) } as never);
  const sleeps: number[] = [];
  const sleep = async (ms: number) => void sleeps.push(ms);
  try {
    const ok = new WebhookSender({ url: `http://user:s3cret@127.0.0.1:${port}/hook?token=abc`, timeoutMs: 2000, retryBackoffMs: [10, 20, 30], maxQueue: 10, log: spyLog, sleep });
    ok.send({ event: 'alert', alert, cameraName: 'Ngã tư', link: 'https://wall.example/?mode=review&cams=demo-1&at=20261207-140305', linkPath: '/?mode=review&cams=demo-1&at=20261207-140305' });
    await ok.idle();
    assert.deepEqual(ok.stats, { delivered: 1, failed: 0, dropped: 0 });
    assert.deepEqual(sleeps, [10, 20]);
    assert.equal((received[0] as { type: string }).type, 'application/json');
    assert.equal((received[0] as { auth: string }).auth, `Basic ${Buffer.from('user:s3cret').toString('base64')}`);
    assert.deepEqual((received[0] as { body: unknown }).body, { event: 'alert', alert, cameraName: 'Ngã tư', link: 'https://wall.example/?mode=review&cams=demo-1&at=20261207-140305', linkPath: '/?mode=review&cams=demo-1&at=20261207-140305' });

    const hang = new WebhookSender({ url: `http://127.0.0.1:${port}/hang`, timeoutMs: 200, retryBackoffMs: [5], maxQueue: 10, log: spyLog, sleep });
    const t0 = Date.now();
    hang.send({ event: 'alert', alert, cameraName: 'x', link: null, linkPath: '/' });
    assert.ok(Date.now() - t0 < 50, 'send never blocks');
    await hang.idle();
    assert.deepEqual(hang.stats, { delivered: 0, failed: 1, dropped: 0 });
    const text = lines.join('\n');
    assert.match(text, /timeout/);
    assert.doesNotMatch(text, /s3cret|token=abc|\/hook/);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
