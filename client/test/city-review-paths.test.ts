/** Review of ward cameras at a city centre (docs/city.md, "Recordings through the centre"): where their recordings are, which are offered. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REMOTE_CAMERA_ID } from '@wardwall/common';
import { cityReviewCameras, recordingsPath, RecorderApi } from '../src/services/recorder-api.js';
import { exportGroups } from '../src/components/ww-review/export-groups.js';
import { REMOTE_CAMERA_ID_PATTERN } from '../src/core/ids.js';
import { buildUrlSearch, parseUrlState } from '../src/core/url-state.js';

test("recordingsPath: the station's own cameras and a ward's through the centre", () => {
  assert.equal(recordingsPath('demo-1'), '/api/recordings/demo-1');
  assert.equal(recordingsPath('w1/gate-1'), '/api/city/w1/recordings/gate-1');
  assert.equal(recordingsPath('../x'), '/api/recordings/..%2Fx', 'not a ward camera: encoded as one path part');
});

test('the API builds ward URLs: playlist and thumbnail under the centre', () => {
  const api = new RecorderApi('', (() => Promise.reject(new Error('no network'))) as typeof fetch);
  assert.equal(api.playlistUrl('w2/cam-3', 1000, 2000), '/api/city/w2/recordings/cam-3/playlist.m3u8?from=1000&to=2000');
  assert.equal(api.thumbnailUrl('w2/cam-3', 1499), '/api/city/w2/recordings/cam-3/thumbnail?at=1000');
});

test("exports at a ward go through the centre: create, progress, check, download, the ward's key", async () => {
  const asked: { url: string; method: string; body: string | null }[] = [];
  const fake = (async (url: string, init?: RequestInit) => {
    asked.push({ url, method: init?.method ?? 'GET', body: typeof init?.body === 'string' ? init.body : null });
    const body = url.endsWith('/station-key') ? { fingerprint: 'a'.repeat(64), publicKey: 'k' } : url.endsWith('/verify') ? { ok: true, files: [], signature: { state: 'valid' } } : { id: 'e-1', state: 'queued' };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const ward = new RecorderApi('', fake).forWard('w1');
  await ward.createExport({ cameras: ['gate-1'], from: 1000, to: 2000, exportedBy: 'x' });
  await ward.exportStatus('e-1');
  await ward.verifyOnServer('e-1');
  await ward.stationKey();
  assert.deepEqual(asked.map((a) => `${a.method} ${a.url}`), ['POST /api/city/w1/exports', 'GET /api/city/w1/exports/e-1', 'GET /api/city/w1/exports/e-1/verify', 'GET /api/city/w1/station-key']);
  assert.deepEqual(JSON.parse(asked[0]!.body!).cameras, ['gate-1'], "the ward's own camera ids");
  assert.equal(ward.downloadUrl('e-1'), '/api/city/w1/exports/e-1/download');
  const own = new RecorderApi('', fake);
  assert.equal(own.downloadUrl('e-1'), '/api/exports/e-1/download');
  await own.stationKey();
  assert.equal(asked.at(-1)!.url, '/api/recorder/station-key');
});

test('review export panels: the station\'s own cameras, then one per ward with its own camera ids', () => {
  const me = { id: '1', username: 'thu', displayName: 'Thu', role: 'operator' as const, system: [], cameras: { '*': ['playback' as const, 'export' as const], 'cam-2': ['playback' as const] }, lookbackDays: null };
  const wardCams = [
    { id: 'w1/gate-1', name: 'Phường 1 · Cổng 1', ward: { name: 'Phường 1', export: true } },
    { id: 'w1/gate-2', name: 'Phường 1 · Cổng 2', ward: { name: 'Phường 1', export: false } },
    { id: 'w2/cam-1', name: 'Phường 2 · Chợ', ward: { name: 'Phường 2', export: true } },
  ];
  const name = (id: string) => wardCams.find((c) => c.id === id)?.name ?? id.toUpperCase();
  assert.deepEqual(exportGroups(['cam-1', 'cam-2', 'w1/gate-1', 'w1/gate-2', 'w2/cam-1', 'w3/x'], me, wardCams, name), [
    { ward: null, wardName: null, cameras: [{ id: 'cam-1', name: 'CAM-1' }] },
    { ward: 'w1', wardName: 'Phường 1', cameras: [{ id: 'gate-1', name: 'Phường 1 · Cổng 1' }] },
    { ward: 'w2', wardName: 'Phường 2', cameras: [{ id: 'cam-1', name: 'Phường 2 · Chợ' }] },
  ]);
  assert.deepEqual(exportGroups(['w1/gate-2'], me, wardCams, name), [], 'no export right on the ward camera: no panel');
});

test('cityReviewCameras: only cameras with playback, named by ward', () => {
  const reply = {
    wards: [
      { ward: 'w1', name: 'Phường 1', cameras: [
        { remoteId: 'w1/gate-1', name: 'Cổng 1', rights: ['live', 'playback'] },
        { remoteId: 'w1/gate-3', name: 'Cổng 3', rights: ['playback', 'export'] },
        { remoteId: 'w1/gate-2', name: 'Cổng 2', rights: ['live'] },
        { remoteId: 'bad id', name: 'x', rights: ['playback'] },
      ] },
      { ward: 'w2', name: 'Phường 2', cameras: [{ remoteId: 'w2/cam-1', name: 'Chợ', rights: ['playback'] }] },
    ],
  };
  assert.deepEqual(cityReviewCameras(reply), [
    { id: 'w1/gate-1', name: 'Phường 1 · Cổng 1', ward: { name: 'Phường 1', export: false } },
    { id: 'w1/gate-3', name: 'Phường 1 · Cổng 3', ward: { name: 'Phường 1', export: true } },
    { id: 'w2/cam-1', name: 'Phường 2 · Chợ', ward: { name: 'Phường 2', export: false } },
  ]);
  assert.deepEqual(cityReviewCameras({}), []);
  assert.deepEqual(cityReviewCameras(null), []);
});

test('cityCameras: an SFU that is not a centre (404) offers none', async () => {
  const api = new RecorderApi('', (async () => new Response(JSON.stringify({ code: 'NOT_FOUND', message: 'no' }), { status: 404, headers: { 'content-type': 'application/json' } })) as typeof fetch);
  assert.deepEqual(await api.cityCameras(), []);
});

test('review links carry ward cameras (w1/gate-1), as live links do at a centre', () => {
  assert.equal(REMOTE_CAMERA_ID_PATTERN.source, REMOTE_CAMERA_ID.source, "the client's copy equals common's");
  const search = buildUrlSearch({ mode: 'review', layout: null, cams: ['demo-1', 'w1/gate-1'], at: null, centre: null });
  assert.equal(search, '?mode=review&cams=demo-1,w1/gate-1');
  assert.deepEqual(parseUrlState(search).state?.cams, ['demo-1', 'w1/gate-1']);
  assert.deepEqual(parseUrlState('?mode=review&cams=w1/gate-1,../x').issues, ['BAD_CAMERA']);
  assert.deepEqual(parseUrlState('?mode=live&cams=w1/gate-1').issues, []);
  assert.deepEqual(parseUrlState('?mode=live&cams=w1/gate-1/x').issues, ['BAD_CAMERA']);
});
