/** Pure pieces of the accounts and the audit chain (moved from sfu/test/auth-unit.test.ts): table cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearedCookie, readCookie, sessionCookie, signToken, verifyToken } from '@wardwall/accounts';
import { hashPassword, parseHash, randomPassword, verifyPassword } from '@wardwall/accounts';
import { allows, cameraMap, cameraRights, lookbackDays, playbackFloor, type Grantee } from '@wardwall/accounts';
import { entryHash, firstBreak, GENESIS_HASH, type ChainEntry } from '@wardwall/accounts';

const secret = Buffer.alloc(32, 7);
const SID = 'abcdefghijklmnopqrstuvwxyz012345';

test('tokens: signed, expiring, tamper-evident', () => {
  const t = signToken(secret, SID, 2000);
  assert.deepEqual(verifyToken(secret, t, 1000), { ok: true, sessionId: SID, expiresMs: 2000 });
  const cases: [string, string, number, string][] = [
    ['expired', t, 2000, 'expired'],
    ['other secret', signToken(Buffer.alloc(32, 8), SID, 2000), 1000, 'bad_mac'],
    ['longer life', t.replace('.2000.', '.9999.'), 1000, 'bad_mac'],
    ['other session', t.replace(SID, SID.replace('a', 'b')), 1000, 'bad_mac'],
    ['two parts', `${SID}.2000`, 1000, 'malformed'],
    ['CRLF', `${t}\r\nX: y`, 1000, 'malformed'],
    ['huge', 'a'.repeat(5000), 1000, 'malformed'],
    ['empty', '', 1000, 'malformed'],
  ];
  for (const [name, token, now, reason] of cases) assert.deepEqual(verifyToken(secret, token, now), { ok: false, reason }, name);
});

test('cookies: one ww_session, flags', () => {
  const cases: [string | undefined, string | null][] = [
    [undefined, null],
    ['ww_session=abc', 'abc'],
    ['a=1; ww_session=abc ; b=2', 'abc'],
    ['ww_session=a; ww_session=b', null], // ambiguous: refused
    ['xww_session=abc', null],
    [`ww_session=${'x'.repeat(9000)}`, null],
  ];
  for (const [header, want] of cases) assert.equal(readCookie(header, 'ww_session'), want, String(header).slice(0, 40));
  assert.equal(sessionCookie('T', { secure: true, maxAgeS: 60 }), 'ww_session=T; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure');
  assert.equal(clearedCookie(false), 'ww_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
});

test('passwords: scrypt, verified in constant time, unknown users cost the same', async () => {
  const h = await hashPassword('correct horse');
  assert.match(h, /^scrypt\$16384\$8\$1\$/);
  assert.ok(parseHash(h));
  assert.equal(await verifyPassword('correct horse', h), true);
  assert.equal(await verifyPassword('correct horsE', h), false);
  assert.equal(await verifyPassword('anything', null), false);
  assert.equal(await verifyPassword('x', 'not-a-hash'), false);
  assert.notEqual(await hashPassword('correct horse'), h, 'salted');
  for (const bad of ['scrypt$3$8$1$AAAA$AAAA', 'scrypt$16384$0$1$AAAA$AAAA', 'bcrypt$x']) assert.equal(parseHash(bad), null, bad);
  const p = randomPassword();
  assert.match(p, /^[a-zA-Z2-9]{18}$/);
});

test('rights: role defaults, camera rules (exact over "*"), admin always, look-back', () => {
  const cams = ['a', 'b'];
  const op: Grantee = { role: 'operator', cameraRules: [] };
  const resident: Grantee = { role: 'operator', cameraRules: [{ camera: 'b', permissions: ['live'] }] };
  const starNone: Grantee = { role: 'commander', cameraRules: [{ camera: '*', permissions: [] }, { camera: 'a', permissions: ['playback'] }] };
  const viewer: Grantee = { role: 'viewer', cameraRules: [] };
  const admin: Grantee = { role: 'admin', cameraRules: [{ camera: '*', permissions: [] }] };
  const cases: [string, Grantee, Parameters<typeof allows>[1], string | undefined, boolean][] = [
    ['operator live', op, 'live', 'a', true],
    ['operator export', op, 'export', 'a', true],
    ['operator audit', op, 'audit', undefined, false],
    ['operator control', op, 'control', undefined, true],
    ['resident b playback', resident, 'playback', 'b', false],
    ['resident b live', resident, 'live', 'b', true],
    ['resident a export', resident, 'export', 'a', true],
    ['star none, b live', starNone, 'live', 'b', false],
    ['star none, a playback', starNone, 'playback', 'a', true],
    ['star none, any playback', starNone, 'playback', undefined, true],
    ['star none, any export', starNone, 'export', undefined, false],
    ['commander audit', starNone, 'audit', undefined, true],
    ['viewer playback', viewer, 'playback', 'a', false],
    ['viewer live', viewer, 'live', 'a', true],
    ['viewer bookmark', viewer, 'bookmark', undefined, false],
    ['admin despite rules', admin, 'export', 'a', true],
    ['admin admin', admin, 'admin', undefined, true],
  ];
  for (const [name, g, perm, cam, want] of cases) assert.equal(allows(g, perm, cam, cams), want, name);
  assert.deepEqual(cameraMap(resident, cams), { a: ['live', 'playback', 'export'], b: ['live'] });
  assert.deepEqual(cameraMap(starNone, cams), { a: ['playback'] });
  assert.deepEqual(cameraRights(viewer, 'zz'), ['live']);
  assert.equal(lookbackDays(op), 7);
  assert.equal(lookbackDays({ ...op, lookbackDays: null }), null);
  assert.equal(lookbackDays({ role: 'commander', cameraRules: [], lookbackDays: 3 }), 3);
  assert.equal(playbackFloor(op, 10 * 86400000), 3 * 86400000);
  assert.equal(playbackFloor({ role: 'commander', cameraRules: [] }, 5), -Infinity);
});

test('audit chain: intact, altered, removed, relinked', () => {
  const entries: ChainEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= 5; seq++) {
    const e = { seq, at: 1000 + seq, user: 'u', action: 'login', camera: seq % 2 ? 'a' : null, detail: `{"n":${seq}}`, prevHash: prev };
    const hash = entryHash(e);
    entries.push({ ...e, hash });
    prev = hash;
  }
  assert.equal(firstBreak(entries), null);
  assert.deepEqual(firstBreak(entries.map((e) => (e.seq === 3 ? { ...e, user: 'someone else' } : e))), { seq: 3, problem: 'altered' });
  assert.deepEqual(firstBreak(entries.filter((e) => e.seq !== 2)), { seq: 2, problem: 'missing' });
  assert.deepEqual(firstBreak(entries.slice(1)), { seq: 1, problem: 'missing' });
  // Rewriting an entry with a fresh hash still breaks the next link.
  const forged = entries.map((e) => (e.seq === 4 ? { ...e, detail: '{}', hash: entryHash({ ...e, detail: '{}' }) } : e));
  assert.deepEqual(firstBreak(forged), { seq: 5, problem: 'relinked' });
});
