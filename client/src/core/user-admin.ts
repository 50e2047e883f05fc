/**
 * Accounts as the admin page sees them (GET /api/admin/users, /api/admin/roles) and the pure rules
 * of its forms: parsing the server's replies, validating a new or edited user, and turning a form
 * into the request body. Validation errors are codes (shown with `errorMessage`), each naming its field.
 */
import { ALL_CAMERAS, CAMERA_PERMISSIONS, CAMERA_RULE_TARGET, ROLES, SYSTEM_PERMISSIONS, type CameraPermission, type Role, type SystemPermission } from './access.js';
import { ParseError, arrayOf, isObj, numOrNull, oneOf, str } from './parse.js';

export interface CameraRule {
  /** A camera id, '*' for every camera, or at a city centre '<ward>/*' / '<ward>/<camera>'. */
  camera: string;
  permissions: CameraPermission[];
}

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  cameraRules: CameraRule[];
  /** The user's own look-back: undefined = the role's, null = unlimited, else days. */
  lookbackDays: number | null | undefined;
  lockedUntil: number | null;
}

export interface RoleInfo {
  name: string;
  system: SystemPermission[];
  cameraPermissions: CameraPermission[];
  lookbackDays: number | null;
}

const known = <T extends string>(values: readonly T[]) => (x: unknown): x is T => (values as readonly unknown[]).includes(x);

function parseRule(raw: unknown, field: string): CameraRule {
  if (!isObj(raw)) throw new ParseError(`${field}: not an object`);
  return { camera: str(raw.camera, `${field}.camera`), permissions: arrayOf(raw.permissions, `${field}.permissions`, (p) => p).filter(known(CAMERA_PERMISSIONS)) };
}

export function parseUser(raw: unknown, field = 'user'): UserRecord {
  if (!isObj(raw)) throw new ParseError(`${field}: not an object`);
  if (typeof raw.id !== 'string' && typeof raw.id !== 'number') throw new ParseError(`${field}.id: a string or number is required`);
  return {
    id: String(raw.id),
    username: str(raw.username, `${field}.username`),
    displayName: typeof raw.displayName === 'string' ? raw.displayName : '',
    role: oneOf(raw.role, ROLES, `${field}.role`),
    disabled: raw.disabled === true,
    cameraRules: raw.cameraRules === undefined ? [] : arrayOf(raw.cameraRules, `${field}.cameraRules`, parseRule),
    lookbackDays: raw.lookbackDays === undefined ? undefined : numOrNull(raw.lookbackDays, `${field}.lookbackDays`),
    lockedUntil: numOrNull(raw.lockedUntil, `${field}.lockedUntil`),
  };
}

export function parseUsers(raw: unknown): UserRecord[] {
  if (!isObj(raw)) throw new ParseError('reply: not an object');
  return arrayOf(raw.users, 'users', parseUser);
}

export function parseRoles(raw: unknown): RoleInfo[] {
  if (!isObj(raw)) throw new ParseError('reply: not an object');
  return arrayOf(raw.roles, 'roles', (r, field) => {
    if (!isObj(r)) throw new ParseError(`${field}: not an object`);
    return {
      name: str(r.name, `${field}.name`),
      system: arrayOf(r.system, `${field}.system`, (p) => p).filter(known(SYSTEM_PERMISSIONS)),
      cameraPermissions: arrayOf(r.cameraPermissions, `${field}.cameraPermissions`, (p) => p).filter(known(CAMERA_PERMISSIONS)),
      lookbackDays: r.lookbackDays === undefined ? null : numOrNull(r.lookbackDays, `${field}.lookbackDays`),
    };
  });
}

// --- forms ---------------------------------------------------------------------------------------

export type LookbackMode = 'role' | 'unlimited' | 'days';

export interface UserForm {
  username: string;
  displayName: string;
  role: Role;
  /** New password ('' on edit = unchanged). */
  password: string;
  confirm: string;
  rules: CameraRule[];
  lookbackMode: LookbackMode;
  lookbackDaysText: string;
}

export interface FieldError {
  field: string;
  code: string;
}

/** As the server accepts them (it lowercases): a letter or digit, then letters, digits, '.', '_', '-'; at most 64. */
export const USERNAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;
export const DISPLAY_NAME_MAX = 120;
export const LOOKBACK_MAX_DAYS = 36500;

export function emptyUserForm(): UserForm {
  return { username: '', displayName: '', role: 'operator', password: '', confirm: '', rules: [], lookbackMode: 'role', lookbackDaysText: '' };
}

/** The form of an existing user (password fields empty = unchanged). */
export function formOfUser(u: UserRecord): UserForm {
  return {
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    password: '',
    confirm: '',
    rules: u.cameraRules.map((r) => ({ camera: r.camera, permissions: [...r.permissions] })),
    lookbackMode: u.lookbackDays === undefined ? 'role' : u.lookbackDays === null ? 'unlimited' : 'days',
    lookbackDaysText: typeof u.lookbackDays === 'number' ? String(u.lookbackDays) : '',
  };
}

/** Every problem of a form; `creating` requires a username and a password. */
export function validateUserForm(f: UserForm, creating: boolean): FieldError[] {
  const errors: FieldError[] = [];
  if (creating && !USERNAME_RE.test(f.username.trim().toLowerCase())) errors.push({ field: 'username', code: 'BAD_USERNAME' });
  const name = f.displayName.trim();
  // eslint-disable-next-line no-control-regex
  if (!name || name.length > DISPLAY_NAME_MAX || /[\u0000-\u001f\u007f]/.test(name)) errors.push({ field: 'displayName', code: 'BAD_DISPLAY_NAME' });
  if (!(ROLES as readonly string[]).includes(f.role)) errors.push({ field: 'role', code: 'BAD_ROLE' });
  if (creating || f.password !== '') {
    if (f.password.length < PASSWORD_MIN || f.password.length > PASSWORD_MAX) errors.push({ field: 'password', code: 'WEAK_PASSWORD' });
    else if (f.password !== f.confirm) errors.push({ field: 'confirm', code: 'PASSWORD_MISMATCH' });
  }
  const seen = new Set<string>();
  f.rules.forEach((r, i) => {
    const cam = r.camera.trim();
    if (!cam || !CAMERA_RULE_TARGET.test(cam)) errors.push({ field: `rules.${i}.camera`, code: 'BAD_CAMERA_RULE' });
    else if (seen.has(cam)) errors.push({ field: `rules.${i}.camera`, code: 'DUPLICATE_CAMERA_RULE' });
    seen.add(cam);
  });
  if (f.lookbackMode === 'days' && lookbackDays(f.lookbackDaysText) === null) errors.push({ field: 'lookbackDays', code: 'BAD_LOOKBACK' });
  return errors;
}

function lookbackDays(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n >= 0 && n <= LOOKBACK_MAX_DAYS ? n : null;
}

/** The look-back field of a request: absent (role default), null (unlimited) or days. */
function lookbackValue(f: UserForm): { lookbackDays?: number | null } {
  if (f.lookbackMode === 'unlimited') return { lookbackDays: null };
  if (f.lookbackMode === 'days') return { lookbackDays: lookbackDays(f.lookbackDaysText) ?? 0 };
  return {};
}

const cleanRules = (rules: readonly CameraRule[]): CameraRule[] =>
  rules.map((r) => ({ camera: r.camera.trim(), permissions: CAMERA_PERMISSIONS.filter((p) => r.permissions.includes(p)) }));

/** Body of POST /api/admin/users (the form must be valid). */
export function createUserBody(f: UserForm): Record<string, unknown> {
  return { username: f.username.trim().toLowerCase(), displayName: f.displayName.trim(), role: f.role, password: f.password, cameraRules: cleanRules(f.rules), ...lookbackValue(f) };
}

/**
 * Body of PATCH /api/admin/users/:id: only what changed against `before`. The look-back override is
 * sent as null (unlimited) or days; going back to the role's default sends `lookbackDays: "role"`
 * (see AUTH-CONTRACT.md).
 */
export function patchUserBody(before: UserRecord, f: UserForm): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (f.displayName.trim() !== before.displayName) body.displayName = f.displayName.trim();
  if (f.role !== before.role) body.role = f.role;
  if (f.password !== '') body.password = f.password;
  const rules = cleanRules(f.rules);
  if (JSON.stringify(rules) !== JSON.stringify(cleanRules(before.cameraRules))) body.cameraRules = rules;
  const lb = lookbackValue(f);
  const beforeMode = formOfUser(before).lookbackMode;
  if ('lookbackDays' in lb) {
    if (lb.lookbackDays !== before.lookbackDays) body.lookbackDays = lb.lookbackDays;
  } else if (beforeMode !== 'role') {
    body.lookbackDays = 'role';
  }
  return body;
}

/** Toggles one permission of one rule (immutable). */
export function toggleRulePermission(rules: readonly CameraRule[], index: number, permission: CameraPermission, on: boolean): CameraRule[] {
  return rules.map((r, i) => {
    if (i !== index) return r;
    const set = new Set(r.permissions);
    if (on) set.add(permission);
    else set.delete(permission);
    return { camera: r.camera, permissions: CAMERA_PERMISSIONS.filter((p) => set.has(p)) };
  });
}

/** A new rule on a ward's cameras (city centre): the ward id is typed in front of '/*'. */
export const WARD_RULE_DRAFT = '/*';

export function addWardRule(rules: readonly CameraRule[]): CameraRule[] {
  return [...rules, { camera: WARD_RULE_DRAFT, permissions: ['live'] }];
}

/** Whether a rule names a ward's cameras (edited as text, not picked from the station's cameras). */
export const isWardRule = (r: CameraRule): boolean => r.camera.includes('/');

/** A new rule for the first camera not yet ruled ('*' first), with live only. */
export function addRule(rules: readonly CameraRule[], cameraIds: readonly string[]): CameraRule[] {
  const used = new Set(rules.map((r) => r.camera));
  const camera = [ALL_CAMERAS, ...cameraIds].find((c) => !used.has(c)) ?? '';
  return [...rules, { camera, permissions: ['live'] }];
}

/** A short human summary of a user's rules, e.g. `demo-1: live, playback · *: live`. */
export function rulesSummary(rules: readonly CameraRule[]): string {
  return rules.map((r) => `${r.camera}: ${r.permissions.join(', ') || '—'}`).join(' · ');
}

/** Whether a lock is still running at `now` (lockedUntil in ms). */
export function isLocked(u: UserRecord, now: number): boolean {
  return u.lockedUntil !== null && u.lockedUntil > now;
}

/** Problems of the own-password form (current, new, repeated). */
export function validatePasswordChange(current: string, next: string, confirm: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!current) errors.push({ field: 'current', code: 'MISSING_CREDENTIALS' });
  if (next.length < PASSWORD_MIN || next.length > PASSWORD_MAX) errors.push({ field: 'next', code: 'WEAK_PASSWORD' });
  else if (next !== confirm) errors.push({ field: 'confirm', code: 'PASSWORD_MISMATCH' });
  else if (next === current) errors.push({ field: 'next', code: 'SAME_PASSWORD' });
  return errors;
}
