import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ConfigError, resolveConfig, type Config } from '@wardwall/common';
import { JsoncSyntaxError, locateKey, parseJsonc } from './jsonc.js';

/** The config file path: `--config <file>` on the command line, else WARDWALL_CONFIG, else none. */
export function configPath(argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const i = argv.indexOf('--config');
  if (i >= 0) {
    const p = argv[i + 1];
    if (!p) throw new ConfigError('--config', 'needs a file path');
    return resolve(p);
  }
  return env.WARDWALL_CONFIG ? resolve(env.WARDWALL_CONFIG) : undefined;
}

/**
 * Reads, validates and freezes the configuration once. The file is JSONC (comments and trailing
 * commas allowed). Throws ConfigError naming the key and, for a value in the file, its line.
 */
export function loadConfig(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const path = configPath(argv, env);
  let file: unknown;
  let text = '';
  if (path) {
    try {
      // A byte order mark (Windows Notepad writes one) is not part of the JSON.
      text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
    } catch (e) {
      throw new ConfigError('--config', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    try {
      file = parseJsonc(text);
    } catch (e) {
      if (e instanceof JsoncSyntaxError) throw new ConfigError('(file)', `${path} is not valid JSONC: ${e.message}`);
      throw e;
    }
  }
  try {
    return resolveConfig(file, env);
  } catch (e) {
    throw path ? withLine(e, path, text) : e;
  }
}

/** The same error with the line (and column) where its key is written in the file, when it is. */
export function withLine(e: unknown, path: string, text: string): unknown {
  if (!(e instanceof ConfigError) || !e.path) return e;
  const at = locateKey(text, e.path);
  if (!at) return e;
  const where = at.exact ? `${basename(path)} line ${at.line}, column ${at.column}` : `in the block at ${basename(path)} line ${at.line}`;
  return new ConfigError(e.key, `${e.detail} (${where})`, e.path);
}

/** For a process main: load the config or print the error naming the key and exit with status 2. */
export function loadConfigOrExit(): Readonly<Config> {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}
