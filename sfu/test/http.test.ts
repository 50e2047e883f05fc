import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeJoin } from '../src/http/static-files.js';
import { demoCameraArgs, demoFilterGraph, escapeDrawtext } from '@wardwall/endpoint/demo';

test('static files never escape the client folder', () => {
  const root = '/srv/client/dist';
  assert.equal(safeJoin(root, '/index.html'), '/srv/client/dist/index.html');
  assert.equal(safeJoin(root, '/assets/a.js'), '/srv/client/dist/assets/a.js');
  for (const bad of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc/passwd', '/a/%00.js', '/%E0%A4%A']) {
    const got = safeJoin(root, bad);
    assert.ok(got === null || got.startsWith(root + '/'), `${bad} -> ${got}`);
  }
});

test('demo camera: name and time burned in, strip stamped with the wall clock, one slice per frame, sub stream', () => {
  const spec = { id: 'demo-1', name: "Ngã tư: Lê Lợi's 100%", index: 0, width: 640, height: 360, fps: 25, gopFrames: 25, bitrateKbps: 1000, mainUrl: 'rtsp://127.0.0.1:1/live/demo-1', subUrl: 'rtsp://127.0.0.1:1/live/demo-1-sub', fontFile: '/f.ttf' };
  const g = demoFilterGraph(spec);
  assert.match(g, /realtime/);
  assert.match(g, /setpts=RTCTIME/);
  assert.match(g, /geq=lum=/);
  assert.match(g, /localtime/);
  assert.ok(g.includes(escapeDrawtext(spec.name)));
  const args = demoCameraArgs(spec).join(' ');
  assert.match(args, /sliced-threads=0/);
  assert.match(args, /-bf 0/);
  assert.match(args, /-g 25/);
  assert.equal(args.split('-f rtsp').length - 1, 2, 'main and sub published');
  assert.ok(!demoCameraArgs({ ...spec, subUrl: undefined } as never).join(' ').includes('demo-1-sub'));
});
