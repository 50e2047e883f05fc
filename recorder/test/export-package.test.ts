/**
 * The package formats and their streaming check, without a recorder: the ZIP writer (plain and
 * ZIP64, checked by unzip and Python), the streaming reader over any chunking of ZIP and pax tar,
 * the verdicts (flipped byte, edited manifest, another key, no signature, no Ed25519), and the
 * offline verifier page's own SHA-256 against node:crypto.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import { ArchiveReader, PackageDigester, SignatureUnsupported, judgePackage, parseManifest, type PackageDigest } from '@wardwall/common';
import { StationKey } from '../src/playback/export-sign.js';
import { digestFile, dosDateTime, writeZip } from '../src/playback/export-zip.js';
import { nodeHash, verifyEd25519Node } from '../src/playback/export-verify.js';
import { VERIFIER_PAGE } from '../src/playback/export.js';
import { tempDir } from '@wardwall/testing/recorder';

const run = promisify(execFile);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const at = (ms: number) => ({ ms, utc: new Date(ms).toISOString(), hoChiMinh: 'x' });

interface Pkg {
  dir: string;
  names: string[];
  key: StationKey;
}

/** The files of a package as the recorder makes them (manifest, signature, verifier, two clips). */
function packageFiles(dir: string, key: StationKey, edit?: (m: any) => void): Pkg {
  const clips: Record<string, Buffer> = { 'demo-1.mp4': randomBytes(70_001), 'demo-2.mp4': randomBytes(3_333) };
  const verifier = readFileSync(VERIFIER_PAGE);
  const manifest: any = {
    format: 'wardwall-export/1',
    exportId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
    exportedBy: 'Cán bộ A',
    exportedAt: at(1_800_000_000_000),
    files: Object.entries(clips).map(([file, d]) => ({ file, camera: file.slice(0, 6), cameraName: file, sha256: sha(d), bytes: d.length, start: at(1), end: at(2) })),
    camerasWithoutFootage: [],
    tools: [{ file: 'verify.html', sha256: sha(verifier), bytes: verifier.length }],
    station: { keyFingerprint: key.fingerprint },
  };
  const bytes = Buffer.from(JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, 'manifest.json'), bytes);
  writeFileSync(join(dir, 'manifest.sig'), key.signatureFile(bytes));
  if (edit) {
    edit(manifest);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  }
  writeFileSync(join(dir, 'verify.html'), verifier);
  for (const [n, d] of Object.entries(clips)) writeFileSync(join(dir, n), d);
  return { dir, names: ['manifest.json', 'manifest.sig', 'verify.html', ...Object.keys(clips)], key };
}

async function zipOf(p: Pkg, out: string, forceZip64 = false): Promise<Buffer> {
  const entries = [];
  for (const n of p.names) {
    const d = await digestFile(join(p.dir, n));
    entries.push({ name: n, path: join(p.dir, n), size: d.bytes, crc32: d.crc32 });
  }
  await writeZip(out, entries, 1_800_000_000_000, { forceZip64 });
  return readFileSync(out);
}

async function tarOf(p: Pkg, out: string): Promise<Buffer> {
  await run('tar', ['--format=pax', '-cf', out, '-C', p.dir, ...p.names]);
  return readFileSync(out);
}

function digestChunked(bytes: Uint8Array, chunk: (i: number) => number): PackageDigest {
  const d = new PackageDigester(nodeHash);
  let off = 0;
  for (let i = 0; off < bytes.length; i++) {
    const n = Math.max(1, chunk(i));
    d.push(bytes.subarray(off, off + n));
    off += n;
  }
  return d.finish();
}

const judge = (d: PackageDigest, station: string | null, verifyEd25519 = verifyEd25519Node) =>
  judgePackage(d, { sha256: async (b) => sha(b), verifyEd25519, stationFingerprint: station });

test('DOS time is Vietnam time', () => {
  // 2026-12-07T01:02:03Z = 08:02:03 in Ho Chi Minh City.
  const { date, time } = dosDateTime(Date.UTC(2026, 11, 7, 1, 2, 3));
  assert.deepEqual([date >> 9, (date >> 5) & 15, date & 31, time >> 11, (time >> 5) & 63, (time & 31) * 2], [46, 12, 7, 8, 2, 2]);
});

test('ZIP (plain and ZIP64) and tar: tools open them, the streaming reader reads them in any chunking', async () => {
  const dir = tempDir('ww-pkg-');
  try {
    const key = StationKey.loadOrCreate(join(dir.path, 'key'));
    const p = packageFiles(dir.path, key);
    const forms: [string, Buffer][] = [
      ['zip', await zipOf(p, join(dir.path, 'a.zip'))],
      ['zip64', await zipOf(p, join(dir.path, 'b.zip'), true)],
      ['tar', await tarOf(p, join(dir.path, 'c.tar'))],
    ];
    for (const f of ['a.zip', 'b.zip']) {
      assert.match((await run('unzip', ['-t', join(dir.path, f)])).stdout, /No errors detected in compressed data/);
      await run('python3', ['-c', 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nassert all(i.compress_type == 0 for i in z.infolist())', join(dir.path, f)]);
    }
    const z64 = (await run('python3', ['-c', 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint(z.infolist()[0].extract_version)', join(dir.path, 'b.zip')])).stdout.trim();
    assert.equal(z64, '45', 'ZIP64 entries need version 4.5');
    for (const [form, bytes] of forms) {
      for (const chunk of [() => 1 << 20, () => 1, () => 511, (i: number) => 1 + ((i * 7919) % 5000)]) {
        const d = digestChunked(bytes, chunk);
        assert.equal(d.error, null, `${form}: ${d.error}`);
        assert.deepEqual(d.entries.map((e) => e.name), p.names, form);
        for (const e of d.entries) assert.equal(e.sha256, sha(readFileSync(join(dir.path, e.name))), `${form} ${e.name}`);
        const v = await judge(d, key.fingerprint);
        assert.equal(v.ok, true, `${form}: ${JSON.stringify(v)}`);
        assert.equal(v.signature.state, 'valid');
      }
      // Cut short: the reader says so.
      const cut = digestChunked(bytes.subarray(0, bytes.length >> 1), () => 4096);
      assert.match(cut.error ?? '', /ends in the middle/, form);
    }
  } finally {
    dir.remove();
  }
});

test('verdicts: a flipped byte in any file, an edited manifest, another key, no signature, no Ed25519', async () => {
  const dir = tempDir('ww-pkg-');
  try {
    const key = StationKey.loadOrCreate(join(dir.path, 'key'));
    const p = packageFiles(dir.path, key);
    const zip = await zipOf(p, join(dir.path, 'a.zip'));
    const entries = digestChunked(zip, () => 65536).entries;
    // Flip one byte inside each entry's data in turn (found by its content in the archive).
    for (const name of p.names) {
      const content = readFileSync(join(dir.path, name));
      const start = zip.indexOf(content.subarray(0, 64));
      assert.ok(start > 0, name);
      const bad = Buffer.from(zip);
      const i = start + (content.length >> 1);
      bad[i] = bad[i]! ^ 0x20;
      const v = await judge(digestChunked(bad, () => 8192), key.fingerprint);
      assert.equal(v.ok, false, `a flipped byte in ${name} is caught`);
      if (name === 'manifest.json') assert.ok(v.signature.state === 'invalid' || v.error !== null, 'manifest.json: signature no longer valid');
      else if (name === 'manifest.sig') assert.equal(v.signature.state, 'invalid');
      else assert.equal(v.files.find((f) => f.file === name)?.verdict, 'hash_mismatch', name);
    }
    assert.equal(entries.length, 5);

    // An edited manifest whose hashes still match the files: only the signature tells.
    const d2 = tempDir('ww-pkg-');
    try {
      const edited = packageFiles(d2.path, key, (m) => (m.exportedBy = 'Người khác'));
      const v = await judge(digestChunked(await zipOf(edited, join(d2.path, 'e.zip')), () => 4096), key.fingerprint);
      assert.equal(v.ok, false);
      assert.equal(v.signature.state, 'invalid');
      assert.ok(v.files.every((f) => f.verdict === 'ok'));
    } finally {
      d2.remove();
    }

    // Signed by another key: valid signature, but not the station's.
    const other = StationKey.loadOrCreate(join(dir.path, 'other'));
    const d3 = tempDir('ww-pkg-');
    try {
      const forged = packageFiles(d3.path, other);
      const v = await judge(digestChunked(await zipOf(forged, join(d3.path, 'f.zip')), () => 4096), key.fingerprint);
      assert.equal(v.signature.state, 'valid');
      assert.equal(v.signature.matchesStation, false);
      assert.equal(v.ok, false);
      // No signature file at all.
      forged.names.splice(forged.names.indexOf('manifest.sig'), 1);
      const u = await judge(digestChunked(await zipOf(forged, join(d3.path, 'g.zip')), () => 4096), key.fingerprint);
      assert.equal(u.signature.state, 'missing');
      assert.equal(u.ok, false);
    } finally {
      d3.remove();
    }

    // A platform without Ed25519: said so, not called valid.
    const v = await judge(digestChunked(zip, () => 4096), key.fingerprint, () => Promise.reject(new SignatureUnsupported()));
    assert.equal(v.signature.state, 'unsupported');
    assert.equal(v.ok, false);
  } finally {
    dir.remove();
  }
});

test('streaming reader refuses what a station never writes: data descriptors, compression', async () => {
  const dir = tempDir('ww-pkg-');
  try {
    writeFileSync(join(dir.path, 'a.txt'), 'hello '.repeat(1000));
    await run('python3', ['-c', 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED)\nz.write(sys.argv[2], "a.txt")\nz.close()', join(dir.path, 'd.zip'), join(dir.path, 'a.txt')]);
    const d = new PackageDigester(nodeHash);
    d.push(readFileSync(join(dir.path, 'd.zip')));
    assert.match(d.finish().error ?? '', /compressed/);
    // Streamed by Python to a non-seekable pipe: sizes only in a data descriptor.
    const piped = await run('bash', ['-c', `python3 -c 'import sys, zipfile\nz = zipfile.ZipFile(sys.stdout.buffer, "w", zipfile.ZIP_STORED)\nz.write(sys.argv[1], "a.txt")\nz.close()' ${join(dir.path, 'a.txt')} | base64 -w0`]);
    const e = new PackageDigester(nodeHash);
    e.push(Buffer.from(piped.stdout, 'base64'));
    assert.match(e.finish().error ?? '', /data descriptor/);
    const r = new ArchiveReader(() => null);
    r.push(new Uint8Array(0));
    assert.throws(() => r.end(), /empty/);
  } finally {
    dir.remove();
  }
});

test('manifest contract: reserved and path-like names refused', () => {
  const base = { format: 'wardwall-export/1', exportId: 'x', exportedBy: 'y', exportedAt: at(1), camerasWithoutFootage: [] };
  const file = (name: string) => ({ file: name, camera: 'c', sha256: 'a'.repeat(64), bytes: 1, start: at(1), end: at(2) });
  assert.throws(() => parseManifest({ ...base, files: [file('manifest.sig')] }), /reserved/);
  assert.throws(() => parseManifest({ ...base, files: [file('../x.mp4')] }), /plain file name/);
  assert.throws(() => parseManifest({ ...base, files: [file('a.mp4')], station: { keyFingerprint: 'zz' } }), /keyFingerprint/);
  assert.equal(parseManifest({ ...base, files: [file('a.mp4')] }).stationKeyFingerprint, null);
});

test("the offline verifier page's SHA-256 matches node:crypto (any length, any slicing)", () => {
  const html = readFileSync(VERIFIER_PAGE, 'utf8');
  const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
  // Run only the hashing part of the page's script.
  const shaPart = script.slice(script.indexOf('var K ='), script.indexOf('window.__wwSha256'));
  const ctx: Record<string, unknown> = { Int32Array, Uint8Array, Math, String };
  runInNewContext(`${shaPart}; this.Sha256 = Sha256;`, ctx);
  const Sha256 = ctx.Sha256 as new () => { update(b: Uint8Array): { hex(): string }; hex(): string };
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100_003]) {
    const b = randomBytes(n);
    assert.equal(new Sha256().update(b).hex(), sha(b), `length ${n}`);
    const h = new Sha256();
    for (let o = 0; o < n; o += 37) h.update(b.subarray(o, o + 37));
    assert.equal(h.hex(), sha(b), `length ${n} in slices`);
  }
});
