/** `npm run user -- <command> ...`: argument parsing into a command. Pure. */
import { USERNAME } from '@wardwall/accounts';
import { CAMERA_PERMISSIONS, CAMERA_RULE_TARGET, ROLES, type CameraRule, type Role } from '@wardwall/accounts';

export type UserCommand =
  | { cmd: 'list' }
  | { cmd: 'add'; username: string; role: Role; displayName: string; passwordStdin: boolean }
  | { cmd: 'passwd'; username: string; passwordStdin: boolean }
  | { cmd: 'disable' | 'enable' | 'delete' | 'revoke'; username: string }
  | { cmd: 'role'; username: string; role: Role }
  | { cmd: 'rules'; username: string; rules: CameraRule[] };

export const USAGE = `usage: npm run user -- <command> [--config FILE]
  list                                   users, roles, state
  add <user> [--role R] [--name "Name"] [--password-stdin]
                                         new user (role default operator); the password is read
                                         from stdin with --password-stdin, else generated and printed
  passwd <user> [--password-stdin]       set a new password (ends the user's sessions)
  role <user> <admin|operator|commander|viewer>
  rules <user> [<camera>=<rights> ...]   replace the user's camera rules; <camera> is a camera id,
                                         "*", "<ward>/*" or "<ward>/<camera>" (city centre),
                                         <rights> live,playback,export or empty (none);
                                         no rule: the role's rights
  disable <user> | enable <user>         (disable ends the user's sessions)
  revoke <user>                          end the user's sessions
  delete <user>`;

export function parseUserArgs(argv: readonly string[]): UserCommand | { error: string } {
  const args: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--config') i++;
    else if (a === '--password-stdin') flags.set(a, true);
    else if (a === '--role' || a === '--name') {
      const v = argv[++i];
      if (v === undefined) return { error: `${a} needs a value` };
      flags.set(a, v);
    } else if (a.startsWith('--')) return { error: `unknown option ${a}` };
    else args.push(a);
  }
  const [cmd, name, extra] = args;
  const username = (name ?? '').toLowerCase();
  const needUser = () => (USERNAME.test(username) ? null : { error: `user name: letters, digits, ".", "_" or "-" (got "${name ?? ''}")` });
  const role = (v: string | true | undefined, dflt?: Role): Role | { error: string } => {
    if (v === undefined && dflt) return dflt;
    return typeof v === 'string' && (ROLES as readonly string[]).includes(v) ? (v as Role) : { error: `role must be one of ${ROLES.join(', ')}` };
  };
  switch (cmd) {
    case 'list':
      return { cmd: 'list' };
    case 'add': {
      const bad = needUser();
      if (bad) return bad;
      const r = role(flags.get('--role'), 'operator');
      if (typeof r === 'object') return r;
      const display = flags.get('--name');
      const displayName = typeof display === 'string' ? display.trim() : username;
      // eslint-disable-next-line no-control-regex -- control characters are what this check refuses
      if (!displayName || displayName.length > 120 || /[\u0000-\u001f\u007f]/.test(displayName)) return { error: '--name: 1 to 120 characters, no control characters' };
      return { cmd: 'add', username, role: r, displayName, passwordStdin: flags.has('--password-stdin') };
    }
    case 'passwd':
      return needUser() ?? { cmd: 'passwd', username, passwordStdin: flags.has('--password-stdin') };
    case 'role': {
      const bad = needUser();
      if (bad) return bad;
      const r = role(extra);
      return typeof r === 'object' ? r : { cmd: 'role', username, role: r };
    }
    case 'rules': {
      const bad = needUser();
      if (bad) return bad;
      const rules = parseRuleArgs(args.slice(2));
      return 'error' in rules ? rules : { cmd: 'rules', username, rules: rules.rules };
    }
    case 'disable':
    case 'enable':
    case 'delete':
    case 'revoke':
      return needUser() ?? { cmd, username };
    default:
      return { error: cmd ? `unknown command ${cmd}` : 'no command given' };
  }
}

/** `<camera>=<right,right>` arguments into camera rules (`w1/*=live,playback`, `gate-1=`). Pure. */
export function parseRuleArgs(items: readonly string[]): { rules: CameraRule[] } | { error: string } {
  const rules: CameraRule[] = [];
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq < 0) return { error: `rule "${item.slice(0, 80)}": <camera>=<rights>, e.g. w1/*=live,playback` };
    const camera = item.slice(0, eq).trim().toLowerCase();
    if (!CAMERA_RULE_TARGET.test(camera)) return { error: `rule "${item.slice(0, 80)}": the camera must be an id, "*", "<ward>/*" or "<ward>/<camera>"` };
    if (rules.some((r) => r.camera === camera)) return { error: `camera ${camera} is named twice` };
    const names = item.slice(eq + 1).split(',').map((p) => p.trim()).filter(Boolean);
    const unknown = names.find((p) => !(CAMERA_PERMISSIONS as readonly string[]).includes(p));
    if (unknown !== undefined) return { error: `rule "${item.slice(0, 80)}": unknown right "${unknown.slice(0, 40)}" (${CAMERA_PERMISSIONS.join(', ')})` };
    rules.push({ camera, permissions: CAMERA_PERMISSIONS.filter((p) => names.includes(p)) });
  }
  return { rules };
}
