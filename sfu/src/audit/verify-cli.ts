/**
 * `npm run audit:verify [-- --config FILE]`: walks the audit trail's keyed hash chain with the chain
 * key and checks it against the signed chain head written outside the database. Prints OK and the
 * number of entries (exit 0), or the first problem (exit 1): an entry altered, removed or
 * relinked, rows deleted from the end or rewritten since the last signed head, a head that is
 * missing or not signed by the chain key.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfigOrExit } from '@wardwall/server-kit';
import { APP_DB_FILE } from '@wardwall/server-kit';
import { AuditLog } from '@wardwall/accounts';
import { chainKeyPath, readChainKey } from '@wardwall/accounts';
import { headFilePath, readHead } from '@wardwall/accounts';
import { checkAgainstHead } from '@wardwall/accounts';

const config = loadConfigOrExit();
const file = join(config.sfu.dataDir, APP_DB_FILE);
const exit = (code: number, text: string): never => {
  (code === 0 ? process.stdout : code === 1 ? process.stdout : process.stderr).write(`${text}\n`);
  process.exit(code);
};
if (!existsSync(file)) exit(2, `no database at ${file}`);
const keyFile = chainKeyPath(config);
const key = readChainKey(keyFile);
if (!key) exit(2, `no audit chain key at ${keyFile}: the keyed chain cannot be verified (run as the SFU's user)`);
const db = new Database(file, { readonly: true, fileMustExist: true });
if (!AuditLog.ready(db)) exit(2, 'the database has no audit trail');
const audit = new AuditLog(db, null, Date.now, { migrate: false, key: key! });
const { entries, broken } = audit.verify();
if (broken) {
  db.close();
  const what = { missing: 'is missing (deleted)', altered: 'was altered (its keyed hash does not match its content)', relinked: 'does not link to the entry before it' }[broken.problem];
  exit(1, `BROKEN at seq ${broken.seq}: the entry ${what}`);
}
const headFile = headFilePath(config);
let headProblem: string | null;
try {
  headProblem = checkAgainstHead(audit, key!, readHead(headFile), entries);
} catch (e) {
  headProblem = (e as Error).message;
}
db.close();
if (headProblem) exit(1, `BROKEN: ${headProblem} (head file ${headFile})`);
exit(0, `OK: ${entries} audit entries, keyed hash chain intact and matching the signed head`);
