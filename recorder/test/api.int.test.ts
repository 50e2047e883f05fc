/**
 * The HTTP API against a recorder recording a real demo camera: spans, playlist and media with
 * ranges, thumbnails (the frame at the instant: its burned-in clock is read back), holds, evidence
 * export (the package's files match the manifest hashes), CORS, and bad input of every kind, with no
 * file outside the store ever served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeStripFromRgba } from '@wardwall/common';
import { startRecorder } from '../src/app.js';
import { execFileP, getJson, log, probe, spans, startCameras, tempDir, testConfig, waitFor } from '@wardwall/testing/recorder';

const SECRET = 'TOP-SECRET-OUTSIDE-THE-STORE';

test('HTTP API: spans, playlist, media, thumbnails, holds, export, CORS and bad input', { timeout: 180_000 }, async (t) => {
  const dir = tempDir();
  writeFileSync(join(dir.path, 'secret.txt'), SECRET);
  const config = await testConfig({ cameras: 1, dataDir: join(dir.path, 'store'), segmentSeconds: 4 });
  const cams = await startCameras(config);
  const rec = await startRecorder(config, { log, backoffMs: [500, 1000], stallMs: 5000 });
  t.after(async () => {
    await rec.close();
    await cams.close();
    dir.remove();
  });
  const base = `http://127.0.0.1:${rec.port}`;
  const t0 = Date.now();
  await waitFor('10 s of footage', async () => (await spans(base, 'demo-1', t0 - 5000, Date.now())).recordedMs >= 10000, 40000, 500);
  const s = await spans(base, 'demo-1', t0 - 5000, Date.now());
  const span = s.spans[0]!;
  const iso = (ms: number) => new Date(ms).toISOString();

  await t.test('spans accept ISO times with a zone', async () => {
    const r = await getJson(`${base}/api/recordings/demo-1/spans?from=${encodeURIComponent(iso(span.startMs))}&to=${encodeURIComponent(new Date(span.endMs + 7 * 3600000).toISOString().replace('Z', '+07:00'))}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.spans.length, 1);
  });

  await t.test('playlist and media with byte ranges', async () => {
    const r = await fetch(`${base}/api/recordings/demo-1/playlist.m3u8?from=${span.startMs + 1000}&to=${span.startMs + 6000}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), null, 'same-origin only (through the SFU)');
    const text = await r.text();
    assert.match(text, /^#EXTM3U/);
    const m = /#EXT-X-BYTERANGE:(\d+)@(\d+)\n(media\/(\d+)\.mp4)/.exec(text)!;
    const [len, off] = [Number(m[1]), Number(m[2])];
    const part = await fetch(`${base}/api/recordings/demo-1/${m[3]}`, { headers: { Range: `bytes=${off}-${off + len - 1}` } });
    assert.equal(part.status, 206);
    const body = Buffer.from(await part.arrayBuffer());
    assert.equal(body.length, len);
    assert.equal(body.toString('latin1', 4, 8), 'moof', 'a range starts at a fragment');
    const row = rec.store.db.segment(Number(m[4]))!;
    assert.deepEqual(body, readFileSync(join(rec.store.root, row.path)).subarray(off, off + len));
  });

  await t.test('thumbnail: a small JPEG of the frame at that instant, cached', async () => {
    const at = span.startMs + 5300;
    const r = await fetch(`${base}/api/recordings/demo-1/thumbnail?at=${at}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/jpeg');
    const jpeg = Buffer.from(await r.arrayBuffer());
    const file = join(dir.path, 'thumb.jpg');
    writeFileSync(file, jpeg);
    const { stdout } = await execFileP('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgba', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 22 });
    const height = stdout.length / 4 / 160;
    assert.equal(height, 90, '160 px wide (640x360 scaled)');
    const shown = decodeStripFromRgba(stdout, 160, height, Date.now());
    assert.ok(shown !== null, 'the burned-in clock is readable');
    // Snapped to the keyframe at or before the instant (one picture per GOP, cached by camera + keyframe).
    const keyframeAt = Number(r.headers.get('x-keyframe-at'));
    assert.ok(keyframeAt <= at && at - keyframeAt < 2100, `keyframe ${at - keyframeAt} ms before the instant`);
    assert.ok(Math.abs(shown - keyframeAt) < 150, `the keyframe's picture: burned-in ${shown - keyframeAt} ms off`);
    const t1 = Date.now();
    const again = Buffer.from(await (await fetch(`${base}/api/recordings/demo-1/thumbnail?at=${at}`)).arrayBuffer());
    assert.deepEqual(again, jpeg);
    assert.ok(Date.now() - t1 < 100, 'served from the cache');
    const none = await getJson(`${base}/api/recordings/demo-1/thumbnail?at=${t0 - 3600000}`);
    assert.deepEqual([none.status, none.body.code], [404, 'NO_RECORDING']);
  });

  await t.test('holds: add, list, release', async () => {
    const add = await getJson(`${base}/api/holds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ camera: 'demo-1', from: span.startMs, to: span.startMs + 2000, reason: 'vụ trộm chùa', createdBy: 'Đại úy B' }) });
    assert.equal(add.status, 201);
    const list = await getJson(`${base}/api/holds?camera=demo-1`);
    assert.ok(list.body.holds.some((h: { id: number; reason: string }) => h.id === add.body.id && h.reason === 'vụ trộm chùa'));
    assert.equal((await getJson(`${base}/api/holds/${add.body.id}`, { method: 'DELETE' })).status, 200);
    const again = await getJson(`${base}/api/holds/${add.body.id}`, { method: 'DELETE' });
    assert.deepEqual([again.status, again.body.code], [404, 'NOT_FOUND']);
  });

  await t.test('export: package files match the manifest, the range stays held', async () => {
    const from = span.startMs + 1500;
    const to = span.startMs + 8500;
    const post = await getJson(`${base}/api/exports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cameras: ['demo-1'], from: iso(from), to, exportedBy: 'Thượng úy Nguyễn Văn A' }) });
    assert.equal(post.status, 202);
    const id = post.body.id as string;
    const early = await getJson(`${base}/api/exports/${id}/download`);
    if (early.status !== 200) assert.equal(early.body.code, 'EXPORT_NOT_READY');
    const job = await waitFor('export done', async () => {
      const j = (await getJson(`${base}/api/exports/${id}`)).body;
      assert.ok(j.progress >= 0 && j.progress <= 1);
      assert.notEqual(j.state, 'failed', j.error);
      return j.state === 'done' ? j : null;
    }, 60000, 250);
    assert.equal(job.progress, 1);
    const dl = await fetch(`${base}/api/exports/${id}/download`);
    assert.equal(dl.status, 200);
    assert.match(dl.headers.get('content-disposition') ?? '', /attachment; filename="export-.+\.tar"/);
    const out = join(dir.path, 'unpacked');
    mkdirSync(out);
    writeFileSync(join(dir.path, 'pkg.tar'), Buffer.from(await dl.arrayBuffer()));
    await execFileP('tar', ['-xf', join(dir.path, 'pkg.tar'), '-C', out]);
    assert.deepEqual(readdirSync(out).sort(), ['demo-1.mp4', 'manifest.json', 'manifest.sig', 'verify.html']);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.exportedBy, 'Thượng úy Nguyễn Văn A');
    assert.match(manifest.exportedAt.hoChiMinh, /\+07:00$/);
    assert.match(manifest.exportedAt.utc, /Z$/);
    const f = manifest.files[0];
    assert.equal(f.camera, 'demo-1');
    assert.equal(f.sha256, createHash('sha256').update(readFileSync(join(out, 'demo-1.mp4'))).digest('hex'));
    assert.ok(f.start.ms <= from && f.start.ms > from - 1100, 'starts at the keyframe at or before "from"');
    assert.ok(Math.abs(f.end.ms - to) < 50);
    const p = await probe(join(out, 'demo-1.mp4'));
    assert.ok(Math.abs(p.duration - (f.end.ms - f.start.ms) / 1000) < 0.3, `MP4 duration ${p.duration}`);
    assert.ok(p.frames >= (p.duration - 0.3) * 25);
    const holds = (await getJson(`${base}/api/holds?camera=demo-1`)).body.holds;
    assert.ok(holds.some((h: { reason: string; startMs: number; endMs: number }) => h.reason === `export ${id}` && h.startMs === from && h.endMs === to), 'the export holds its range');
  });

  await t.test('no cross-origin access, also without access control; other sites cannot change anything', async () => {
    const r = await fetch(`${base}/api/exports`, { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:8080', 'Access-Control-Request-Method': 'POST' } });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    assert.equal((await fetch(`${base}/api/health`, { headers: { Origin: 'http://evil.example' } })).headers.get('access-control-allow-origin'), null);
    const now = Date.now();
    const cross = await fetch(`${base}/api/holds`, { method: 'POST', headers: { Origin: 'http://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ camera: 'demo-1', from: now - 1000, to: now, reason: 'r', createdBy: 'u' }) });
    assert.equal(cross.status, 403);
    assert.equal(((await cross.json()) as { code: string }).code, 'BAD_ORIGIN');
  });

  await t.test('bad input: 4xx with a code, never a file outside the store', async () => {
    // Index rows that point out of the store: by traversal and through a symbolic link.
    const evil1 = rec.store.db.insertSegment({ camera: 'demo-1', startMs: t0 - 7200000, endMs: t0 - 7190000, bytes: 10, path: '../secret.txt', open: false });
    symlinkSync(join(dir.path, 'secret.txt'), join(rec.store.root, 'demo-1', 'evil.mp4'));
    const evil2 = rec.store.db.insertSegment({ camera: 'demo-1', startMs: t0 - 7100000, endMs: t0 - 7090000, bytes: 10, path: 'demo-1/evil.mp4', open: false });
    const now = Date.now();
    const w = `from=${now - 60000}&to=${now}`;
    const uuid = '00000000-0000-4000-8000-000000000000';
    const cases: [string, string, number, string, unknown?][] = [
      ['GET', `/api/recordings/nope/spans?${w}`, 404, 'UNKNOWN_CAMERA'],
      ['GET', `/api/recordings/..%2F..%2Fetc/spans?${w}`, 400, 'BAD_REQUEST'],
      ['GET', `/api/recordings/%2e%2e/playlist.m3u8?${w}`, 404, 'NOT_FOUND'], // the URL parser resolves %2e%2e: no route
      ['GET', `/api/recordings/demo-1%00/spans?${w}`, 400, 'BAD_REQUEST'],
      ['GET', `/api/recordings/demo-1%2F..%2F..%2Fsecret.txt/spans?${w}`, 400, 'BAD_REQUEST'],
      ['GET', `/api/recordings/%E0%A4%A/spans?${w}`, 400, 'BAD_REQUEST'],
      ['GET', `/api/recordings/demo-1/spans?from=${now}&to=${now - 1000}`, 400, 'BAD_TIME_RANGE'],
      ['GET', `/api/recordings/demo-1/spans?from=0&to=${now}`, 400, 'BAD_TIME_RANGE'],
      ['GET', `/api/recordings/demo-1/spans?from=${now - 40 * 86400000}&to=${now}`, 400, 'BAD_TIME_RANGE'],
      ['GET', `/api/recordings/demo-1/spans?from=${now + 10 * 86400000}&to=${now + 11 * 86400000}`, 400, 'BAD_TIME_RANGE'],
      ['GET', `/api/recordings/demo-1/spans?from=..%2F..%2Fsecret.txt&to=${now}`, 400, 'BAD_TIME_RANGE'],
      ['GET', `/api/recordings/demo-1/spans?from=99999999999999999999&to=${now}`, 400, 'BAD_TIME_RANGE'],
      ['GET', `/api/recordings/demo-1/spans?from=2025-01-01T00:00:00&to=${now}`, 400, 'BAD_TIME_RANGE'],
      ['GET', `/api/recordings/demo-1/spans?${w}&from=${now}`, 400, 'BAD_REQUEST'],
      ['GET', `/api/recordings/demo-1/spans?${w}&path=../secret.txt`, 400, 'BAD_REQUEST'],
      ['GET', `/api/recordings/demo-1/spans`, 400, 'BAD_REQUEST'],
      ['GET', `/api/recordings/demo-1/playlist.m3u8?from=${now - 2 * 86400000}&to=${now}`, 400, 'BAD_TIME_RANGE'],
      ['GET', `/api/recordings/demo-1/playlist.m3u8?from=${t0 - 3 * 3600000}&to=${t0 - 2.9 * 3600000}`, 404, 'NO_RECORDING'],
      ['GET', `/api/recordings/demo-1/media/..%2F..%2Fsecret.txt.mp4`, 400, 'BAD_REQUEST'],
      ['GET', `/api/recordings/demo-1/media/..%2Findex.sqlite%00.mp4`, 400, 'BAD_REQUEST'],
      ['GET', `/api/recordings/demo-1/media/1.mp4?path=../secret.txt`, 400, 'BAD_REQUEST'],
      ['GET', `/api/recordings/demo-1/media/99999.mp4`, 404, 'NOT_FOUND'],
      ['GET', `/api/recordings/demo-1/media/${evil1}.mp4`, 404, 'NOT_FOUND'],
      ['GET', `/api/recordings/demo-1/media/${evil2}.mp4`, 404, 'NOT_FOUND'],
      ['GET', `/api/recordings/demo-1/thumbnail?at=${t0 - 7195000}`, 404, 'NOT_FOUND'],
      ['GET', `/api/recordings/demo-1/thumbnail?at=..%2F..%2Fsecret.txt`, 400, 'BAD_TIME_RANGE'],
      ['GET', `/api/recordings/demo-1/thumbnail`, 400, 'BAD_REQUEST'],
      ['GET', `/api/recordings/nope/thumbnail?at=${now}`, 404, 'UNKNOWN_CAMERA'],
      ['GET', `/api/exports/..%2F..%2Fsecret.txt`, 400, 'BAD_REQUEST'],
      ['GET', `/api/exports/..%2F..%2Fsecret.txt/download`, 400, 'BAD_REQUEST'],
      ['GET', `/api/exports/${uuid}`, 404, 'NOT_FOUND'],
      ['GET', `/api/exports/${uuid}/download`, 404, 'NOT_FOUND'],
      ['GET', `/api/holds?camera=..%2Fx`, 400, 'BAD_REQUEST'],
      ['DELETE', `/api/holds/..%2F1`, 400, 'BAD_REQUEST'],
      ['DELETE', `/api/holds/999999`, 404, 'NOT_FOUND'],
      ['POST', `/api/holds`, 400, 'BAD_REQUEST', 'not json'],
      ['POST', `/api/holds`, 400, 'BAD_REQUEST', { camera: '../x', from: now - 1000, to: now, reason: 'r', createdBy: 'u' }],
      ['POST', `/api/holds`, 404, 'UNKNOWN_CAMERA', { camera: 'nope', from: now - 1000, to: now, reason: 'r', createdBy: 'u' }],
      ['POST', `/api/holds`, 400, 'BAD_TIME_RANGE', { camera: 'demo-1', from: now, to: now - 1000, reason: 'r', createdBy: 'u' }],
      ['POST', `/api/holds`, 400, 'BAD_REQUEST', { camera: 'demo-1', from: now - 1000, to: now, reason: 'r' }],
      ['POST', `/api/holds`, 413, 'MESSAGE_TOO_LARGE', { reason: 'x'.repeat(70000) }],
      ['POST', `/api/exports`, 400, 'BAD_REQUEST', { cameras: ['../../secret.txt'], from: now - 1000, to: now, exportedBy: 'u' }],
      ['POST', `/api/exports`, 404, 'UNKNOWN_CAMERA', { cameras: ['nope'], from: now - 1000, to: now, exportedBy: 'u' }],
      ['POST', `/api/exports`, 400, 'BAD_TIME_RANGE', { cameras: ['demo-1'], from: now, to: now - 1000, exportedBy: 'u' }],
      ['POST', `/api/exports`, 400, 'BAD_TIME_RANGE', { cameras: ['demo-1'], from: now - 3 * 86400000, to: now, exportedBy: 'u' }],
      ['POST', `/api/exports`, 400, 'BAD_REQUEST', { cameras: [], from: now - 1000, to: now, exportedBy: 'u' }],
      ['POST', `/api/exports`, 400, 'BAD_REQUEST', { cameras: ['demo-1'], from: now - 1000, to: now, exportedBy: 'u', file: '/etc/passwd' }],
      ['PUT', `/api/exports`, 405, 'BAD_REQUEST'],
      ['GET', `/api/../../secret.txt`, 404, 'NOT_FOUND'],
      ['GET', `/secret.txt`, 404, 'NOT_FOUND'],
    ];
    for (const [method, path, status, code, body] of cases) {
      const init: RequestInit = { method };
      if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
      const r = await fetch(base + path, init);
      const text = await r.text();
      assert.equal(r.status, status, `${method} ${path}: ${text}`);
      assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8', path);
      const j = JSON.parse(text) as { code: string; message: string };
      assert.equal(j.code, code, `${method} ${path}: ${text}`);
      assert.equal(typeof j.message, 'string');
      assert.ok(!text.includes(SECRET) && !text.includes(dir.path) && !text.includes('rtsp://'), `${path} leaks nothing: ${text}`);
    }
  });
});
