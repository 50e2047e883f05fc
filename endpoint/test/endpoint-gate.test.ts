/** The embedded endpoint's gates, pure parts: RTSP parsing, transports, SDP, credentials, pull URLs, keys. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointPullUrl, targetsEndpoint } from '@wardwall/common';
import { basicCredentials, isPlausibleSdp, parseRtspRequest, parseTransport, renderTransport } from '../src/rtsp-gate.js';
import { splitStreamName } from '../src/rtmp-gate.js';
import { publishKey, readAuth, sameSecret } from '../src/endpoint-secret.js';
import { redactCredentials } from '@wardwall/common';
import { SDP } from './endpoint-fuzz.js';

const body = Buffer.alloc(0);

test('RTSP requests are parsed strictly', () => {
  const ok = parseRtspRequest('DESCRIBE rtsp://127.0.0.1:8554/live/demo-1 RTSP/1.0\r\nCSeq: 2\r\nAuthorization: Basic eDp5', body);
  assert.ok(ok.ok);
  if (ok.ok) {
    assert.equal(ok.request.path, 'live/demo-1');
    assert.equal(ok.request.control, null);
    assert.equal(ok.request.host, '127.0.0.1:8554');
    assert.equal(ok.request.headers.get('authorization'), 'Basic eDp5');
  }
  const setup = parseRtspRequest('SETUP rtsp://h/live/demo-1/trackID=2 RTSP/1.0\r\nCSeq: 3\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1', body);
  assert.ok(setup.ok && setup.request.control === 'trackID=2');
  const table: [string, number][] = [
    ['DESCRIBE rtsp://h/live/demo-1 RTSP/1.0', 400], // no CSeq
    ['DESCRIBE rtsp://h/live/demo-1 RTSP/1.0\r\nCSeq: x', 400],
    ['describe rtsp://h/live/demo-1 RTSP/1.0\r\nCSeq: 1', 400],
    ['DESCRIBE rtsp://h/live/demo-1 RTSP/2.0\r\nCSeq: 1', 400],
    ['DESCRIBE rtsp://h/live/demo-1 RTSP/1.0\r\nCSeq: 1\r\nno colon', 400],
    ['DESCRIBE rtsp://h/live/demo-1 RTSP/1.0\r\nCSeq: 1\r\nCSeq: 2', 400],
    ['DESCRIBE rtsp://h/live/demo-1?x=1 RTSP/1.0\r\nCSeq: 1', 400],
    ['DESCRIBE rtsp://u:p@h/live/demo-1 RTSP/1.0\r\nCSeq: 1', 400],
    ['DESCRIBE rtsp://h/file/x RTSP/1.0\r\nCSeq: 1', 404],
    ['DESCRIBE rtsp://h/live/../x RTSP/1.0\r\nCSeq: 1', 404],
    ['DESCRIBE rtsp://h/live/a%20b RTSP/1.0\r\nCSeq: 1', 404],
    ['DESCRIBE rtsp://h/live/demo-1/../../x RTSP/1.0\r\nCSeq: 1', 404],
    ['SETUP rtsp://h/live/demo-1/evil RTSP/1.0\r\nCSeq: 1', 404],
    ['GET /live/demo-1 HTTP/1.0\r\nCSeq: 1', 403],
  ];
  for (const [head, status] of table) {
    const r = parseRtspRequest(head, body);
    assert.ok(!r.ok && r.status === status, `${JSON.stringify(head)} → ${JSON.stringify(r)}`);
  }
  const many = ['OPTIONS * RTSP/1.0', 'CSeq: 1', ...Array.from({ length: 40 }, (_, i) => `X-${i}: y`)].join('\r\n');
  assert.ok(!parseRtspRequest(many, body).ok, 'too many headers');
});

test('transports: what the endpoint supports, rendered as the library reads it', () => {
  const table: [string | undefined, string | null][] = [
    ['RTP/AVP/TCP;unicast;interleaved=0-1', 'RTP/AVP/TCP;unicast;interleaved=0-1'],
    ['RTP/AVP/TCP;unicast;interleaved=0-1;mode=record', 'RTP/AVP/TCP;unicast;interleaved=0-1;mode=record'],
    ['RTP/AVP/TCP;unicast;interleaved=0-1;mode="RECORD"', 'RTP/AVP/TCP;unicast;interleaved=0-1;mode=record'],
    ['RTP/AVP/UDP;unicast;client_port=5000-5001;mode=record', 'RTP/AVP;unicast;client_port=5000-5001;mode=record'],
    ['RTP/AVP;unicast;client_port=5000-5001', 'RTP/AVP;unicast;client_port=5000-5001'],
    ['RTP/AVP/TCP;unicast;interleaved=0-1, RTP/AVP;unicast;client_port=1-2', 'RTP/AVP/TCP;unicast;interleaved=0-1'],
    ['garbage', null],
    [undefined, null],
    ['RTP/AVP;unicast', null],
    ['RTP/AVP/TCP;unicast;interleaved=99999-1', null],
    ['RTP/AVP/TCP;unicast;interleaved=0-1;mode=teardown', null],
    ['RTP/AVP/TCP;unicast;destination=10.0.0.1;interleaved=0-1', null],
    ['RTP/AVP/TCP;unicast;mode=record', null],
  ];
  for (const [input, want] of table) {
    const t = parseTransport(input);
    assert.equal(t ? renderTransport(t) : null, want, String(input));
  }
});

test('SDP bodies the library can take', () => {
  assert.ok(isPlausibleSdp(Buffer.from(SDP)));
  assert.ok(!isPlausibleSdp(Buffer.from('v=0\r\nm=video x\r\n')));
  assert.ok(!isPlausibleSdp(Buffer.from(SDP.replace('a=control:streamid=0\r\n', ''))), 'no control');
  assert.ok(!isPlausibleSdp(Buffer.from(SDP.replace('H264/90000', 'VP8/90000'))), 'not H.264');
  assert.ok(!isPlausibleSdp(Buffer.from(`${SDP}\x00`)));
  assert.ok(!isPlausibleSdp(Buffer.from('hello')));
});

test('credentials, keys and stream names', () => {
  assert.deepEqual(basicCredentials(`Basic ${Buffer.from('a:b:c').toString('base64')}`), { user: 'a', password: 'b:c' });
  assert.equal(basicCredentials('Digest username="a"'), null);
  assert.equal(basicCredentials(`Basic ${Buffer.from('nocolon').toString('base64')}`), null);
  assert.equal(basicCredentials(undefined), null);
  const secret = Buffer.alloc(32, 1);
  const other = Buffer.alloc(32, 2);
  assert.match(publishKey(secret, 'live/demo-1'), /^pk_[A-Za-z0-9_-]{43}$/);
  assert.notEqual(publishKey(secret, 'live/demo-1'), publishKey(secret, 'live/demo-2'), 'one key per path');
  assert.notEqual(publishKey(secret, 'live/demo-1'), publishKey(other, 'live/demo-1'), 'keys follow the secret');
  assert.notEqual(readAuth(secret).password, readAuth(other).password);
  assert.ok(!readAuth(secret).password.includes(publishKey(secret, 'live/demo-1').slice(3)));
  assert.ok(sameSecret('abc', 'abc') && !sameSecret('abc', 'abd') && !sameSecret('abc', 'abcd'));
  assert.equal(redactCredentials(`publish live/demo-1?key=${publishKey(secret, 'live/demo-1')}`), 'publish live/demo-1?key=pk_***');
  assert.deepEqual(splitStreamName('demo-1?key=pk_x&a=b') && [splitStreamName('demo-1?key=pk_x&a=b')!.name, splitStreamName('demo-1?key=pk_x&a=b')!.params.get('key')], ['demo-1', 'pk_x']);
  assert.equal(splitStreamName(42), null);
});

test('pull URLs: the embedded endpoint gets the read credentials, every other URL is left alone', () => {
  const ep = { host: '127.0.0.1', rtspPort: 8554 };
  const auth = { user: 'wardwall-pull', password: 'p/w:x@y' };
  const table: [string, string][] = [
    ['rtsp://127.0.0.1:8554/live/demo-1', 'rtsp://wardwall-pull:p%2Fw%3Ax%40y@127.0.0.1:8554/live/demo-1'],
    ['rtsp://localhost:8554/live/rs_x', 'rtsp://wardwall-pull:p%2Fw%3Ax%40y@localhost:8554/live/rs_x'],
    ['rtsp://viewer:pw@127.0.0.1:8554/live/demo-1', 'rtsp://wardwall-pull:p%2Fw%3Ax%40y@127.0.0.1:8554/live/demo-1'],
    ['rtsp://192.0.2.1:554/stream', 'rtsp://192.0.2.1:554/stream'],
    ['rtsp://127.0.0.1:9999/live/demo-1', 'rtsp://127.0.0.1:9999/live/demo-1'],
    ['rtmp://127.0.0.1:8554/live/demo-1', 'rtmp://127.0.0.1:8554/live/demo-1'],
    ['not a url', 'not a url'],
  ];
  for (const [input, want] of table) assert.equal(endpointPullUrl(input, ep, auth), want, input);
  assert.equal(endpointPullUrl('rtsp://127.0.0.1:8554/live/demo-1', ep, null), 'rtsp://127.0.0.1:8554/live/demo-1', 'no endpoint, no credentials');
  assert.ok(targetsEndpoint('rtsp://10.0.0.5:8554/live/x', { host: '10.0.0.5', rtspPort: 8554 }));
  assert.ok(!targetsEndpoint('rtsp://10.0.0.6:8554/live/x', { host: '10.0.0.5', rtspPort: 8554 }));
  // The credentials decode back to the secret (what rtspsrc and ffmpeg send).
  const u = new URL(endpointPullUrl('rtsp://127.0.0.1:8554/live/demo-1', ep, auth));
  assert.equal(decodeURIComponent(u.password), auth.password);
});
