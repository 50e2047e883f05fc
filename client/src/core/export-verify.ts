/**
 * Checks an evidence export against its manifest: every file the manifest names is in the package,
 * has the stated size and SHA-256, and the package holds nothing else. The hash function is
 * injected (crypto.subtle in the browser, node:crypto in tests). Pure otherwise.
 */
import { readTar, TarError, type TarEntry } from './tar.js';

export const EXPORT_FORMAT = 'wardwall-export/1';

export interface ManifestFile {
  file: string;
  camera: string;
  cameraName: string;
  sha256: string;
  bytes: number;
  startMs: number;
  endMs: number;
}

export interface Manifest {
  exportId: string;
  exportedBy: string;
  exportedAtMs: number;
  files: ManifestFile[];
  camerasWithoutFootage: string[];
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(o: Record<string, unknown>, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new ManifestError(`manifest: ${where}${key}: a non-empty string is required`);
  return v;
}

function msOf(o: Record<string, unknown>, key: string, where: string): number {
  const v = o[key];
  if (!isObj(v) || typeof v.ms !== 'number' || !Number.isFinite(v.ms)) throw new ManifestError(`manifest: ${where}${key}.ms: a number is required`);
  return v.ms;
}

/** Validates the manifest.json of an export (input from outside: `unknown`). */
export function parseManifest(raw: unknown): Manifest {
  if (!isObj(raw)) throw new ManifestError('manifest: not a JSON object');
  if (raw.format !== EXPORT_FORMAT) throw new ManifestError(`manifest: format: expected "${EXPORT_FORMAT}"`);
  if (!Array.isArray(raw.files) || raw.files.length === 0) throw new ManifestError('manifest: files: a non-empty list is required');
  const files = raw.files.map((f, i): ManifestFile => {
    const where = `files.${i}.`;
    if (!isObj(f)) throw new ManifestError(`manifest: files.${i}: not an object`);
    const file = str(f, 'file', where);
    if (file.includes('/') || file.includes('\\') || file === 'manifest.json') throw new ManifestError(`manifest: ${where}file: not a plain file name`);
    const sha256 = str(f, 'sha256', where).toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new ManifestError(`manifest: ${where}sha256: not a SHA-256 hex digest`);
    const bytes = f.bytes;
    if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) throw new ManifestError(`manifest: ${where}bytes: a byte count is required`);
    return { file, camera: str(f, 'camera', where), cameraName: typeof f.cameraName === 'string' ? f.cameraName : str(f, 'camera', where), sha256, bytes, startMs: msOf(f, 'start', where), endMs: msOf(f, 'end', where) };
  });
  const names = new Set<string>();
  for (const f of files) {
    if (names.has(f.file)) throw new ManifestError(`manifest: files: "${f.file}" is listed twice`);
    names.add(f.file);
  }
  const without = Array.isArray(raw.camerasWithoutFootage) ? raw.camerasWithoutFootage.filter((c): c is string => typeof c === 'string') : [];
  return { exportId: str(raw, 'exportId', ''), exportedBy: str(raw, 'exportedBy', ''), exportedAtMs: msOf(raw, 'exportedAt', ''), files, camerasWithoutFootage: without };
}

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
  for (const f of manifest.files) {
    const entry = byName.get(f.file);
    if (!entry) {
      checks.push({ file: f.file, camera: f.camera, verdict: 'missing', expectedSha256: f.sha256, actualSha256: null, bytes: null });
      continue;
    }
    const actual = (await sha256(entry.data)).toLowerCase();
    const verdict: FileVerdict = entry.data.length !== f.bytes ? 'size_mismatch' : actual !== f.sha256 ? 'hash_mismatch' : 'ok';
    checks.push({ file: f.file, camera: f.camera, verdict, expectedSha256: f.sha256, actualSha256: actual, bytes: entry.data.length });
  }
  const listed = new Set(manifest.files.map((f) => f.file));
  for (const [name, e] of byName) {
    if (name === 'manifest.json' || listed.has(name)) continue;
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
