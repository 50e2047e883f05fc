/**
 * `npm run user -- <command>`: manages accounts in the SFU's database (the same file the running
 * SFU uses; its sockets of users disabled, deleted or given a new password here close within a few
 * seconds). Every change goes to the audit trail as `cli:<os user>`.
 */
import { userInfo } from 'node:os';
import { loadConfigOrExit } from '@wardwall/server-kit';
import { openAppDb } from '@wardwall/server-kit';
import { AuditLog } from '@wardwall/accounts';
import { chainKeyPath, loadOrCreateChainKey } from '@wardwall/accounts';
import { AuthStore } from '@wardwall/accounts';
import { hashPassword, PASSWORD_MAX, PASSWORD_MIN, randomPassword } from '@wardwall/accounts';
import { parseUserArgs, USAGE } from './cli-args.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function newPassword(fromStdin: boolean): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) return { password: randomPassword(), generated: true };
  const password = await readStdin();
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) throw new Error(`the password must have ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
  return { password, generated: false };
}

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const command = parseUserArgs(process.argv.slice(2));
if ('error' in command) fail(`${command.error}\n${USAGE}`, 2);
const config = loadConfigOrExit();
const db = openAppDb(config.sfu.dataDir);
const store = new AuthStore(db);
const audit = new AuditLog(db, null, Date.now, { key: loadOrCreateChainKey(chainKeyPath(config)) });
const actor = `cli:${userInfo().username}`;
const now = Date.now();
try {
  if (command.cmd === 'list') {
    const rows = store.users();
    if (!rows.length) process.stdout.write('no users\n');
    for (const u of rows) process.stdout.write(`${u.username.padEnd(20)} ${u.role.padEnd(10)} ${u.disabled ? 'disabled' : 'enabled '} ${u.displayName}\n`);
  } else if (command.cmd === 'add') {
    if (store.userByName(command.username)) fail(`user ${command.username} exists already`);
    const { password, generated } = await newPassword(command.passwordStdin);
    store.addUser({ username: command.username, displayName: command.displayName, role: command.role, passwordHash: await hashPassword(password) }, now);
    audit.append(actor, 'user_create', null, { user: command.username, role: command.role });
    process.stdout.write(`user ${command.username} (${command.role}) added${generated ? `; password: ${password}` : ''}\n`);
  } else {
    const u = store.userByName(command.username) ?? fail(`no user ${command.username}`);
    const lastAdmin = u.role === 'admin' && !u.disabled && store.adminCount(u.id) === 0;
    switch (command.cmd) {
      case 'passwd': {
        const { password, generated } = await newPassword(command.passwordStdin);
        store.updateUser(u.id, { passwordHash: await hashPassword(password) }, now);
        store.revokeUserSessions(u.id, now);
        audit.append(actor, 'user_update', null, { user: u.username, passwordReset: true });
        process.stdout.write(`password of ${u.username} changed${generated ? `: ${password}` : ''}\n`);
        break;
      }
      case 'role':
        if (lastAdmin && command.role !== 'admin') fail('the last enabled admin cannot be demoted');
        store.updateUser(u.id, { role: command.role }, now);
        audit.append(actor, 'user_update', null, { user: u.username, role: command.role });
        process.stdout.write(`${u.username} is now ${command.role}\n`);
        break;
      case 'rules':
        store.updateUser(u.id, { cameraRules: command.rules }, now);
        audit.append(actor, 'user_update', null, { user: u.username, cameraRules: command.rules });
        process.stdout.write(`${u.username}: ${command.rules.length ? command.rules.map((r) => `${r.camera}=${r.permissions.join(',')}`).join(' ') : "the role's rights"}\n`);
        break;
      case 'disable':
        if (lastAdmin) fail('the last enabled admin cannot be disabled');
        store.updateUser(u.id, { disabled: true }, now);
        store.revokeUserSessions(u.id, now);
        audit.append(actor, 'user_update', null, { user: u.username, disabled: true });
        process.stdout.write(`${u.username} disabled\n`);
        break;
      case 'enable':
        store.updateUser(u.id, { disabled: false }, now);
        audit.append(actor, 'user_update', null, { user: u.username, disabled: false });
        process.stdout.write(`${u.username} enabled\n`);
        break;
      case 'revoke': {
        const n = store.revokeUserSessions(u.id, now).length;
        audit.append(actor, 'user_revoke', null, { user: u.username, sessions: n });
        process.stdout.write(`${n} session(s) of ${u.username} ended\n`);
        break;
      }
      case 'delete':
        if (lastAdmin) fail('the last enabled admin cannot be deleted');
        store.revokeUserSessions(u.id, now);
        store.deleteUser(u.id);
        audit.append(actor, 'user_delete', null, { user: u.username });
        process.stdout.write(`${u.username} deleted\n`);
        break;
    }
  }
} catch (e) {
  fail((e as Error).message);
} finally {
  db.close();
}
