/**
 * The audit trail against real SQLite and the real `npm run audit:verify` program: appends chain
 * (HMAC with the chain key), triggers refuse UPDATE/DELETE, and tampering (triggers dropped, as an
 * attacker with the file would) is reported: an edited, deleted or relinked entry by its seq;
 * rows deleted from the end, rows rewritten with recomputed hashes, a moved keyed start, a missing
 * or forged head, thanks to the signed head written outside the database. Two processes appending
 * keep one chain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAppDb } from '@wardwall/server-kit';
import { AuditLog } from '@wardwall/accounts';
import { HeadWriter, HEAD_FORMAT, headSignedByPublicKey, readHead } from '@wardwall/accounts';
import { GENESIS_HASH } from '@wardwall/accounts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function verify(dir: string): { status: number | null; out: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WARDWALL_')));
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'sfu/src/audit/verify-cli.ts'], { cwd: root, encoding: 'utf8', env: { ...env, WARDWALL_SFU_DATA_DIR: dir }, timeout: 60000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

const headFile = (dir: string) => `${dir}.audit-head.json`;

/** A trail of n entries in a fresh data dir, its signed head written beside the dir (as the SFU does). */
function trail(n: number): { dir: string; db: ReturnType<typeof openAppDb>; audit: AuditLog; writeHead: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-audit-'));
  const db = openAppDb(dir);
  const audit = new AuditLog(db);
  for (let i = 1; i <= n; i++) audit.append({ name: `user${i % 3}`, sessionId: 'abcdefgh1234' }, i % 2 ? 'live_start' : 'playback', `demo-${i % 4}`, { i });
  const writeHead = () => new HeadWriter({ tail: () => audit.tail(), keyedFrom: audit.keyedFrom, key: audit.key, file: headFile(dir), everyMs: 1000, webhook: null, log: null }).writeNow();
  writeHead();
  return { dir, db, audit, writeHead };
}

/** What an attacker without the chain key can do: recompute plain SHA-256 hashes from `fromSeq` on. */
function rewriteFrom(db: ReturnType<typeof openAppDb>, fromSeq: number, edit: (r: Row) => Row): void {
  db.exec('DROP TRIGGER audit_log_no_update');
  const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Row[];
  let prev = rows.find((r) => r.seq === fromSeq - 1)?.hash ?? GENESIS_HASH;
  for (const r of rows.filter((x) => x.seq >= fromSeq)) {
    const e = edit({ ...r, prev_hash: prev });
    const hash = createHash('sha256').update(JSON.stringify([e.seq, e.at, e.user, e.action, e.camera, e.detail, e.prev_hash])).digest('hex');
    db.prepare('UPDATE audit_log SET user = ?, detail = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(e.user, e.detail, e.prev_hash, hash, e.seq);
    prev = hash;
  }
}
interface Row { seq: number; at: number; user: string; action: string; camera: string | null; detail: string; prev_hash: string; hash: string }

test('an intact trail verifies; UPDATE and DELETE are refused by triggers; the key file is 0600', () => {
  const { dir, db, audit } = trail(20);
  assert.throws(() => db.prepare("UPDATE audit_log SET user = 'x' WHERE seq = 3").run(), /append-only/);
  assert.throws(() => db.prepare('DELETE FROM audit_log WHERE seq = 3').run(), /append-only/);
  assert.throws(() => db.prepare('UPDATE audit_chain SET keyed_from = 99').run(), /fixed/);
  assert.equal(statSync(join(dir, 'audit-chain-key')).mode & 0o777, 0o600);
  assert.equal(audit.keyedFrom, 1, 'a new trail is keyed from its first entry');
  db.close();
  const r = verify(dir);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /OK: 20 audit entries/);
  // The head is readable by anyone and verifiable with its public key alone (a webhook receiver).
  const head = readHead(headFile(dir))!;
  assert.equal(head.seq, 20);
  assert.equal(headSignedByPublicKey(head.publicKey, head), true);
  assert.equal(headSignedByPublicKey(head.publicKey, { ...head, seq: 19 }), false);
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

test('the last rows deleted: caught by the signed head', () => {
  const { dir, db } = trail(20);
  db.exec('DROP TRIGGER audit_log_no_delete');
  db.prepare('DELETE FROM audit_log WHERE seq > 16').run();
  db.close();
  const r = verify(dir);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /BROKEN: entries 17\.\.20 are missing/);
});

test('rows rewritten from some row onward with recomputed hashes: caught (keyed chain), also with the keyed start moved (signed head)', () => {
  const a = trail(20);
  rewriteFrom(a.db, 10, (r) => ({ ...r, user: r.seq === 10 ? 'nobody' : r.user }));
  a.db.close();
  const r1 = verify(a.dir);
  assert.equal(r1.status, 1, r1.out);
  assert.match(r1.out, /BROKEN at seq 10: .*altered/);

  // The attacker also moves the keyed start past the end, so the plain SHA-256 chain passes the walk.
  const b = trail(20);
  b.db.exec('DROP TRIGGER audit_chain_no_update');
  b.db.prepare('UPDATE audit_chain SET keyed_from = 1000').run();
  rewriteFrom(b.db, 1, (r) => ({ ...r, detail: r.seq === 10 ? '{"i":0}' : r.detail }));
  b.db.close();
  const r2 = verify(b.dir);
  assert.equal(r2.status, 1, r2.out);
  assert.match(r2.out, /BROKEN: the keyed chain starts at seq 1000 in the database but at 1 in the signed head/);
});

test('a head deleted or replaced by one signed with another key: caught', () => {
  const a = trail(5);
  a.db.close();
  unlinkSync(headFile(a.dir));
  const r1 = verify(a.dir);
  assert.equal(r1.status, 1, r1.out);
  assert.match(r1.out, /signed chain head is missing/);

  const b = trail(5);
  b.db.close();
  const head = JSON.parse(readFileSync(headFile(b.dir), 'utf8')) as Record<string, unknown>;
  const other = generateKeyPairSync('ed25519');
  const forged: Record<string, unknown> = { ...head, seq: 3, publicKey: other.publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };
  forged.signature = sign(null, Buffer.from(JSON.stringify([HEAD_FORMAT, 3, forged.hash, forged.keyedFrom, forged.at])), other.privateKey).toString('base64');
  writeFileSync(headFile(b.dir), JSON.stringify(forged));
  const r2 = verify(b.dir);
  assert.equal(r2.status, 1, r2.out);
  assert.match(r2.out, /not signed by this trail's chain key/);
});

test('entries appended after the last head are fine; a trail without its key cannot be verified', () => {
  const { dir, db, audit } = trail(5);
  audit.append('system', 'cameras_configured');
  db.close();
  assert.equal(verify(dir).status, 0);
  unlinkSync(join(dir, 'audit-chain-key'));
  const r = verify(dir);
  assert.equal(r.status, 2, r.out);
  assert.match(r.out, /no audit chain key/);
});

test('two processes appending at once keep one intact chain', async () => {
  const { dir, db, audit, writeHead } = trail(1);
  const script = `
    import { openAppDb } from './server-kit/src/app-db.ts';
    import { AuditLog } from './accounts/src/audit/audit-log.ts';
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
  writeHead();
  db.close();
  assert.equal(verify(dir).status, 0);
});

test('the head is written when the trail grows and POSTed to the webhook, verifiable with the public key alone', async () => {
  const { dir, db, audit } = trail(3);
  const received: Record<string, unknown>[] = [];
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const w = new HeadWriter({ tail: () => audit.tail(), keyedFrom: audit.keyedFrom, key: audit.key, file: headFile(dir), everyMs: 100, webhook: `http://127.0.0.1:${port}/heads`, log: null });
  w.start();
  audit.append('system', 'cameras_configured');
  const deadline = Date.now() + 10_000;
  while (!received.some((h) => h.seq === 4) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  w.close();
  server.close();
  const last = received.find((h) => h.seq === 4) as unknown as Parameters<typeof headSignedByPublicKey>[1];
  assert.ok(last, JSON.stringify(received));
  assert.equal(headSignedByPublicKey(last.publicKey, last), true);
  assert.equal(readHead(headFile(dir))!.seq, 4);
  db.close();
  assert.equal(verify(dir).status, 0);
});
