import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addRule,
  addWardRule,
  createUserBody,
  isWardRule,
  emptyUserForm,
  formOfUser,
  isLocked,
  parseRoles,
  parseUsers,
  patchUserBody,
  rulesSummary,
  toggleRulePermission,
  validatePasswordChange,
  validateUserForm,
  type UserForm,
  type UserRecord,
} from '../src/core/user-admin.js';

const valid: UserForm = { ...emptyUserForm(), username: 'Nguyen.A', displayName: ' Nguyễn Văn A ', role: 'commander', password: 'correct horse', confirm: 'correct horse' };
const codes = (f: UserForm, creating = true) => validateUserForm(f, creating).map((e) => `${e.field}:${e.code}`);

test('user form validation: one code per problem, naming the field', () => {
  const cases: [Partial<UserForm>, boolean, string[]][] = [
    [{}, true, []],
    [{ username: '' }, true, ['username:BAD_USERNAME']],
    [{ username: '.dot' }, true, ['username:BAD_USERNAME']],
    [{ username: 'a b' }, true, ['username:BAD_USERNAME']],
    [{ username: 'x'.repeat(65) }, true, ['username:BAD_USERNAME']],
    [{ username: '' }, false, []],
    [{ displayName: '   ' }, true, ['displayName:BAD_DISPLAY_NAME']],
    [{ displayName: 'a\u0007b' }, true, ['displayName:BAD_DISPLAY_NAME']],
    [{ displayName: 'x'.repeat(121) }, true, ['displayName:BAD_DISPLAY_NAME']],
    [{ role: 'god' as never }, true, ['role:BAD_ROLE']],
    [{ password: 'short', confirm: 'short' }, true, ['password:WEAK_PASSWORD']],
    [{ password: '', confirm: '' }, true, ['password:WEAK_PASSWORD']],
    [{ password: '', confirm: '' }, false, []],
    [{ password: 'long enough', confirm: 'long enougH' }, false, ['confirm:PASSWORD_MISMATCH']],
    [{ rules: [{ camera: '', permissions: ['live'] }] }, true, ['rules.0.camera:BAD_CAMERA_RULE']],
    [{ rules: [{ camera: '*', permissions: ['live'] }, { camera: '*', permissions: [] }] }, true, ['rules.1.camera:DUPLICATE_CAMERA_RULE']],
    [{ lookbackMode: 'days', lookbackDaysText: '7' }, true, []],
    [{ lookbackMode: 'days', lookbackDaysText: '' }, true, ['lookbackDays:BAD_LOOKBACK']],
    [{ lookbackMode: 'days', lookbackDaysText: '-1' }, true, ['lookbackDays:BAD_LOOKBACK']],
    [{ lookbackMode: 'days', lookbackDaysText: '1.5' }, true, ['lookbackDays:BAD_LOOKBACK']],
    [{ lookbackMode: 'days', lookbackDaysText: '99999' }, true, ['lookbackDays:BAD_LOOKBACK']],
  ];
  for (const [over, creating, want] of cases) assert.deepEqual(codes({ ...valid, ...over }, creating), want, JSON.stringify(over));
});

test('create body: trimmed, lowercased username, rules in canonical order, look-back only when overridden', () => {
  assert.deepEqual(createUserBody({ ...valid, rules: [{ camera: ' demo-1 ', permissions: ['export', 'live'] }] }), {
    username: 'nguyen.a',
    displayName: 'Nguyễn Văn A',
    role: 'commander',
    password: 'correct horse',
    cameraRules: [{ camera: 'demo-1', permissions: ['live', 'export'] }],
  });
  assert.equal(createUserBody({ ...valid, lookbackMode: 'unlimited' }).lookbackDays, null);
  assert.equal(createUserBody({ ...valid, lookbackMode: 'days', lookbackDaysText: '30' }).lookbackDays, 30);
});

const user: UserRecord = { id: '5', username: 'op', displayName: 'Op', role: 'operator', disabled: false, cameraRules: [{ camera: 'demo-1', permissions: ['live'] }], lookbackDays: undefined, lockedUntil: null };

test('patch body: only what changed; back to the role look-back is "role"', () => {
  const f = formOfUser(user);
  assert.deepEqual(patchUserBody(user, f), {});
  assert.deepEqual(patchUserBody(user, { ...f, displayName: 'Op 2', role: 'viewer', password: 'new password' }), { displayName: 'Op 2', role: 'viewer', password: 'new password' });
  assert.deepEqual(patchUserBody(user, { ...f, rules: [] }), { cameraRules: [] });
  assert.deepEqual(patchUserBody(user, { ...f, lookbackMode: 'days', lookbackDaysText: '3' }), { lookbackDays: 3 });
  const limited = { ...user, lookbackDays: 3 };
  assert.equal(formOfUser(limited).lookbackMode, 'days');
  assert.equal(formOfUser(limited).lookbackDaysText, '3');
  assert.deepEqual(patchUserBody(limited, { ...formOfUser(limited), lookbackMode: 'role' }), { lookbackDays: 'role' });
  assert.deepEqual(patchUserBody(limited, { ...formOfUser(limited), lookbackMode: 'unlimited' }), { lookbackDays: null });
  assert.equal(formOfUser({ ...user, lookbackDays: null }).lookbackMode, 'unlimited');
});

test('rule editing helpers', () => {
  const r1 = addRule([], ['demo-1', 'demo-2']);
  assert.deepEqual(r1, [{ camera: '*', permissions: ['live'] }]);
  const r2 = addRule(r1, ['demo-1', 'demo-2']);
  assert.deepEqual(r2[1], { camera: 'demo-1', permissions: ['live'] });
  const r3 = toggleRulePermission(r2, 1, 'export', true);
  assert.deepEqual(r3[1]!.permissions, ['live', 'export']);
  assert.deepEqual(toggleRulePermission(r3, 1, 'live', false)[1]!.permissions, ['export']);
  assert.equal(r2[0], r3[0], 'other rows are kept as they are');
  assert.equal(rulesSummary(r3), '*: live · demo-1: live, export');
  assert.equal(rulesSummary([{ camera: 'demo-3', permissions: [] }]), 'demo-3: —');
});

test('parsing users and roles from the server', () => {
  const users = parseUsers({ users: [{ id: 2, username: 'a', displayName: 'A', role: 'viewer', disabled: true, cameraRules: [{ camera: '*', permissions: ['live', 'zap'] }], lockedUntil: 99 }] });
  assert.deepEqual(users, [{ id: '2', username: 'a', displayName: 'A', role: 'viewer', disabled: true, cameraRules: [{ camera: '*', permissions: ['live'] }], lookbackDays: undefined, lockedUntil: 99 }]);
  assert.equal(isLocked(users[0]!, 98), true);
  assert.equal(isLocked(users[0]!, 99), false);
  assert.equal(parseUsers({ users: [{ ...users[0], lookbackDays: null }] })[0]!.lookbackDays, null);
  assert.throws(() => parseUsers({ users: [{ id: 1, username: 'a', role: 'x' }] }), /users\.0\.role/);
  assert.throws(() => parseUsers({}), /users: a list/);
  assert.throws(() => parseUsers({ users: [{ id: 1, username: 'a', role: 'viewer', cameraRules: [{ camera: 1, permissions: [] }], lockedUntil: null }] }), /users\.0\.cameraRules\.0\.camera/);
  const roles = parseRoles({ roles: [{ name: 'operator', system: ['control', 'bookmark'], cameraPermissions: ['live', 'playback', 'export'], lookbackDays: 7 }] });
  assert.deepEqual(roles, [{ name: 'operator', system: ['control', 'bookmark'], cameraPermissions: ['live', 'playback', 'export'], lookbackDays: 7 }]);
  assert.throws(() => parseRoles({ roles: [{ name: 'x', system: [], cameraPermissions: [], lookbackDays: 'x' }] }), /roles\.0\.lookbackDays/);
});

test('own password change: current required, new one 8–200 characters, repeated, different', () => {
  const cases: [string, string, string, string[]][] = [
    ['old password', 'new password', 'new password', []],
    ['', 'new password', 'new password', ['current:MISSING_CREDENTIALS']],
    ['old password', 'short', 'short', ['next:WEAK_PASSWORD']],
    ['old password', 'x'.repeat(201), 'x'.repeat(201), ['next:WEAK_PASSWORD']],
    ['old password', 'new password', 'new passwort', ['confirm:PASSWORD_MISMATCH']],
    ['same password', 'same password', 'same password', ['next:SAME_PASSWORD']],
  ];
  for (const [cur, next, confirm, want] of cases) assert.deepEqual(validatePasswordChange(cur, next, confirm).map((e) => `${e.field}:${e.code}`), want, `${cur}/${next}/${confirm}`);
});

test('ward rules (city centre): "<ward>/*" and "<ward>/<camera>" accepted, a draft or malformed one named', () => {
  const rules = addWardRule([]);
  assert.ok(isWardRule(rules[0]!));
  assert.deepEqual(codes({ ...valid, rules }), ['rules.0.camera:BAD_CAMERA_RULE'], 'the draft "/*" needs its ward id');
  assert.deepEqual(codes({ ...valid, rules: [{ camera: 'w1/*', permissions: ['live'] }, { camera: 'w1/gate-1', permissions: [] }] }), []);
  assert.deepEqual(codes({ ...valid, rules: [{ camera: 'hub/gate-1', permissions: ['live'] }] }), ['rules.0.camera:BAD_CAMERA_RULE']);
  assert.deepEqual(createUserBody({ ...valid, rules: [{ camera: 'w1/*', permissions: ['playback', 'live'] }] }).cameraRules, [{ camera: 'w1/*', permissions: ['live', 'playback'] }]);
});
