import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hex, parseManifest, verifyExport } from '../src/core/export-verify.js';
import { readTar } from '../src/core/tar.js';
import { frameFileName, frameRecord, sidecarName } from '../src/core/frame-capture.js';

const sha = async (d: Uint8Array) => createHash('sha256').update(d).digest('hex');
const at = (ms: number) => ({ ms, utc: new Date(ms).toISOString(), hoChiMinh: 'x' });

/** A package made the way the recorder makes it: `tar --format=pax` of manifest.json and the MP4s. */
function makePackage(files: Record<string, Buffer>, tamper?: (m: any) => void, extra: Record<string, Buffer> = {}): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'ww-export-test-'));
  try {
    const manifest: any = {
      format: 'wardwall-export/1',
      exportId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
      exportedBy: 'Cán bộ Nguyễn Văn A',
      exportedAt: at(1_800_000_000_000),
      files: Object.entries(files).map(([file, data]) => ({
        file,
        camera: file.replace('.mp4', ''),
        cameraName: `Ngõ ${file}`,
        sha256: createHash('sha256').update(data).digest('hex'),
        bytes: data.length,
        start: at(1_799_999_990_000),
        end: at(1_800_000_000_000),
        spans: [],
      })),
      camerasWithoutFootage: ['demo-9'],
    };
    tamper?.(manifest);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
    const all = { ...files, ...extra };
    for (const [n, d] of Object.entries(all)) writeFileSync(join(dir, n), d);
    const pkg = join(dir, 'out.tar');
    execFileSync('tar', ['--format=pax', '-cf', pkg, '-C', dir, 'manifest.json', ...Object.keys(all)]);
    return new Uint8Array(readFileSync(pkg));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FILES = { 'demo-1.mp4': Buffer.alloc(70_000, 7), 'demo-2.mp4': Buffer.from('second camera, not block aligned') };

test('a package made by tar --format=pax is read and every file matches its manifest', async () => {
  const pkg = makePackage(FILES);
  const entries = readTar(pkg);
  assert.deepEqual(entries.map((e) => e.name), ['manifest.json', 'demo-1.mp4', 'demo-2.mp4']);
  assert.equal(entries[1]!.data.length, 70_000);
  const r = await verifyExport(pkg, sha);
  assert.equal(r.error, null);
  assert.equal(r.ok, true);
  assert.deepEqual(r.files.map((f) => [f.file, f.verdict]), [['demo-1.mp4', 'ok'], ['demo-2.mp4', 'ok']]);
  assert.equal(r.manifest?.exportedBy, 'Cán bộ Nguyễn Văn A');
  assert.deepEqual(r.manifest?.camerasWithoutFootage, ['demo-9']);
});

test('one changed byte in a video is a hash mismatch', async () => {
  const pkg = makePackage(FILES);
  const entries = readTar(pkg);
  const video = entries[1]!;
  const offset = video.data.byteOffset + 1234;
  pkg[offset] = pkg[offset]! ^ 0xff;
  const r = await verifyExport(pkg, sha);
  assert.equal(r.ok, false);
  assert.equal(r.files.find((f) => f.file === 'demo-1.mp4')?.verdict, 'hash_mismatch');
  assert.equal(r.files.find((f) => f.file === 'demo-2.mp4')?.verdict, 'ok');
});

test('missing, resized and unexpected files are reported', async () => {
  const missing = await verifyExport(makePackage(FILES, (m) => m.files.push({ ...m.files[0], file: 'demo-3.mp4', camera: 'demo-3' })), sha);
  assert.equal(missing.ok, false);
  assert.equal(missing.files.find((f) => f.file === 'demo-3.mp4')?.verdict, 'missing');
  const resized = await verifyExport(makePackage(FILES, (m) => (m.files[1].bytes += 1)), sha);
  assert.equal(resized.files.find((f) => f.file === 'demo-2.mp4')?.verdict, 'size_mismatch');
  const extra = await verifyExport(makePackage(FILES, undefined, { 'notes.txt': Buffer.from('x') }), sha);
  assert.equal(extra.ok, false);
  assert.equal(extra.files.find((f) => f.file === 'notes.txt')?.verdict, 'unexpected');
});

test('a truncated download, garbage or a bad manifest fail with a reason', async () => {
  const pkg = makePackage(FILES);
  const cut = await verifyExport(pkg.subarray(0, pkg.length - 5000), sha);
  assert.equal(cut.ok, false);
  assert.match(cut.error ?? '', /truncated|end-of-archive/);
  const junk = await verifyExport(new Uint8Array(4096).fill(65), sha);
  assert.equal(junk.ok, false);
  assert.match(junk.error ?? '', /checksum|octal/);
  const badFormat = await verifyExport(makePackage(FILES, (m) => (m.format = 'other/1')), sha);
  assert.match(badFormat.error ?? '', /format/);
  const badHash = await verifyExport(makePackage(FILES, (m) => (m.files[0].sha256 = 'abc')), sha);
  assert.match(badHash.error ?? '', /files\.0\.sha256/);
  const pathy = await verifyExport(makePackage(FILES, (m) => (m.files[0].file = '../etc/passwd')), sha);
  assert.match(pathy.error ?? '', /files\.0\.file/);
  assert.throws(() => parseManifest([]), /not a JSON object/);
});

test('long names in pax headers', async () => {
  const long = `${'camera-with-a-very-long-name-'.repeat(5)}.mp4`;
  const r = await verifyExport(makePackage({ [long]: Buffer.from('abc') }), sha);
  assert.equal(r.ok, true);
  assert.equal(r.files[0]!.file, long);
});

test('saved frame record: names, times in both zones, digest', () => {
  const ms = Date.UTC(2026, 10, 28, 7, 3, 5, 250);
  const digest = hex(createHash('sha256').update('png bytes').digest());
  assert.equal(frameFileName('demo-1', ms, digest, 'image/png'), `demo-1_20261128-140305.250+0700_${digest.slice(0, 12)}.png`);
  assert.equal(frameFileName('cam/../x y', ms, digest, 'image/jpeg').startsWith('cam_.._x_y_'), true);
  const rec = frameRecord({ camera: 'demo-1', cameraName: 'Demo 1', frameMs: ms, timeSource: 'recording', width: 640, height: 360, type: 'image/png', bytes: 9, sha256: digest, savedMs: ms + 1000 });
  assert.equal(rec.frameTime.hoChiMinh, '2026-11-28T14:03:05.250+07:00');
  assert.equal(rec.frameTime.utc, '2026-11-28T07:03:05.250Z');
  assert.equal(rec.file, frameFileName('demo-1', ms, digest, 'image/png'));
  assert.equal(sidecarName(rec.file), rec.file.replace('.png', '.json'));
});
