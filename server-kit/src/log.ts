import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redactCredentials, redactDeep } from '@wardwall/common';

export type { Logger };

/**
 * The one way services log: pino, JSON lines, with credentials scrubbed from every string argument
 * (camera URLs must never reach a log line even when an error message quotes one).
 */
export function createLogger(name: string, level: string = process.env.WARDWALL_LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    name,
    level,
    hooks: {
      logMethod(args, method) {
        const clean = args.map((a: unknown) => {
          if (typeof a === 'string') return redactCredentials(a);
          if (a instanceof Error) return { err: redactDeep(a) };
          return a;
        });
        return method.apply(this, clean as Parameters<typeof method>);
      },
    },
    formatters: {
      // Objects may hold error messages or reasons quoting URLs, nested at any depth, and fields
      // named like secrets (password, token, cookie): scrubbed all the way down.
      log: (obj) => redactDeep(obj) as Record<string, unknown>,
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
