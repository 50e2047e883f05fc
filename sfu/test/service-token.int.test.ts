/**
 * The SFU's own calls to the recorder (evidence holds of bookmarks, incident exports) pass the
 * recorder's access control with a short-lived service token signed with the shared secret; a
 * forged, expired or missing one is refused, and holds made with it are audited as the system.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { checkServiceToken, SERVICE_HEADER, signServiceToken, verifyServiceToken } from '@wardwall/accounts';
import { startTestSystem } from '@wardwall/testing/system';

test('service tokens: signed with the secret, short-lived, exact form', () => {
  const secret = randomBytes(32);
  const now = Date.UTC(2026, 10, 28);
  const token = signServiceToken(secret, now);
  assert.equal(verifyServiceToken(secret, token, now), true);
  assert.equal(verifyServiceToken(secret, token, now + 61_000), false, 'expired after a minute');
  assert.equal(verifyServiceToken(randomBytes(32), token, now), false, 'another secret');
  assert.equal(verifyServiceToken(secret, token.replace(/\d{5}\./, '99999.'), now), false, 'a changed expiry breaks the MAC');
  assert.equal(verifyServiceToken(secret, `${token}x`, now), false);
  assert.equal(verifyServiceToken(secret, '', now), false);
});

test('service tokens made for a user: the user is covered by the MAC', () => {
  const secret = randomBytes(32);
  const now = Date.UTC(2026, 10, 28);
  const token = signServiceToken(secret, now, { name: 'điều tra viên', session: 'abcdefgh12345' });
  assert.deepEqual(checkServiceToken(secret, token, now), { ok: true, actor: { name: 'điều tra viên', session: 'abcdefgh' } });
  assert.deepEqual(checkServiceToken(secret, signServiceToken(secret, now), now), { ok: true, actor: null });
  // Another user swapped in: the MAC no longer matches.
  const parts = token.split('.');
  parts[2] = Buffer.from(JSON.stringify({ u: 'admin' })).toString('base64url');
  assert.deepEqual(checkServiceToken(secret, parts.join('.'), now), { ok: false });
  assert.deepEqual(checkServiceToken(secret, token, now + 61_000), { ok: false });
});

test('service tokens made for a user may carry a look-back floor, covered by the MAC', () => {
  const secret = randomBytes(32);
  const now = Date.UTC(2026, 10, 28);
  const floor = now - 2 * 86400_000;
  const token = signServiceToken(secret, now, { name: 'centre:thu', floor });
  assert.deepEqual(checkServiceToken(secret, token, now), { ok: true, actor: { name: 'centre:thu', session: null, floor } });
  assert.deepEqual(checkServiceToken(secret, signServiceToken(secret, now, { name: 'centre:thu', floor: null }), now), { ok: true, actor: { name: 'centre:thu', session: null } }, 'null: no limit, not written');
  // The floor taken out (no limit) or moved: the MAC no longer matches.
  const parts = token.split('.');
  parts[2] = Buffer.from(JSON.stringify({ u: 'centre:thu' })).toString('base64url');
  assert.deepEqual(checkServiceToken(secret, parts.join('.'), now), { ok: false });
  assert.throws(() => signServiceToken(secret, now, { name: 'x', floor: 1.5 }), /bad look-back floor/);
});

test('the recorder accepts the SFU service token (holds), refuses forged or missing ones', { timeout: 120_000 }, async (t) => {
  const sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, recorder: true, auth: true });
  t.after(() => sys.close());
  const base = `http://127.0.0.1:${sys.config.recorder.port}`;
  const holds = (headers: Record<string, string>) => fetch(`${base}/api/holds`, { headers });
  assert.equal((await holds({})).status, 401);
  assert.equal((await holds({ [SERVICE_HEADER]: signServiceToken(randomBytes(32), Date.now()) })).status, 401, 'forged');
  const ok = await holds(sys.sfu.auth.serviceHeaders());
  assert.equal(ok.status, 200);
  // A hold created by the service is audited as the system, with the author named in the body.
  const now = Date.now();
  const res = await fetch(`${base}/api/holds`, {
    method: 'POST',
    headers: { ...sys.sfu.auth.serviceHeaders(), 'content-type': 'application/json' },
    body: JSON.stringify({ camera: 'demo-1', from: now - 60_000, to: now, reason: 'bookmark test', createdBy: 'operator-a' }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const cookie = await sys.signIn();
  const audit = (await (await fetch(`${sys.sfu.url}api/audit?action=hold_add`, { headers: { cookie } })).json()) as { entries: { user: string; camera: string | null }[] };
  assert.ok(audit.entries.some((e) => e.user === 'system' && e.camera === 'demo-1'), JSON.stringify(audit));
});
