// CentrePipes and WardPipes on real mediasoup routers in one process (loopback), the request/reply
// wired directly: leases and linger, one open for concurrent viewers, coded refusals, and nothing left
// behind on either router when an open fails. The cross-process, cross-namespace path is in
// city-pipe.int.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorker, type types } from 'mediasoup';
import { createLogger } from '@wardwall/server-kit';
import { CentrePipes, PipeLinkError, WardPipes, type PipeOpenRequest, type WardRequester } from '../src/city/pipe-link.js';
import { ROUTER_MEDIA_CODECS, ingestRtpParameters } from '../src/media/codecs.js';

const log = createLogger('test', 'error');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function transportsOn(router: types.Router): Promise<number> {
  return (await router.dump()).transportIds.length;
}

async function setup(t: import('node:test').TestContext) {
  // Two workers, as on two machines: a pipe producer keeps the ward producer's id, and ids are unique per worker.
  const wardWorker = await createWorker({ logLevel: 'warn', rtcMinPort: 42000, rtcMaxPort: 42499, disableLiburing: true });
  const centreWorker = await createWorker({ logLevel: 'warn', rtcMinPort: 42500, rtcMaxPort: 42999, disableLiburing: true });
  t.after(() => {
    wardWorker.close();
    centreWorker.close();
  });
  const wardRouter = await wardWorker.createRouter({ mediaCodecs: ROUTER_MEDIA_CODECS });
  const centreRouter = await centreWorker.createRouter({ mediaCodecs: ROUTER_MEDIA_CODECS });
  const ingest = await wardRouter.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
  const producer = await ingest.produce({ kind: 'video', rtpParameters: ingestRtpParameters(1111) });
  let offline = false;
  const ward = new WardPipes({
    listen: { ip: '127.0.0.1' },
    source: (id, stream) => (id === 'cam1' && stream === 'main' ? { router: wardRouter, producer: offline ? null : producer } : null),
    log,
  });
  const calls = { open: 0, close: 0 };
  const requester: WardRequester = {
    open: async (_w, req) => {
      calls.open++;
      try {
        return await ward.open(req);
      } catch (e) {
        return { error: (e as PipeLinkError).toBody() };
      }
    },
    close: async (_w, req) => {
      calls.close++;
      return ward.close(req);
    },
  };
  const centre = new CentrePipes({ router: centreRouter, listen: { ip: '127.0.0.1' }, requester, lingerMs: 300, requestTimeoutMs: 500, log });
  return { wardRouter, centreRouter, ingest, producer, ward, centre, calls, requester, setOffline: (v: boolean) => (offline = v) };
}

test('concurrent viewers share one pipe; the last to leave closes both halves after the linger', async (t) => {
  const s = await setup(t);
  const leases = await Promise.all(Array.from({ length: 5 }, () => s.centre.acquire('w1', 'cam1', 'main')));
  assert.equal(s.calls.open, 1, 'one open request for five viewers');
  assert.equal(new Set(leases.map((l) => l.pipeId)).size, 1);
  assert.equal(leases[0]!.producer.id, s.producer.id, 'the pipe producer keeps the ward producer id');
  assert.equal(leases[0]!.producer.appData.pipeId, leases[0]!.pipeId);
  assert.equal(s.centre.refs('w1', 'cam1', 'main'), 5);
  assert.equal(s.ward.size, 1);

  for (const l of leases.slice(1)) l.release();
  leases[1]!.release(); // a second release of the same lease counts once
  assert.equal(s.centre.refs('w1', 'cam1', 'main'), 1);
  leases[0]!.release();
  assert.equal(s.centre.size, 1, 'lingering');
  for (let i = 0; i < 50 && (s.centre.size > 0 || s.ward.size > 0); i++) await sleep(50);
  assert.equal(s.centre.size, 0);
  assert.equal(s.ward.size, 0);
  assert.equal(s.calls.close, 1);
  assert.equal(await transportsOn(s.centreRouter), 0);
  assert.equal(await transportsOn(s.wardRouter), 1, 'only the ingest transport is left at the ward');

  // A new viewer after the linger opens a new pipe.
  const again = await s.centre.acquire('w1', 'cam1', 'main');
  assert.notEqual(again.pipeId, leases[0]!.pipeId);
  assert.equal(s.calls.open, 2);
  await s.centre.closeAll();
  assert.equal(s.ward.size, 0);
});

test('refusals carry codes and leave no transport behind', async (t) => {
  const s = await setup(t);
  const code = (c: string) => (e: unknown) => e instanceof PipeLinkError && e.code === c;
  await assert.rejects(s.centre.acquire('w1', 'nope', 'main'), code('PIPE_UNKNOWN_CAMERA'));
  await assert.rejects(s.centre.acquire('w1', 'cam1', 'sub'), code('PIPE_UNKNOWN_CAMERA'));
  s.setOffline(true);
  await assert.rejects(s.centre.acquire('w1', 'cam1', 'main'), code('PIPE_CAMERA_OFFLINE'));
  s.setOffline(false);
  assert.equal(s.centre.size, 0);
  assert.equal(await transportsOn(s.centreRouter), 0);
  assert.equal(await transportsOn(s.wardRouter), 1);

  // Bad input at the ward.
  await assert.rejects(s.ward.open({ pipeId: 'x', cameraId: 'cam1', stream: 'main' }), code('PIPE_BAD_REQUEST'));
  await assert.rejects(s.ward.open('not an object'), code('PIPE_BAD_REQUEST'));
  await assert.rejects(s.ward.close({}), code('PIPE_BAD_REQUEST'));
  assert.deepEqual(await s.ward.close({ pipeId: 'unknown' }), { closed: false });

  // Bad, mismatched or missing replies at the centre.
  const centreWith = (open: WardRequester['open']) =>
    new CentrePipes({ router: s.centreRouter, listen: { ip: '127.0.0.1' }, requester: { open, close: async () => ({}) }, lingerMs: 100, requestTimeoutMs: 300, log });
  await assert.rejects(centreWith(async () => ({ hello: 1 })).acquire('w1', 'cam1', 'main'), code('PIPE_BAD_REQUEST'));
  await assert.rejects(
    centreWith(async (_w, req: PipeOpenRequest) => ({ ...(await s.ward.open(req)), pipeId: 'other' })).acquire('w1', 'cam1', 'main'),
    code('PIPE_BAD_REQUEST'),
  );
  await assert.rejects(centreWith(() => new Promise(() => undefined)).acquire('w1', 'cam1', 'main'), code('PIPE_TIMEOUT'));
  await assert.rejects(centreWith(async () => ({ error: { code: 'PIPE_CAMERA_OFFLINE', message: 'no' } })).acquire('w1', 'cam1', 'main'), code('PIPE_CAMERA_OFFLINE'));
  assert.equal(await transportsOn(s.centreRouter), 0, 'no half-open pipe at the centre');
});

test('the ward answers a retried open with the same pipe, and drops it when its camera producer goes', async (t) => {
  const s = await setup(t);
  const lease = await s.centre.acquire('w1', 'cam1', 'main');
  assert.equal(await transportsOn(s.centreRouter), 1);
  assert.equal(await transportsOn(s.wardRouter), 2, 'ingest + pipe at the ward');
  // The same request again (a control-plane retry): no second transport.
  const req = { pipeId: lease.pipeId, cameraId: 'cam1', stream: 'main', centre: { ip: '127.0.0.1', port: 9, srtpParameters: { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: 'x' } } };
  const reply = await s.ward.open(req);
  assert.equal(reply.pipeId, lease.pipeId);
  assert.equal(await transportsOn(s.wardRouter), 2);
  s.producer.close();
  for (let i = 0; i < 40 && s.ward.size > 0; i++) await sleep(25);
  assert.equal(s.ward.size, 0, 'the pipe went with the producer');
  assert.equal(await transportsOn(s.wardRouter), 1);
  lease.release();
  await s.centre.closeAll();
});
