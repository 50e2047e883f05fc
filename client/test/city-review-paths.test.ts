/** Review of ward cameras at a city centre (docs/city.md, "Recordings through the centre"): where their recordings are, which are offered. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REMOTE_CAMERA_ID } from '@wardwall/common';
import { cityReviewCameras, recordingsPath, RecorderApi } from '../src/services/recorder-api.js';
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

test('cityReviewCameras: only cameras with playback, named by ward', () => {
  const reply = {
    wards: [
      { ward: 'w1', name: 'Phường 1', cameras: [
        { remoteId: 'w1/gate-1', name: 'Cổng 1', rights: ['live', 'playback'] },
        { remoteId: 'w1/gate-2', name: 'Cổng 2', rights: ['live'] },
        { remoteId: 'bad id', name: 'x', rights: ['playback'] },
      ] },
      { ward: 'w2', name: 'Phường 2', cameras: [{ remoteId: 'w2/cam-1', name: 'Chợ', rights: ['playback'] }] },
    ],
  };
  assert.deepEqual(cityReviewCameras(reply), [
    { id: 'w1/gate-1', name: 'Phường 1 · Cổng 1' },
    { id: 'w2/cam-1', name: 'Phường 2 · Chợ' },
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
