/**
 * The centre's assertion key (docs/city.md): an Ed25519 key pair generated once, the private key in
 * a 0600 PEM file under the centre's data dir (`<sfu.dataDir>/city-assertion.key`), the public key
 * next to it (`city-assertion.pub`, the `ed25519:…` text a ward's `city.centreKey` takes).
 * Creation is exclusive (`wx`): two processes starting at once end with one key.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateKeyFromPem, publicKeyText } from './assertion.js';

export const ASSERTION_KEY_FILE = 'city-assertion.key';
export const ASSERTION_PUBLIC_FILE = 'city-assertion.pub';

export interface CentreKey {
  privateKey: KeyObject;
  /** `ed25519:<base64url>`: what a ward pins in `city.centreKey`. */
  publicText: string;
  file: string;
}

export function loadOrCreateCentreKey(dataDir: string): CentreKey {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, ASSERTION_KEY_FILE);
  try {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const privateKey = privateKeyFromPem(readFileSync(file, 'utf8'));
  const publicText = publicKeyText(privateKey);
  writeFileSync(join(dataDir, ASSERTION_PUBLIC_FILE), `${publicText}\n`, { mode: 0o644 });
  return { privateKey, publicText, file };
}
