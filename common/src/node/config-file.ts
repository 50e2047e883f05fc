import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, resolveConfig, type Config } from '../config.js';

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

/** Reads, validates and freezes the configuration once. Throws ConfigError naming the key. */
export function loadConfig(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const path = configPath(argv, env);
  let file: unknown;
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new ConfigError('--config', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    try {
      // Whole-line `//` comments are allowed, so the example file can document every key.
      file = JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));
    } catch (e) {
      throw new ConfigError('(file)', `${path} is not valid JSON: ${(e as Error).message}`);
    }
  }
  return resolveConfig(file, env);
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
