import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redactCredentials } from '../redact.js';

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
          if (a instanceof Error) return { err: { type: a.name, message: redactCredentials(a.message), code: (a as { code?: unknown }).code } };
          return a;
        });
        return method.apply(this, clean as Parameters<typeof method>);
      },
    },
    formatters: {
      log(obj) {
        // Objects may hold error messages or reasons quoting URLs: scrub string fields one level deep.
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) out[k] = typeof v === 'string' ? redactCredentials(v) : v;
        return out;
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
