/**
 * `npm run audit:verify [-- --config FILE]`: walks the audit trail's hash chain. Prints OK and the
 * number of entries (exit 0), or the first broken link by its seq (exit 1).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfigOrExit } from '@wardwall/common/node';
import { APP_DB_FILE } from '../store/app-db.js';
import { AuditLog } from './audit-log.js';

const config = loadConfigOrExit();
const file = join(config.sfu.dataDir, APP_DB_FILE);
if (!existsSync(file)) {
  process.stderr.write(`no database at ${file}\n`);
  process.exit(2);
}
const db = new Database(file, { readonly: true, fileMustExist: true });
if (!AuditLog.ready(db)) {
  process.stderr.write('the database has no audit trail\n');
  process.exit(2);
}
const { entries, broken } = new AuditLog(db, null, Date.now, { migrate: false }).verify();
db.close();
if (!broken) {
  process.stdout.write(`OK: ${entries} audit entries, hash chain intact\n`);
  process.exit(0);
}
const what = { missing: 'is missing (deleted)', altered: 'was altered (its hash does not match its content)', relinked: 'does not link to the entry before it' }[broken.problem];
process.stdout.write(`BROKEN at seq ${broken.seq}: the entry ${what}\n`);
process.exit(1);
