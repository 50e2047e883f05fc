/**
 * The station's signing key for evidence packages: Ed25519 (node:crypto), generated at the first
 * start into the recorder's data directory (`station-signing-key.pem`, PKCS#8, mode 0600) and kept
 * from then on. The manifest of every package is signed with it; the public key and its fingerprint
 * (SHA-256 of the 32-byte raw key) are served at `/api/station-key` and shown on the admin page, so a
 * copy of a package can be proven to come from this station.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MANIFEST_FILE, SIGNATURE_FILE, SIGNATURE_FORMAT, formatFingerprint, toBase64 } from '@wardwall/common';

export const STATION_KEY_FILE = 'station-signing-key.pem';

export interface StationKeyInfo {
  algorithm: 'Ed25519';
  /** Base64 of the 32-byte raw public key. */
  publicKey: string;
  publicKeyPem: string;
  /** SHA-256 hex of the raw public key. */
  fingerprint: string;
  /** The same, in groups of four for reading aloud. */
  fingerprintText: string;
}

export class StationKey {
  private constructor(
    private readonly privateKey: KeyObject,
    readonly publicRaw: Buffer,
    readonly publicPem: string,
  ) {}

  /** Loads the key, or creates it (0600) when there is none. A damaged key file refuses to start. */
  static loadOrCreate(dataDir: string): StationKey {
    const path = join(dataDir, STATION_KEY_FILE);
    let priv: KeyObject;
    if (existsSync(path)) {
      priv = createPrivateKey(readFileSync(path));
      if (priv.asymmetricKeyType !== 'ed25519') throw new Error(`${STATION_KEY_FILE}: not an Ed25519 private key`);
      if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    } else {
      mkdirSync(dirname(path), { recursive: true });
      const pair = generateKeyPairSync('ed25519');
      priv = pair.privateKey;
      writeFileSync(path, priv.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    }
    const pub = createPublicKey(priv);
    const jwk = pub.export({ format: 'jwk' }) as { x?: string };
    const raw = Buffer.from(jwk.x ?? '', 'base64url');
    if (raw.length !== 32) throw new Error(`${STATION_KEY_FILE}: cannot read its public key`);
    return new StationKey(priv, raw, pub.export({ type: 'spki', format: 'pem' }) as string);
  }

  get fingerprint(): string {
    return createHash('sha256').update(this.publicRaw).digest('hex');
  }

  info(): StationKeyInfo {
    return { algorithm: 'Ed25519', publicKey: this.publicRaw.toString('base64'), publicKeyPem: this.publicPem, fingerprint: this.fingerprint, fingerprintText: formatFingerprint(this.fingerprint) };
  }

  /** The manifest.sig file for these exact manifest bytes. */
  signatureFile(manifestBytes: Uint8Array): string {
    const signature = sign(null, manifestBytes, this.privateKey);
    const body = {
      format: SIGNATURE_FORMAT,
      algorithm: 'Ed25519',
      signedFile: MANIFEST_FILE,
      publicKey: toBase64(this.publicRaw),
      keyFingerprint: this.fingerprint,
      signature: toBase64(signature),
      note: `Ed25519 signature over the bytes of ${MANIFEST_FILE}; compare keyFingerprint with the station's (admin page). Open verify.html to check.`,
    };
    return JSON.stringify(body, null, 2) + '\n';
  }
}

export { SIGNATURE_FILE };
