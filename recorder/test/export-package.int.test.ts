/**
 * Evidence packages from a real recorder over synthetic recorded footage (real fMP4 segments made
 * by ffmpeg, indexed by the store): ZIP and tar forms open with `unzip -t`, Python's zipfile and
 * `tar`; the manifest is signed with the station key (created 0600 at first start, the same after a
 * restart, served at /api/station-key); the package carries verify.html; the recorder's own
 * streamed check passes, and fails on a flipped byte in the stored package.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, readSync, readdirSync, statSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRecorder } from '../src/app.js';
import { STATION_KEY_FILE } from '../src/playback/export-sign.js';
import { getJson, log, tempDir, testConfig, waitFor } from '@wardwall/testing/recorder';
import { linkSegments, makeSegment } from '@wardwall/testing/synthetic-footage';

const run = promisify(execFile);

test('export packages: ZIP and tar, signed manifest, offline verifier inside, server-side check', { timeout: 180_000 }, async (t) => {
  const dir = tempDir();
  const dataDir = join(dir.path, 'store');
  const config = await testConfig({ cameras: 2, dataDir });
  const seg = join(dir.path, 'seg.mp4');
  await makeSegment(seg, { seconds: 4, width: 320, height: 180, noise: false });
  const start = Math.floor((Date.now() - 3600_000) / 1000) * 1000;
  mkdirSync(dataDir, { recursive: true });
  const w1 = linkSegments(dataDir, seg, 'demo-1', start, 5, 4);
  linkSegments(dataDir, seg, 'demo-2', start, 5, 4);
  let rec = await startRecorder(config, { log, cameras: [], port: 0 });
  t.after(async () => {
    await rec.close();
    dir.remove();
  });
  let base = `http://127.0.0.1:${rec.port}`;

  const keyPath = join(rec.store.root, STATION_KEY_FILE);
  assert.equal(statSync(keyPath).mode & 0o777, 0o600, 'the private key is readable by the owner only');
  const key = (await getJson(`${base}/api/station-key`)).body;
  assert.equal(key.algorithm, 'Ed25519');
  assert.match(key.fingerprint, /^[0-9a-f]{64}$/);
  assert.equal(key.fingerprintText.replace(/ /g, '').toLowerCase(), key.fingerprint);
  assert.ok(!JSON.stringify(key).includes('PRIVATE'), 'no private key material is served');

  const exportOf = async (format: 'zip' | 'tar' | undefined) => {
    const body = { cameras: ['demo-1', 'demo-2'], from: w1.from + 1000, to: w1.to - 1000, exportedBy: 'Thượng úy E2E', ...(format ? { format } : {}) };
    const post = await getJson(`${base}/api/exports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(post.status, 202, JSON.stringify(post.body));
    const job = await waitFor('export done', async () => {
      const j = (await getJson(`${base}/api/exports/${post.body.id}`)).body;
      return j.state === 'done' || j.state === 'failed' ? j : null;
    }, 60_000, 200);
    assert.equal(job.state, 'done', job.error);
    return job as { id: string; bytes: number };
  };

  const zipJob = await exportOf('zip');
  const zipPath = join(dir.path, 'p.zip');
  await t.test('ZIP: downloads as application/zip and opens with unzip and Python', async () => {
    const dl = await fetch(`${base}/api/exports/${zipJob.id}/download`);
    assert.equal(dl.status, 200);
    assert.equal(dl.headers.get('content-type'), 'application/zip');
    assert.match(dl.headers.get('content-disposition') ?? '', new RegExp(`filename="export-${zipJob.id}\\.zip"`));
    const bytes = Buffer.from(await dl.arrayBuffer());
    assert.equal(bytes.length, zipJob.bytes);
    (await import('node:fs')).writeFileSync(zipPath, bytes);
    const test = await run('unzip', ['-t', zipPath]);
    assert.match(test.stdout, /No errors detected/);
    const py = await run('python3', ['-c', 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint("\\n".join(i.filename + " " + str(i.compress_type) for i in z.infolist()))', zipPath]);
    const names = py.stdout.trim().split('\n');
    assert.deepEqual(names, ['manifest.json 0', 'manifest.sig 0', 'verify.html 0', 'demo-1.mp4 0', 'demo-2.mp4 0'], 'stored (no compression), manifest first');
    const out = join(dir.path, 'unz');
    await run('unzip', ['-q', zipPath, '-d', out]);
    const manifestBytes = readFileSync(join(out, 'manifest.json'));
    const manifest = JSON.parse(manifestBytes.toString());
    const sig = JSON.parse(readFileSync(join(out, 'manifest.sig'), 'utf8'));
    assert.equal(manifest.station.keyFingerprint, key.fingerprint);
    assert.equal(manifest.package.format, 'zip');
    assert.equal(sig.keyFingerprint, key.fingerprint);
    const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(sig.publicKey, 'base64').toString('base64url') }, format: 'jwk' });
    assert.equal(verify(null, manifestBytes, pub, Buffer.from(sig.signature, 'base64')), true, 'the signature is over the exact bytes of manifest.json');
    const edited = Buffer.from(manifestBytes.toString().replace('Thượng úy E2E', 'Thượng úy X'));
    assert.equal(verify(null, edited, pub, Buffer.from(sig.signature, 'base64')), false);
    assert.match(readFileSync(join(out, 'verify.html'), 'utf8'), /Content-Security-Policy[^>]+connect-src 'none'/);
    assert.deepEqual(manifest.tools.map((x: { file: string }) => x.file), ['verify.html']);
  });

  await t.test('server-side check: ok, then a flipped byte in the stored package is found', async () => {
    const v = (await getJson(`${base}/api/exports/${zipJob.id}/verify`)).body;
    assert.equal(v.ok, true, JSON.stringify(v));
    assert.equal(v.signature.state, 'valid');
    assert.equal(v.signature.matchesStation, true);
    assert.deepEqual(v.files.map((f: { file: string; verdict: string }) => `${f.file}:${f.verdict}`).sort(), ['demo-1.mp4:ok', 'demo-2.mp4:ok', 'verify.html:ok']);
    const stored = join(rec.store.root, '.exports', `${zipJob.id}.zip`);
    const size = statSync(stored).size;
    const fd = openSync(stored, 'r+');
    const at = Math.floor(size * 0.7);
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    writeSync(fd, Buffer.from([b[0]! ^ 0x01]), 0, 1, at);
    closeSync(fd);
    const bad = (await getJson(`${base}/api/exports/${zipJob.id}/verify`)).body;
    assert.equal(bad.ok, false);
    assert.ok(bad.files.some((f: { verdict: string }) => f.verdict === 'hash_mismatch'), JSON.stringify(bad.files));
  });

  await t.test('tar stays the default and carries the same files', async () => {
    const job = await exportOf(undefined);
    const dl = await fetch(`${base}/api/exports/${job.id}/download`);
    assert.equal(dl.headers.get('content-type'), 'application/x-tar');
    const p = join(dir.path, 'p.tar');
    (await import('node:fs')).writeFileSync(p, Buffer.from(await dl.arrayBuffer()));
    const list = (await run('tar', ['-tf', p])).stdout.trim().split('\n');
    assert.deepEqual(list, ['manifest.json', 'manifest.sig', 'verify.html', 'demo-1.mp4', 'demo-2.mp4']);
    const v = (await getJson(`${base}/api/exports/${job.id}/verify`)).body;
    assert.equal(v.ok, true, JSON.stringify(v));
  });

  await t.test('bad format refused; the key survives a restart', async () => {
    const r = await getJson(`${base}/api/exports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cameras: ['demo-1'], from: w1.from, to: w1.to, exportedBy: 'x', format: 'rar' }) });
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'BAD_REQUEST');
    await rec.close();
    rec = await startRecorder(config, { log, cameras: [], port: 0 });
    base = `http://127.0.0.1:${rec.port}`;
    assert.equal((await getJson(`${base}/api/station-key`)).body.fingerprint, key.fingerprint);
    assert.ok(readdirSync(rec.store.root).includes(STATION_KEY_FILE));
  });
});
