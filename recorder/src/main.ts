/** The recorder process: `node --import tsx recorder/src/main.ts [--config file]`; built: `node --conditions=wardwall-dist recorder/dist/main.js` (docs/operations.md). */
import { createLogger, expectShutdown, loadConfigOrExit } from '@wardwall/server-kit';
import { startRecorder } from './app.js';

const config = loadConfigOrExit();
const log = createLogger('recorder', config.log.level);
if (!config.recorder.enabled) {
  log.info('recorder disabled in the config (recorder.enabled = false)');
  process.exit(0);
}
const recorder = await startRecorder(config, { log }).catch((e: unknown) => {
  log.fatal({ err: e }, 'recorder failed to start');
  process.exit(1);
});
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // First, synchronously: the ffmpeg writers that the same Ctrl-C ends are expected to go.
    expectShutdown();
    if (stopping) return;
    stopping = true;
    log.info({ signal: sig }, 'stopping');
    recorder.close().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error({ err: e }, 'close failed');
        process.exit(1);
      },
    );
  });
}
