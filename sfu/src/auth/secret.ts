/**
 * The token signing secret: 32 random bytes (hex) in a 0600 file, created at first start. The SFU
 * and the recorder both call `loadOrCreateSecret`; creation is exclusive (write a temp file, then
 * link it into place), so whichever starts first creates it and the other reads the same bytes.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '@wardwall/common';

export function secretFilePath(config: Readonly<Config>): string {
  return config.auth.secretFile ?? join(config.sfu.dataDir, 'auth-secret');
}

function parseSecret(text: string, file: string): Buffer {
  const hex = text.trim();
  if (!/^[0-9a-f]{64,256}$/i.test(hex)) throw new Error(`config error: auth.secretFile: ${file} does not hold a hex secret of at least 32 bytes`);
  return Buffer.from(hex, 'hex');
}

export function loadOrCreateSecret(file: string): Buffer {
  try {
    const text = readFileSync(file, 'utf8');
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return parseSecret(text, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.auth-secret-${process.pid}-${randomBytes(4).toString('hex')}`);
  writeFileSync(tmp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
  return parseSecret(readFileSync(file, 'utf8'), file);
}
