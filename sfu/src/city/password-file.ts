/** The city's NATS password, read from `city.nats.passwordFile` (never from the config itself). */
import { readFileSync } from 'node:fs';
import { ConfigError } from '@wardwall/common';

export function readCityPassword(file: string | null): string {
  if (!file) throw new ConfigError('city.nats.passwordFile', 'missing');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError('city.nats.passwordFile', `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const password = text.split(/\r?\n/)[0]!.trim();
  if (password.length < 16) throw new ConfigError('city.nats.passwordFile', `${file}: the first line must hold the password (16 characters or more)`);
  return password;
}
