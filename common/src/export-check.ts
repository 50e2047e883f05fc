/**
 * Verification of an evidence package as it streams by: every entry is hashed incrementally while
 * its bytes pass (nothing kept but manifest.json and manifest.sig), then the digest is judged
 * against the signed manifest. Used by the wall (download straight to disk) and by the recorder
 * (server-side check of the stored package). Pure: hashing and Ed25519 are injected.
 */
import { ArchiveError, ArchiveReader, type ArchiveKind } from './archive-stream.js';
import {
  MANIFEST_FILE,
  ManifestError,
  PACKAGE_CONTROL_FILES,
  SIGNATURE_FILE,

  parseManifest,
  parseSignature,
  type Manifest,
} from './export-manifest.js';

export interface IncrementalHash {
  update(bytes: Uint8Array): void;
  /** Lower-case hex. */
  digest(): string;
}

export interface DigestedEntry {
  name: string;
  bytes: number;
  sha256: string;
}

export interface PackageDigest {
  kind: ArchiveKind | null;
  entries: DigestedEntry[];
  manifestBytes: Uint8Array | null;
  signatureBytes: Uint8Array | null;
  /** Set when the archive itself cannot be read. */
  error: string | null;
}

const CONTROL_MAX = 8 << 20;

/** Feeds the package's bytes in order; `finish()` gives every entry's size and SHA-256. */
export class PackageDigester {
  private readonly reader: ArchiveReader;
  private readonly entries: DigestedEntry[] = [];
  private manifest: Uint8Array | null = null;
  private signature: Uint8Array | null = null;
  private error: string | null = null;

  constructor(newHash: () => IncrementalHash) {
    this.reader = new ArchiveReader((name) => {
      const h = newHash();
      let bytes = 0;
      const keep = name === MANIFEST_FILE || name === SIGNATURE_FILE;
      const parts: Uint8Array[] = [];
      return {
        data: (b) => {
          h.update(b);
          bytes += b.length;
          if (keep) {
            if (bytes > CONTROL_MAX) throw new ArchiveError(`${name} is too large`);
            parts.push(b.slice());
          }
        },
        end: () => {
          this.entries.push({ name, bytes, sha256: h.digest() });
          if (keep) {
            const all = new Uint8Array(bytes);
            let o = 0;
            for (const p of parts) {
              all.set(p, o);
              o += p.length;
            }
            if (name === MANIFEST_FILE) this.manifest = all;
            else this.signature = all;
          }
        },
      };
    });
  }

  get bytesRead(): number {
    return this.reader.bytesRead;
  }

  push(chunk: Uint8Array): void {
    if (this.error) return;
    try {
      this.reader.push(chunk);
    } catch (e) {
      this.error = e instanceof ArchiveError ? e.message : 'the package cannot be read';
    }
  }

  finish(): PackageDigest {
    if (!this.error) {
      try {
        this.reader.end();
      } catch (e) {
        this.error = e instanceof ArchiveError ? e.message : 'the package cannot be read';
      }
    }
    return { kind: this.reader.kind, entries: this.entries, manifestBytes: this.manifest, signatureBytes: this.signature, error: this.error };
  }
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

export type SignatureState = 'valid' | 'invalid' | 'missing' | 'unsupported';

export interface SignatureCheck {
  state: SignatureState;
  /** SHA-256 hex of the signing public key (as in manifest.sig); null when there is none. */
  keyFingerprint: string | null;
  /** Whether that key is the station's (when the station's fingerprint is known). */
  matchesStation: boolean | null;
}

export interface PackageVerdict {
  ok: boolean;
  manifest: Manifest | null;
  files: FileCheck[];
  signature: SignatureCheck;
  error: string | null;
}

export interface JudgeOptions {
  /** SHA-256 hex of bytes (for the public key's fingerprint). */
  sha256(bytes: Uint8Array): Promise<string>;
  /** Ed25519 verification; throws `SignatureUnsupported` when the platform has no Ed25519. */
  verifyEd25519(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean>;
  /** The station's key fingerprint, to tell a package signed by another key. */
  stationFingerprint?: string | null;
}

export class SignatureUnsupported extends Error {
  constructor() {
    super('Ed25519 is not available here');
    this.name = 'SignatureUnsupported';
  }
}

/** Judges a digest against its manifest and signature. Never throws. */
export async function judgePackage(d: PackageDigest, opts: JudgeOptions): Promise<PackageVerdict> {
  const noSig: SignatureCheck = { state: 'missing', keyFingerprint: null, matchesStation: null };
  if (d.error) return { ok: false, manifest: null, files: [], signature: noSig, error: d.error };
  if (!d.manifestBytes) return { ok: false, manifest: null, files: [], signature: noSig, error: `${MANIFEST_FILE} is missing from the package` };
  let manifest: Manifest;
  try {
    manifest = parseManifest(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(d.manifestBytes)));
  } catch (e) {
    return { ok: false, manifest: null, files: [], signature: noSig, error: e instanceof ManifestError ? e.message : `${MANIFEST_FILE} is not valid JSON` };
  }
  const signature = await checkSignature(d, manifest, opts);
  const byName = new Map(d.entries.map((e) => [e.name, e]));
  const files: FileCheck[] = [];
  const expected: { file: string; sha256: string; bytes: number; camera: string | null }[] = [...manifest.files, ...manifest.tools.map((f) => ({ ...f, camera: null }))];
  for (const f of expected) {
    const e = byName.get(f.file);
    const camera = f.camera;
    if (!e) files.push({ file: f.file, camera, verdict: 'missing', expectedSha256: f.sha256, actualSha256: null, bytes: null });
    else files.push({ file: f.file, camera, verdict: e.bytes !== f.bytes ? 'size_mismatch' : e.sha256 !== f.sha256 ? 'hash_mismatch' : 'ok', expectedSha256: f.sha256, actualSha256: e.sha256, bytes: e.bytes });
  }
  const listed = new Set([...manifest.files, ...manifest.tools].map((f) => f.file));
  for (const e of d.entries) {
    if (listed.has(e.name) || PACKAGE_CONTROL_FILES.includes(e.name)) continue;
    files.push({ file: e.name, camera: null, verdict: 'unexpected', expectedSha256: null, actualSha256: e.sha256, bytes: e.bytes });
  }
  const ok = files.every((f) => f.verdict === 'ok') && signature.state === 'valid' && signature.matchesStation !== false;
  return { ok, manifest, files, signature, error: null };
}

async function checkSignature(d: PackageDigest, manifest: Manifest, opts: JudgeOptions): Promise<SignatureCheck> {
  if (!d.signatureBytes || !d.manifestBytes) return { state: 'missing', keyFingerprint: null, matchesStation: null };
  let sig;
  try {
    sig = parseSignature(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(d.signatureBytes)));
  } catch {
    return { state: 'invalid', keyFingerprint: null, matchesStation: null };
  }
  const fp = (await opts.sha256(sig.publicKey)).toLowerCase();
  const station = opts.stationFingerprint ? opts.stationFingerprint.toLowerCase() : null;
  const matchesStation = station ? fp === station : null;
  // The key must be the one the signed manifest names, and the file's fingerprint must be its own.
  if (fp !== sig.keyFingerprint || (manifest.stationKeyFingerprint !== null && manifest.stationKeyFingerprint !== fp)) return { state: 'invalid', keyFingerprint: fp, matchesStation };
  try {
    const good = await opts.verifyEd25519(sig.publicKey, sig.signature, d.manifestBytes);
    return { state: good ? 'valid' : 'invalid', keyFingerprint: fp, matchesStation };
  } catch (e) {
    if (e instanceof SignatureUnsupported) return { state: 'unsupported', keyFingerprint: fp, matchesStation };
    return { state: 'invalid', keyFingerprint: fp, matchesStation };
  }
}

