import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { disableList, janusConfigFiles, jcfgString, type JanusConfigOptions } from '../janus-config.js';

const opts = (over: Partial<JanusConfigOptions> = {}): JanusConfigOptions => ({
  configDir: '/tmp/j',
  pluginsDir: '/lib/janus/plugins',
  transportsDir: '/lib/janus/transports',
  eventsDir: '/lib/janus/events',
  loggersDir: '/lib/janus/loggers',
  files: {
    plugins: ['libjanus_streaming.so', 'libjanus_streaming.so.1', 'libjanus_echotest.so', 'libjanus_videoroom.so', 'libjanus_videoroom.so.1.1.2'],
    transports: ['libjanus_http.so', 'libjanus_websockets.so', 'libjanus_pfunix.so'],
    events: ['libjanus_sampleevh.so'],
    loggers: ['libjanus_jsonlog.so'],
  },
  httpPort: 40123,
  apiSecret: 'api-secret-0123456789',
  adminSecret: 'admin-secret-0123456789',
  streamingAdminKey: 'streaming-key-0123456789',
  mountpoint: { id: 1, rtpPort: 40500 },
  ...over,
});

test('jcfgString quotes and escapes, and refuses control characters', () => {
  assert.equal(jcfgString('a"b\\c'), '"a\\"b\\\\c"');
  assert.throws(() => jcfgString('a\nb'), /control character/);
});

test('disableList names every shared object but the kept ones, ignoring versioned links', () => {
  assert.equal(disableList(['libb.so', 'liba.so', 'liba.so.1', 'libk.so'], ['libk.so']), 'liba.so,libb.so');
  assert.equal(disableList(['libk.so'], ['libk.so']), '');
});

test('janus.jcfg: the streaming plugin and the HTTP transport alone, secrets set', () => {
  const f = janusConfigFiles(opts())['janus.jcfg']!;
  assert.match(f, /plugins: \{\n {2}disable = "libjanus_echotest.so,libjanus_videoroom.so"\n\}/);
  assert.match(f, /transports: \{\n {2}disable = "libjanus_pfunix.so,libjanus_websockets.so"\n\}/);
  assert.match(f, /loggers: \{\n {2}disable = "libjanus_jsonlog.so"\n\}/);
  assert.match(f, /disable = "libjanus_sampleevh.so"/);
  assert.match(f, /api_secret = "api-secret-0123456789"/);
  assert.match(f, /admin_secret = "admin-secret-0123456789"/);
  assert.match(f, /configs_folder = "\/tmp\/j"/);
});

test('the HTTP transport binds 127.0.0.1 on the given port, without HTTPS or the admin API', () => {
  const f = janusConfigFiles(opts())['janus.transport.http.jcfg']!;
  assert.match(f, /ip = "127.0.0.1"/);
  assert.match(f, /port = 40123/);
  assert.match(f, /https = false/);
  assert.match(f, /admin_http = false/);
  assert.match(f, /admin_https = false/);
});

test('the mountpoint is an H.264 RTP one on 127.0.0.1 (not RTSP), the plugin API locked by an admin key', () => {
  const f = janusConfigFiles(opts())['janus.plugin.streaming.jcfg']!;
  assert.match(f, /type = "rtp"/);
  assert.match(f, /videoport = 40500/);
  assert.match(f, /videoiface = "127.0.0.1"/);
  assert.match(f, /videocodec = "h264"/);
  assert.match(f, /videopt = 96/);
  assert.doesNotMatch(f, /rtsp/);
  assert.match(f, /admin_key = "streaming-key-0123456789"/);
});

test('bad options are refused', () => {
  assert.throws(() => janusConfigFiles(opts({ mountpoint: { id: 1, rtpPort: 70000 } })), /bad rtpPort/);
  assert.throws(() => janusConfigFiles(opts({ apiSecret: 'short' })), /apiSecret is too short/);
  assert.throws(() => janusConfigFiles(opts({ httpPort: 0 })), /bad httpPort/);
});
