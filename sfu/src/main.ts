/** The SFU process: `node --import tsx sfu/src/main.ts [--config file]`; built: `node --conditions=wardwall-dist sfu/dist/main.js` (docs/operations.md). */
import { writeFileSync } from 'node:fs';
import { createLogger, expectShutdown, loadConfigOrExit } from '@wardwall/server-kit';
import { startSfu } from './app.js';
import { INITIAL_ADMIN_LINE } from './auth/index.js';

const config = loadConfigOrExit();
const log = createLogger('sfu', config.log.level);
process.on('unhandledRejection', (e) => log.error({ err: e }, 'unhandled rejection'));

try {
  const sfu = await startSfu(config, log);
  log.info({ url: sfu.url }, 'SFU ready');
  // Shown once, on the console only (the launcher keeps this line out of the log file). Under
  // systemd stdout is the journal: the unit names a file instead (0600, in the data directory).
  const admin = sfu.auth.initialAdmin;
  if (admin?.password) {
    const line = `${INITIAL_ADMIN_LINE}user "${admin.username}", password "${admin.password}" (shown once; change it after signing in)\n`;
    const file = process.env.WARDWALL_INITIAL_ADMIN_FILE;
    if (file) {
      writeFileSync(file, line, { mode: 0o600 });
      log.warn({ file }, 'the first admin account was created: its password is in this file (read it, sign in, change the password, delete the file)');
    } else process.stdout.write(line);
  }
  process.stdout.write(`SFU ready: ${sfu.url}\n`);
  let stopping = false;
  const stop = async () => {
    // First, synchronously: the ingest pipelines and workers that the same Ctrl-C ends are expected to go.
    expectShutdown();
    if (stopping) return;
    stopping = true;
    await sfu.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
} catch (e) {
  const message = (e as Error).message;
  log.fatal({ err: e }, 'SFU failed to start');
  process.stderr.write(`${message}\n`);
  process.exit(message.startsWith('config error') ? 2 : 1);
}
