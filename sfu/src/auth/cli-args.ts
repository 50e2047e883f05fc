/** `npm run user -- <command> ...`: argument parsing into a command. Pure. */
import { USERNAME } from '@wardwall/accounts';
import { ROLES, type Role } from '@wardwall/accounts';

export type UserCommand =
  | { cmd: 'list' }
  | { cmd: 'add'; username: string; role: Role; displayName: string; passwordStdin: boolean }
  | { cmd: 'passwd'; username: string; passwordStdin: boolean }
  | { cmd: 'disable' | 'enable' | 'delete' | 'revoke'; username: string }
  | { cmd: 'role'; username: string; role: Role };

export const USAGE = `usage: npm run user -- <command> [--config FILE]
  list                                   users, roles, state
  add <user> [--role R] [--name "Name"] [--password-stdin]
                                         new user (role default operator); the password is read
                                         from stdin with --password-stdin, else generated and printed
  passwd <user> [--password-stdin]       set a new password (ends the user's sessions)
  role <user> <admin|operator|commander|viewer>
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
    case 'disable':
    case 'enable':
    case 'delete':
    case 'revoke':
      return needUser() ?? { cmd, username };
    default:
      return { error: cmd ? `unknown command ${cmd}` : 'no command given' };
  }
}
