/**
 * Unit tests of the pure parts of central users (docs/city.md, "Central users"): the centre's
 * signed assertion (sign, verify, tampering, expiry and clock skew, audience, use, replay), the
 * key file, rule targets naming wards and ward cameras (schema, precedence, CLI arguments, the
 * admin form), the rights an assertion carries, and the ward's checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, CAMERA_RULE_TARGET } from '@wardwall/common';
import { cameraRights, cameraRuleSchema, ruleFor, storePolicy, type Grantee, type Principal } from '@wardwall/accounts';
import { CLOCK_SKEW_MS, MAX_ASSERTION_MS, parsePublicKeyText, publicKeyText, SeenAssertions, signAssertion, verifyAssertion, assertionRights, type AssertionInput } from '../src/city/assertion.js';
import { ASSERTION_KEY_FILE, ASSERTION_PUBLIC_FILE, loadOrCreateCentreKey } from '../src/city/assertion-key.js';
import { queryInstant, useOfRequest, WardCentralAccess } from '../src/city/ward-central.js';
import { wardRights, wardTarget, centreSigner } from '../src/city/centre-recordings.js';
import { answerWatch, unwatchUse, watchUse } from '../src/city/ward-link.js';
import { parseRuleArgs, parseUserArgs } from '../src/auth/cli-args.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const T0 = 1_765_100_000_000;
const input: AssertionInput = { sub: 'thu', name: 'Nguyễn Thị Thu', aud: 'w1', rights: { '*': ['live'], 'gate-1': ['live', 'playback'] }, floor: null, use: 'GET /api/city-ward/recordings/gate-1/spans?from=1&to=2' };
const want = { audience: 'w1', use: input.use, now: T0 + 1000 };

test('assertion: signed and verified; the claims come back', () => {
  const token = signAssertion(privateKey, input, T0);
  assert.match(token, /^wwa1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
  const r = verifyAssertion(publicKey, token, want);
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.equal(r.claims.sub, 'thu');
  assert.equal(r.claims.name, 'Nguyễn Thị Thu');
  assert.equal(r.claims.exp - r.claims.iat, 60_000);
  assert.deepEqual(assertionRights(r.claims, 'gate-1'), ['live', 'playback']);
  assert.deepEqual(assertionRights(r.claims, 'gate-2'), ['live'], "a camera not named takes '*'");
  assert.deepEqual(assertionRights({ ...r.claims, rights: {} }, 'gate-2'), [], 'no entry: no right');
});

test('assertion: tampering, another key and junk are refused', () => {
  const token = signAssertion(privateKey, input, T0);
  const [p, claims, sig] = token.split('.') as [string, string, string];
  // The claims changed (rights widened) with the signature kept.
  const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(claims, 'base64url').toString()), rights: { '*': ['live', 'playback', 'export'] } })).toString('base64url');
  assert.deepEqual(verifyAssertion(publicKey, `${p}.${widened}.${sig}`, want), { ok: false, reason: 'bad_signature' });
  // One bit of the signature flipped.
  const bad = Buffer.from(sig, 'base64url');
  bad[5] = bad[5]! ^ 1;
  assert.deepEqual(verifyAssertion(publicKey, `${p}.${claims}.${bad.toString('base64url')}`, want), { ok: false, reason: 'bad_signature' });
  // Signed by another key (a forged centre).
  const other = generateKeyPairSync('ed25519').privateKey;
  assert.deepEqual(verifyAssertion(publicKey, signAssertion(other, input, T0), want), { ok: false, reason: 'bad_signature' });
  for (const junk of ['', 'wwa1', 'wwa1..', `wwa2.${claims}.${sig}`, `${token}x`, 'x'.repeat(5000)]) assert.equal(verifyAssertion(publicKey, junk, want).ok, false, junk.slice(0, 20));
});

test('assertion: expiry with the clock-skew tolerance, not yet valid, too long a life', () => {
  const token = signAssertion(privateKey, input, T0);
  assert.equal(verifyAssertion(publicKey, token, { ...want, now: T0 + 60_000 + CLOCK_SKEW_MS - 1 }).ok, true, 'within the skew after exp');
  assert.deepEqual(verifyAssertion(publicKey, token, { ...want, now: T0 + 60_000 + CLOCK_SKEW_MS }), { ok: false, reason: 'expired' });
  assert.equal(verifyAssertion(publicKey, token, { ...want, now: T0 - CLOCK_SKEW_MS }).ok, true, 'a ward clock behind by the skew');
  assert.deepEqual(verifyAssertion(publicKey, token, { ...want, now: T0 - CLOCK_SKEW_MS - 1 }), { ok: false, reason: 'not_yet_valid' });
  // The signer caps the life at 5 minutes; a longer one (made by hand with the key) is refused.
  const capped = verifyAssertion(publicKey, signAssertion(privateKey, input, T0, 3_600_000), want);
  assert.ok(capped.ok && capped.claims.exp - capped.claims.iat === MAX_ASSERTION_MS);
});

test('assertion: audience, use and replay', () => {
  const token = signAssertion(privateKey, input, T0);
  assert.deepEqual(verifyAssertion(publicKey, token, { ...want, audience: 'w2' }), { ok: false, reason: 'wrong_audience' });
  assert.deepEqual(verifyAssertion(publicKey, token, { ...want, use: 'GET /api/city-ward/recordings/gate-2/spans?from=1&to=2' }), { ok: false, reason: 'wrong_use' });
  const seen = new SeenAssertions();
  assert.equal(verifyAssertion(publicKey, token, { ...want, seen }).ok, true);
  assert.deepEqual(verifyAssertion(publicKey, token, { ...want, seen }), { ok: false, reason: 'replayed' });
  // A refused token does not take a place in the replay table.
  verifyAssertion(publicKey, signAssertion(privateKey, input, T0), { ...want, audience: 'w9', seen });
  assert.equal(seen.size, 1);
});

test('SeenAssertions: bounded, fails closed when full, forgets expired ids', () => {
  const s = new SeenAssertions(2);
  assert.equal(s.take('a'.repeat(16), 100, 0), true);
  assert.equal(s.take('b'.repeat(16), 200, 0), true);
  assert.equal(s.take('c'.repeat(16), 300, 50), false, 'full of unexpired ids: refused');
  assert.equal(s.take('c'.repeat(16), 300, 150), true, 'the first expired: room again');
  assert.equal(s.take('b'.repeat(16), 200, 150), false);
});

test('centre key: generated once, 0600, the same key at the next start; public key text round-trips', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-centre-key-'));
  const a = loadOrCreateCentreKey(dir);
  const b = loadOrCreateCentreKey(dir);
  assert.equal(a.publicText, b.publicText);
  assert.equal(statSync(join(dir, ASSERTION_KEY_FILE)).mode & 0o777, 0o600);
  assert.equal(readFileSync(join(dir, ASSERTION_PUBLIC_FILE), 'utf8').trim(), a.publicText);
  const pub = parsePublicKeyText(a.publicText);
  assert.equal(publicKeyText(pub), a.publicText);
  assert.equal(verifyAssertion(pub, signAssertion(a.privateKey, input, T0), want).ok, true);
  assert.throws(() => parsePublicKeyText('ed25519:short'), /43 base64url/);
});

test('rules: targets naming wards and ward cameras, precedence', () => {
  for (const ok of ['*', 'gate-1', 'w1/*', 'w1/gate-1', 'ward_9/cam-2']) assert.ok(CAMERA_RULE_TARGET.test(ok), ok);
  for (const bad of ['', 'W1/*', 'w1/', '/*', 'w1/*/x', 'hub/gate-1', 'w1//gate', '*/gate', 'w1/Gate']) assert.ok(!CAMERA_RULE_TARGET.test(bad), bad);
  assert.equal(cameraRuleSchema.safeParse({ camera: 'w1/*', permissions: ['live'] }).success, true);
  assert.equal(cameraRuleSchema.safeParse({ camera: 'w1/a/b', permissions: ['live'] }).success, false);
  const g: Grantee = {
    role: 'viewer',
    cameraRules: [
      { camera: '*', permissions: [] },
      { camera: 'w1/*', permissions: ['live', 'playback'] },
      { camera: 'w1/gate-1', permissions: ['live'] },
    ],
  };
  assert.deepEqual(cameraRights(g, 'w1/gate-1'), ['live'], 'the exact camera wins');
  assert.deepEqual(cameraRights(g, 'w1/gate-2'), ['live', 'playback'], 'then the ward');
  assert.deepEqual(cameraRights(g, 'w2/gate-1'), [], "then '*'");
  assert.deepEqual(cameraRights(g, 'demo-1'), [], "a station camera: '*'");
  assert.equal(ruleFor(g.cameraRules, 'w1/*')?.camera, 'w1/*');
});

test('rights carried by an assertion: the ward, its named cameras, the look-back', () => {
  const users: Record<string, Grantee & { lookbackDays?: number | null }> = {
    thu: { role: 'viewer', cameraRules: [{ camera: 'w1/*', permissions: ['live', 'playback'] }, { camera: 'w1/gate-2', permissions: [] }] },
    op: { role: 'operator', cameraRules: [] },
  };
  const policy = storePolicy((id) => users[id] ?? null, () => []);
  const p = (u: string): Principal => ({ userId: u, name: u, username: u, role: users[u]!.role, sessionId: 's' });
  assert.deepEqual(wardRights(policy, p('thu'), 'w1', ['gate-1', 'gate-2']), { '*': ['live', 'playback'], 'gate-2': [] });
  assert.deepEqual(wardRights(policy, p('thu'), 'w2', ['gate-1']), { '*': ['live'] }, "no rule on w2 and no '*' rule: the viewer role's live");
  const signer = centreSigner(privateKey, policy, () => ['gate-1'], () => T0);
  const r = verifyAssertion(publicKey, signer.sign(p('op'), 'w1', watchUse('gate-1', 'main')), { audience: 'w1', use: 'watch gate-1 main', now: T0 });
  assert.ok(r.ok);
  if (r.ok) {
    assert.deepEqual(r.claims.rights, { '*': ['live', 'playback', 'export'] });
    assert.equal(r.claims.floor, T0 - 7 * 86_400_000, "an operator's 7-day look-back");
  }
});

test('ward checks: no key, a key, rights, look-back; watch replies', () => {
  const pub = publicKeyText(publicKey);
  assert.throws(() => new WardCentralAccess({ ward: 'w1', centreKey: null, accessControl: true }).check('x', 'u'), (e: AppError) => e.status === 401 && e.code === 'CENTRE_ASSERTION');
  assert.equal(new WardCentralAccess({ ward: 'w1', centreKey: null, accessControl: false }).check(undefined, 'u').claims, null, 'access control off, no key: let through');
  const ward = new WardCentralAccess({ ward: 'w1', centreKey: pub, accessControl: false, now: () => T0 });
  assert.throws(() => ward.check(undefined, input.use), (e: AppError) => e.status === 401, 'a key pinned: always checked');
  const u = ward.check(signAssertion(privateKey, input, T0), input.use);
  assert.equal(u.name, 'centre:thu');
  ward.requireCamera(u, 'playback', 'gate-1');
  assert.throws(() => ward.requireCamera(u, 'playback', 'gate-2'), (e: AppError) => e.status === 403);
  assert.throws(() => ward.check(signAssertion(privateKey, { ...input, aud: 'w2' }, T0), input.use), (e: AppError) => e.status === 403);
  const floored = ward.check(signAssertion(privateKey, { ...input, floor: T0 - 1000 }, T0), input.use);
  // The floor goes to the recorder with the service token (it checks segments by id too).
  assert.deepEqual(ward.actor(floored), { name: 'centre:thu', floor: T0 - 1000 });
  assert.deepEqual(ward.actor(u), { name: 'centre:thu', floor: input.floor });
  const watch = (rights: AssertionInput['rights']) => answerWatch(ward, null, { cameraId: 'gate-1', stream: 'main', assertion: signAssertion(privateKey, { ...input, rights, use: watchUse('gate-1', 'main') }, T0) });
  assert.deepEqual(watch({ '*': ['live'] }), { watching: true });
  const refused = watch({ '*': ['playback'] });
  assert.ok('refused' in refused && refused.refused.status === 403);
  // The end of watching: a valid assertion for `unwatch` is enough (no right needed), a `watch` one is not.
  const stop = (use: string) => answerWatch(ward, null, { cameraId: 'gate-1', stream: 'main', assertion: signAssertion(privateKey, { ...input, rights: {}, use }, T0) }, true);
  assert.deepEqual(stop(unwatchUse('gate-1', 'main')), { watching: true });
  const wrongUse = stop(watchUse('gate-1', 'main'));
  assert.ok('refused' in wrongUse && wrongUse.refused.status === 403);
  const forged = answerWatch(ward, null, { cameraId: 'gate-1', stream: 'main', assertion: signAssertion(generateKeyPairSync('ed25519').privateKey, { ...input, use: watchUse('gate-1', 'main') }, T0) });
  assert.ok('refused' in forged && forged.refused.status === 401);
});

test('helpers: query instants, request use, ward targets', () => {
  assert.equal(queryInstant(new URL('http://x/?from=1765100000000'), 'from'), 1765100000000);
  assert.equal(queryInstant(new URL('http://x/?at=2026-12-07T08:00:00Z'), 'at'), Date.parse('2026-12-07T08:00:00Z'));
  assert.equal(queryInstant(new URL('http://x/?from=junk'), 'from'), null);
  assert.equal(useOfRequest('GET', new URL('http://x/api/city-ward/recordings/a/spans?from=1')), 'GET /api/city-ward/recordings/a/spans?from=1');
  assert.deepEqual(wardTarget('https://10.77.1.2:8443', 'w1'), { host: '10.77.1.2', port: 8443, protocol: 'https:' });
  assert.deepEqual(wardTarget('http://ward1.example', 'w1'), { host: 'ward1.example', port: 80, protocol: 'http:' });
  assert.throws(() => wardTarget(null, 'w1'), (e: AppError) => e.status === 503 && e.code === 'WARD_UNAVAILABLE');
});

test('npm run user -- rules: ward and ward-camera rules', () => {
  assert.deepEqual(parseUserArgs(['rules', 'thu', 'w1/*=live,playback', 'w2/gate-1=live', '*=']), {
    cmd: 'rules',
    username: 'thu',
    rules: [
      { camera: 'w1/*', permissions: ['live', 'playback'] },
      { camera: 'w2/gate-1', permissions: ['live'] },
      { camera: '*', permissions: [] },
    ],
  });
  assert.deepEqual(parseUserArgs(['rules', 'thu']), { cmd: 'rules', username: 'thu', rules: [] });
  assert.match((parseRuleArgs(['w1/*']) as { error: string }).error, /<camera>=<rights>/);
  assert.match((parseRuleArgs(['hub/x=live']) as { error: string }).error, /ward/);
  assert.match((parseRuleArgs(['w1/*=watch']) as { error: string }).error, /unknown right "watch"/);
  assert.match((parseRuleArgs(['w1/*=live', 'w1/*=']) as { error: string }).error, /twice/);
});
