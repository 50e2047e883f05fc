/**
 * A secret kept in a file of its own: 32 random bytes as hex, mode 0600 (a too-open mode is fixed on
 * reading). Creation is exclusive (a temp file linked into place), so two processes starting at once
 * end with the same bytes. Used for the token signing secret and the audit chain key.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** `what` names the config key in errors (`auth.secretFile`). */
function parse(text: string, file: string, what: string): Buffer {
  const hex = text.trim();
  if (!/^[0-9a-f]{64,256}$/i.test(hex)) throw new Error(`config error: ${what}: ${file} does not hold a hex secret of at least 32 bytes`);
  return Buffer.from(hex, 'hex');
}

/** The secret's bytes; null when the file does not exist. */
export function readSecretFile(file: string, what: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return parse(text, file, what);
}

/** The secret's bytes, creating the file with a new random secret when there is none. */
export function loadOrCreateSecretFile(file: string, what: string): Buffer {
  const have = readSecretFile(file, what);
  if (have) return have;
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  writeFileSync(tmp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
  return readSecretFile(file, what)!;
}
