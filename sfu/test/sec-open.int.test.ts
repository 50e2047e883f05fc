/**
 * The edges that do not depend on accounts (issue 12, item 7): with `auth.enabled: false` the SFU
 * and the recorder send no `Access-Control-Allow-Origin: *` and still refuse other sites' pages
 * (WebSocket upgrade, state-changing REST); the generated certificate is a server leaf, not a CA
 * (checked with `openssl x509 -text`), and an older CA certificate is replaced.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '@wardwall/common';
import { startTestSystem, wsClient, type TestSystem } from '@wardwall/testing/system';
import { loadTls } from '../src/http/tls.js';

let sys: TestSystem;
before(async () => {
  sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, recorder: true });
});
after(async () => {
  await sys?.close();
});

function rawUpgrade(port: number, origin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () =>
      s.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`),
    );
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (d) => {
      out += d;
      if (out.includes('\r\n\r\n')) s.destroy();
    });
    s.on('close', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
  });
}

test('access control off: no Access-Control-Allow-Origin anywhere; other sites cannot open the socket or change anything', async () => {
  assert.equal(sys.config.auth.enabled, false);
  const recorder = `http://127.0.0.1:${sys.config.recorder.port}`;
  for (const url of [`${sys.url}api/health`, `${sys.url}api/cameras`, `${recorder}/api/health`, `${recorder}/api/holds`]) {
    const r = await fetch(url, { headers: { Origin: 'http://evil.example' } });
    assert.equal(r.headers.get('access-control-allow-origin'), null, url);
  }
  const pre = await fetch(`${recorder}/api/exports`, { method: 'OPTIONS', headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } });
  assert.equal(pre.headers.get('access-control-allow-origin'), null);
  assert.match(await rawUpgrade(sys.sfu.port, 'http://evil.example'), /^HTTP\/1\.1 403/);
  assert.match(await rawUpgrade(sys.sfu.port, `http://127.0.0.1:${sys.sfu.port}`), /^HTTP\/1\.1 101/);
  (await wsClient(sys.url)).ws.close();
  const now = Date.now();
  for (const [base, path] of [[sys.url.slice(0, -1), '/api/holds'], [recorder, '/api/holds']] as const) {
    const r = await fetch(`${base}${path}`, { method: 'POST', headers: { Origin: 'http://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ camera: 'demo-1', from: now - 2000, to: now - 1000, reason: 'x', createdBy: 'x' }) });
    assert.equal(r.status, 403, `${base}${path}`);
    assert.equal(((await r.json()) as { code: string }).code, 'BAD_ORIGIN');
  }
  const same = await fetch(`${sys.url}api/holds`, { method: 'POST', headers: { Origin: `http://127.0.0.1:${sys.sfu.port}`, 'content-type': 'application/json' }, body: JSON.stringify({ camera: 'demo-1', from: now - 2000, to: now - 1000, reason: 'x', createdBy: 'x' }) });
  assert.equal(same.status, 201, await same.clone().text());
});

test('the self-signed certificate is not a CA (openssl x509 -text); an older CA certificate is made again', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardwall-tls-'));
  const config = resolveConfig({ sfu: { dataDir, tls: 'self-signed' } });
  const certFile = join(dataDir, 'tls', 'self-signed-cert.pem');
  // What an older version made: openssl's default -x509 certificate, a CA.
  mkdirSync(join(dataDir, 'tls'), { recursive: true });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=old', '-keyout', join(dataDir, 'tls', 'self-signed-key.pem'), '-out', certFile], { stdio: 'ignore' });
  assert.match(execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-text'], { encoding: 'utf8' }), /CA:TRUE/);
  const tls = loadTls(config)!;
  const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: tls.cert, encoding: 'utf8' });
  assert.match(text, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
  assert.match(text, /TLS Web Server Authentication/);
  assert.match(text, /DNS:localhost/);
  assert.doesNotMatch(text, /CA:TRUE/);
  assert.deepEqual(loadTls(config)!.cert, readFileSync(certFile), 'kept once it is right');
});
