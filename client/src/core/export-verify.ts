/**
 * Checks an evidence export against its manifest: every file the manifest names is in the package,
 * has the stated size and SHA-256, and the package holds nothing else. The hash function is
 * injected (crypto.subtle in the browser, node:crypto in tests). Pure otherwise.
 */
import { readTar, TarError, type TarEntry } from './tar.js';

import { ManifestError, PACKAGE_CONTROL_FILES, parseManifest, type Manifest } from '@wardwall/common';

// The manifest contract lives in common (shared with the recorder and the streaming verifier).
export { EXPORT_FORMAT, ManifestError, parseManifest, type Manifest, type ManifestFile } from '@wardwall/common';

export type FileVerdict = 'ok' | 'hash_mismatch' | 'size_mismatch' | 'missing' | 'unexpected';

export interface FileCheck {
  file: string;
  camera: string | null;
  verdict: FileVerdict;
  expectedSha256: string | null;
  actualSha256: string | null;
  bytes: number | null;
}

export interface VerifyResult {
  ok: boolean;
  manifest: Manifest | null;
  files: FileCheck[];
  /** Set when the package or its manifest cannot be read at all. */
  error: string | null;
}

export type Sha256 = (data: Uint8Array) => Promise<string>;

/** Verifies manifest + entries (already read from the package). */
export async function verifyEntries(entries: readonly TarEntry[], sha256: Sha256): Promise<VerifyResult> {
  const files = entries.filter((e) => e.type === '0' || e.type === '\0' || e.type === '7');
  const byName = new Map(files.map((e) => [e.name.replace(/^\.\//, ''), e]));
  const mf = byName.get('manifest.json');
  if (!mf) return { ok: false, manifest: null, files: [], error: 'manifest.json is missing from the package' };
  let manifest: Manifest;
  try {
    manifest = parseManifest(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(mf.data)));
  } catch (e) {
    return { ok: false, manifest: null, files: [], error: e instanceof ManifestError ? e.message : 'manifest.json is not valid JSON' };
  }
  const checks: FileCheck[] = [];
  for (const f of [...manifest.files, ...manifest.tools.map((x) => ({ ...x, camera: '' }))]) {
    const entry = byName.get(f.file);
    if (!entry) {
      checks.push({ file: f.file, camera: f.camera, verdict: 'missing', expectedSha256: f.sha256, actualSha256: null, bytes: null });
      continue;
    }
    const actual = (await sha256(entry.data)).toLowerCase();
    const verdict: FileVerdict = entry.data.length !== f.bytes ? 'size_mismatch' : actual !== f.sha256 ? 'hash_mismatch' : 'ok';
    checks.push({ file: f.file, camera: f.camera, verdict, expectedSha256: f.sha256, actualSha256: actual, bytes: entry.data.length });
  }
  const listed = new Set([...manifest.files, ...manifest.tools].map((f) => f.file));
  for (const [name, e] of byName) {
    if (PACKAGE_CONTROL_FILES.includes(name) || listed.has(name)) continue;
    checks.push({ file: name, camera: null, verdict: 'unexpected', expectedSha256: null, actualSha256: await sha256(e.data), bytes: e.data.length });
  }
  return { ok: checks.every((c) => c.verdict === 'ok'), manifest, files: checks, error: null };
}

/** Reads the tar package and verifies it. Never throws: an unreadable package is a failed result. */
export async function verifyExport(archive: Uint8Array, sha256: Sha256): Promise<VerifyResult> {
  let entries: TarEntry[];
  try {
    entries = readTar(archive);
  } catch (e) {
    return { ok: false, manifest: null, files: [], error: e instanceof TarError ? e.message : 'the package is not a tar archive' };
  }
  return verifyEntries(entries, sha256);
}

/** Hex of a digest. */
export function hex(buf: ArrayBuffer | Uint8Array): string {
  const b = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
