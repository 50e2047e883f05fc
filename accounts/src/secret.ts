/**
 * The token signing secret: 32 random bytes (hex) in a 0600 file, created at first start. The SFU
 * and the recorder both call `loadOrCreateSecret`; creation is exclusive (write a temp file, then
 * link it into place), so whichever starts first creates it and the other reads the same bytes.
 */
import { join } from 'node:path';
import type { Config } from '@wardwall/common';
import { loadOrCreateSecretFile } from './secret-file.js';

export function secretFilePath(config: Readonly<Config>): string {
  return config.auth.secretFile ?? join(config.sfu.dataDir, 'auth-secret');
}

export function loadOrCreateSecret(file: string): Buffer {
  return loadOrCreateSecretFile(file, 'auth.secretFile');
}
