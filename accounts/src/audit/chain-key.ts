/**
 * The audit chain key: 32 random bytes (hex) in a 0600 file that only the SFU (and the admin's
 * `audit:verify`) reads; the recorder never gets it (it appends through the SFU). From it come the
 * chain's HMAC key and the Ed25519 key that signs the chain head. Creation is exclusive (temp
 * file linked into place), so two processes starting at once end with the same key.
 */
import { createHmac, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from '@wardwall/common';
import { loadOrCreateSecretFile, readSecretFile } from '@wardwall/common/node';

export const CHAIN_KEY_FILE = 'audit-chain-key';

export interface ChainKey {
  /** HMAC-SHA256 key of the entries. */
  hmac: Buffer;
  /** Signs the chain head. */
  signing: KeyObject;
  /** Verifies the chain head (may be given to anyone, e.g. the webhook's receiver). */
  verifying: KeyObject;
  /** The public key, base64 DER (SPKI), as written into the head. */
  publicKey: string;
}

export function chainKeyPath(config: Readonly<Config>): string {
  return config.audit.chainKeyFile ?? join(config.sfu.dataDir, CHAIN_KEY_FILE);
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Derives the chain's keys from the file's secret. Pure. */
export function deriveChainKey(secret: Buffer): ChainKey {
  const hmac = createHmac('sha256', secret).update('wardwall audit chain v1').digest();
  const seed = createHmac('sha256', secret).update('wardwall audit head v1').digest();
  const signing = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const verifying = createPublicKey(signing);
  return { hmac, signing, verifying, publicKey: verifying.export({ format: 'der', type: 'spki' }).toString('base64') };
}

/** Reads the key (fixing a too-open mode to 0600); null when the file does not exist. */
export function readChainKey(file: string): ChainKey | null {
  const secret = readSecretFile(file, 'audit.chainKeyFile');
  return secret ? deriveChainKey(secret) : null;
}

export function loadOrCreateChainKey(file: string): ChainKey {
  return deriveChainKey(loadOrCreateSecretFile(file, 'audit.chainKeyFile'));
}
