/**
 * The audit trail against real SQLite and the real `npm run audit:verify` program: appends chain,
 * triggers refuse UPDATE/DELETE, and tampering (triggers dropped, as an attacker with the file would)
 * is reported with the seq of the first broken link. Two processes appending keep one chain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAppDb } from '../src/store/app-db.js';
import { AuditLog } from '../src/audit/audit-log.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function verify(dir: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'sfu/src/audit/verify-cli.ts'], { cwd: root, encoding: 'utf8', env: { ...process.env, WARDWALL_SFU_DATA_DIR: dir }, timeout: 60000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

function trail(n: number): { dir: string; db: ReturnType<typeof openAppDb>; audit: AuditLog } {
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-audit-'));
  const db = openAppDb(dir);
  const audit = new AuditLog(db);
  for (let i = 1; i <= n; i++) audit.append({ name: `user${i % 3}`, sessionId: 'abcdefgh1234' }, i % 2 ? 'live_start' : 'playback', `demo-${i % 4}`, { i });
  return { dir, db, audit };
}

test('an intact trail verifies; UPDATE and DELETE are refused by triggers', () => {
  const { dir, db } = trail(20);
  assert.throws(() => db.prepare("UPDATE audit_log SET user = 'x' WHERE seq = 3").run(), /append-only/);
  assert.throws(() => db.prepare('DELETE FROM audit_log WHERE seq = 3').run(), /append-only/);
  db.close();
  const r = verify(dir);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /OK: 20 audit entries/);
});

test('an edited entry: audit:verify fails and names its seq', () => {
  const { dir, db } = trail(20);
  db.exec('DROP TRIGGER audit_log_no_update');
  db.prepare(`UPDATE audit_log SET detail = '{"i":999}' WHERE seq = 7`).run();
  db.close();
  const r = verify(dir);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /BROKEN at seq 7: .*altered/);
});

test('a deleted entry: audit:verify fails and names its seq', () => {
  const { dir, db } = trail(20);
  db.exec('DROP TRIGGER audit_log_no_delete');
  db.prepare('DELETE FROM audit_log WHERE seq = 12').run();
  db.close();
  const r = verify(dir);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /BROKEN at seq 12: .*missing/);
});

test('two processes appending at once keep one intact chain', async () => {
  const { dir, db, audit } = trail(1);
  const script = `
    import { openAppDb } from './sfu/src/store/app-db.ts';
    import { AuditLog } from './sfu/src/audit/audit-log.ts';
    const a = new AuditLog(openAppDb(process.env.DIR));
    for (let i = 0; i < 300; i++) if (a.append('other-process', 'playback', 'demo-1', { i }) === null) process.exit(3);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, env: { ...process.env, DIR: dir }, stdio: 'inherit' });
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  let mine = 0;
  while (exited === null) {
    assert.ok(audit.append('this-process', 'live_start', 'demo-2', { i: mine++ }) !== null);
    await new Promise((r) => setTimeout(r, 1));
  }
  assert.equal(exited, 0);
  assert.deepEqual(audit.verify(), { entries: 1 + 300 + mine, broken: null });
  const users = (db.prepare('SELECT user FROM audit_log ORDER BY seq').all() as { user: string }[]).map((r) => r.user);
  const switches = users.filter((u, i) => i > 1 && u !== users[i - 1]).length;
  assert.ok(switches >= 2, `the two writers interleaved (${switches} switches)`);
  db.close();
  assert.equal(verify(dir).status, 0);
});
