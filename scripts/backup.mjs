/**
 * `npm run backup -- <dir> [--config <file>] [--installed]` (docs/operations.md): a consistent copy of
 * a running system, without stopping it, into `<dir>/wardwall-<UTC time>/`:
 *
 *   sfu/                  the SFU's data folder: wardwall.db by SQLite's online backup (accounts,
 *                         audit trail, bookmarks, residents, health...), the secrets and certificates
 *                         as files (0600 kept)
 *   sfu.audit-head.json   the signed head of the audit chain (when there is one)
 *   recordings/           the recorder's folder: index.sqlite by online backup first, then the
 *                         segment files (a segment the retention removes meanwhile is skipped)
 *
 * `--installed` reads the installed service's config and data (/etc/wardwall/config.jsonc,
 * /var/lib/wardwall/{sfu,recordings}), as the units do; run it as root. Runs the production build
 * (`npm run build` first): `node --conditions=wardwall-dist scripts/backup.mjs`.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { sfuDbPath } from '@wardwall/common/node';
import { loadConfig } from '@wardwall/server-kit';
import { headFilePath } from '@wardwall/accounts';

const RECORDER_DB = 'index.sqlite';

function fail(code, message) {
  process.stderr.write(`backup: ${code}: ${message}\n`);
  process.exit(2);
}

/** Copies a folder's files (not `skip`, not SQLite's -wal/-shm/-journal of a skipped file), modes kept. */
function copyTree(from, to, skip) {
  let files = 0;
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    if (skip.some((s) => entry.name === s || entry.name.startsWith(`${s}-`))) continue;
    if (entry.isDirectory()) files += copyTree(src, join(to, entry.name), skip);
    else if (entry.isFile()) {
      try {
        copyFileSync(src, join(to, entry.name));
        chmodSync(join(to, entry.name), statSync(src).mode & 0o777);
        files++;
      } catch (e) {
        if (e.code !== 'ENOENT') throw e; // removed by the retention meanwhile
      }
    }
  }
  return files;
}

async function onlineBackup(file, to) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    await db.backup(to);
  } finally {
    db.close();
  }
  chmodSync(to, 0o600);
}

const args = process.argv.slice(2);
const target = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--config');
if (!target) fail('BACKUP_BAD_ARGS', 'usage: npm run backup -- <dir> [--config <file>] [--installed]');
const env = { ...process.env };
const argv = [...process.argv];
if (args.includes('--installed')) {
  env.WARDWALL_CONFIG = '/etc/wardwall/config.jsonc';
  env.WARDWALL_SFU_DATA_DIR = '/var/lib/wardwall/sfu';
  env.WARDWALL_DATA_DIR = '/var/lib/wardwall/recordings';
}
let config;
try {
  config = loadConfig(argv, env);
} catch (e) {
  fail('BACKUP_CONFIG', e.message);
}
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = resolve(target, `wardwall-${stamp}`);
mkdirSync(out, { recursive: true, mode: 0o700 });
const sfuDir = resolve(config.sfu.dataDir);
const recDir = resolve(config.recorder.dataDir);
const report = [];

// The signed audit head first: the database copied after it holds every entry it signs (a head
// copied after the database could sign entries the copy lacks, and the copy would not verify).
const head = headFilePath(config);
if (existsSync(head)) {
  copyFileSync(head, join(out, 'sfu.audit-head.json'));
  report.push('sfu.audit-head.json');
}
if (existsSync(sfuDbPath(sfuDir))) {
  mkdirSync(join(out, 'sfu'), { recursive: true, mode: 0o700 });
  await onlineBackup(sfuDbPath(sfuDir), join(out, 'sfu', 'wardwall.db'));
  const files = copyTree(sfuDir, join(out, 'sfu'), ['wardwall.db']);
  report.push(`sfu: wardwall.db (online backup) + ${files} files`);
} else report.push(`sfu: no database at ${sfuDbPath(sfuDir)}`);
if (existsSync(join(recDir, RECORDER_DB))) {
  mkdirSync(join(out, 'recordings'), { recursive: true, mode: 0o700 });
  await onlineBackup(join(recDir, RECORDER_DB), join(out, 'recordings', RECORDER_DB));
  const files = copyTree(recDir, join(out, 'recordings'), [RECORDER_DB]);
  report.push(`recordings: ${RECORDER_DB} (online backup) + ${files} files`);
} else report.push(`recordings: no index at ${join(recDir, RECORDER_DB)}`);
process.stdout.write(`backup: ${out}\n  ${report.join('\n  ')}\n`);
