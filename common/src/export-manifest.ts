/**
 * The evidence package's contract, shared by the recorder (which writes it), the wall (which
 * verifies a download while it streams to disk) and the recorder's own server-side check.
 *
 * A package (`.zip` or `.tar`) holds one MP4 per range, `manifest.json` (what each file is and its
 * SHA-256), `manifest.sig` (the station's Ed25519 signature over the exact bytes of manifest.json,
 * with the public key) and `verify.html` (the offline verifier). Pure and browser-safe: hashing and
 * signature checking are injected.
 */

export const EXPORT_FORMAT = 'wardwall-export/1';
export const SIGNATURE_FORMAT = 'wardwall-signature/1';
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const VERIFIER_FILE = 'verify.html';
/** Files of the package that are not footage. */
export const PACKAGE_CONTROL_FILES: readonly string[] = [MANIFEST_FILE, SIGNATURE_FILE, VERIFIER_FILE];

export const EXPORT_PACKAGE_FORMATS = ['zip', 'tar'] as const;
export type ExportPackageFormat = (typeof EXPORT_PACKAGE_FORMATS)[number];

export interface ManifestFile {
  file: string;
  camera: string;
  cameraName: string;
  sha256: string;
  bytes: number;
  startMs: number;
  endMs: number;
}

export interface ManifestTool {
  file: string;
  sha256: string;
  bytes: number;
}

export interface Manifest {
  exportId: string;
  exportedBy: string;
  exportedAtMs: number;
  files: ManifestFile[];
  camerasWithoutFootage: string[];
  /** Fingerprint (SHA-256 hex of the raw public key) of the station key that signs; null in old packages. */
  stationKeyFingerprint: string | null;
  /** Other files of the package with their hashes (the offline verifier). */
  tools: ManifestTool[];
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

function plainName(file: string, where: string): string {
  if (file.includes('/') || file.includes('\\') || file === '.' || file === '..') throw new ManifestError(`manifest: ${where}file: not a plain file name`);
  return file;
}

function digest(o: Record<string, unknown>, where: string): { sha256: string; bytes: number } {
  const sha256 = str(o, 'sha256', where).toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new ManifestError(`manifest: ${where}sha256: not a SHA-256 hex digest`);
  const bytes = o.bytes;
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) throw new ManifestError(`manifest: ${where}bytes: a byte count is required`);
  return { sha256, bytes };
}

/** Validates the manifest.json of an export (input from outside: `unknown`). */
export function parseManifest(raw: unknown): Manifest {
  if (!isObj(raw)) throw new ManifestError('manifest: not a JSON object');
  if (raw.format !== EXPORT_FORMAT) throw new ManifestError(`manifest: format: expected "${EXPORT_FORMAT}"`);
  if (!Array.isArray(raw.files) || raw.files.length === 0) throw new ManifestError('manifest: files: a non-empty list is required');
  const files = raw.files.map((f, i): ManifestFile => {
    const where = `files.${i}.`;
    if (!isObj(f)) throw new ManifestError(`manifest: files.${i}: not an object`);
    const file = plainName(str(f, 'file', where), where);
    if (PACKAGE_CONTROL_FILES.includes(file)) throw new ManifestError(`manifest: ${where}file: "${file}" is reserved`);
    const { sha256, bytes } = digest(f, where);
    return { file, camera: str(f, 'camera', where), cameraName: typeof f.cameraName === 'string' ? f.cameraName : str(f, 'camera', where), sha256, bytes, startMs: msOf(f, 'start', where), endMs: msOf(f, 'end', where) };
  });
  const tools = (Array.isArray(raw.tools) ? raw.tools : []).map((f, i): ManifestTool => {
    const where = `tools.${i}.`;
    if (!isObj(f)) throw new ManifestError(`manifest: tools.${i}: not an object`);
    return { file: plainName(str(f, 'file', where), where), ...digest(f, where) };
  });
  const names = new Set<string>();
  for (const f of [...files, ...tools]) {
    if (names.has(f.file)) throw new ManifestError(`manifest: files: "${f.file}" is listed twice`);
    names.add(f.file);
  }
  const without = Array.isArray(raw.camerasWithoutFootage) ? raw.camerasWithoutFootage.filter((c): c is string => typeof c === 'string') : [];
  let fp: string | null = null;
  if (raw.station !== undefined) {
    if (!isObj(raw.station)) throw new ManifestError('manifest: station: not an object');
    fp = str(raw.station, 'keyFingerprint', 'station.').toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(fp)) throw new ManifestError('manifest: station.keyFingerprint: not a SHA-256 hex digest');
  }
  return { exportId: str(raw, 'exportId', ''), exportedBy: str(raw, 'exportedBy', ''), exportedAtMs: msOf(raw, 'exportedAt', ''), files, camerasWithoutFootage: without, stationKeyFingerprint: fp, tools };
}

/** The manifest.sig file. */
export interface ManifestSignature {
  algorithm: 'Ed25519';
  signedFile: string;
  publicKey: Uint8Array;
  keyFingerprint: string;
  signature: Uint8Array;
}

function fromBase64(s: string, where: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s)) throw new ManifestError(`signature: ${where}: not base64`);
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function parseSignature(raw: unknown): ManifestSignature {
  if (!isObj(raw)) throw new ManifestError('signature: not a JSON object');
  if (raw.format !== SIGNATURE_FORMAT) throw new ManifestError(`signature: format: expected "${SIGNATURE_FORMAT}"`);
  if (raw.algorithm !== 'Ed25519') throw new ManifestError('signature: algorithm: expected "Ed25519"');
  if (raw.signedFile !== MANIFEST_FILE) throw new ManifestError(`signature: signedFile: expected "${MANIFEST_FILE}"`);
  const publicKey = fromBase64(String(raw.publicKey ?? ''), 'publicKey');
  if (publicKey.length !== 32) throw new ManifestError('signature: publicKey: an Ed25519 key is 32 bytes');
  const signature = fromBase64(String(raw.signature ?? ''), 'signature');
  if (signature.length !== 64) throw new ManifestError('signature: signature: an Ed25519 signature is 64 bytes');
  const fp = typeof raw.keyFingerprint === 'string' ? raw.keyFingerprint.toLowerCase() : '';
  if (!/^[0-9a-f]{64}$/.test(fp)) throw new ManifestError('signature: keyFingerprint: not a SHA-256 hex digest');
  return { algorithm: 'Ed25519', signedFile: MANIFEST_FILE, publicKey, keyFingerprint: fp, signature };
}

/** "AB12 CD34 …": the fingerprint as people compare it (16 groups of 4 hex digits). Pure. */
export function formatFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/.{1,4}/g) ?? []).join(' ');
}

export function hexOf(buf: ArrayBuffer | Uint8Array): string {
  const b = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

export function toBase64(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}
