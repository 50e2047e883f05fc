/**
 * The launcher's log handling: every service's JSON log line goes to one log file; warnings and
 * errors are also shown on the console in one readable line each, so an operator sees problems
 * without wading through info lines. The file is rotated with a size cap (rotating-file.ts; config
 * `log.fileMaxBytes` and `log.fileCount`, 10 MiB x 5 by default).
 */
import { RotatingFile, type RotatingFileOptions } from './rotating-file.js';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg']);

/** One console line for a pino JSON line at warn or above; null for other levels or non-JSON. Pure. */
export function consoleLine(service: string, line: string): string | null {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  const level = Number(rec.level);
  if (!(level >= 40)) return null;
  const fields = Object.entries(rec)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `[${service}] ${LEVELS[level] ?? level} ${String(rec.msg ?? '')}${fields ? ` ${fields}` : ''}`;
}

export class LogRouter {
  private readonly out: RotatingFile;

  constructor(file: string, rotation: RotatingFileOptions = {}) {
    this.out = new RotatingFile(file, rotation);
  }

  line(service: string, line: string): void {
    if (!line.trim()) return;
    if (!line.startsWith('{')) {
      process.stdout.write(`[${service}] ${line}\n`);
      return;
    }
    this.out.append(`${line}\n`);
    const c = consoleLine(service, line);
    if (c) process.stderr.write(`${c}\n`);
  }

  /** A pino destination for the launcher's own logger. */
  destination(service: string): { write(chunk: string): void } {
    return { write: (chunk: string) => chunk.split('\n').forEach((l) => this.line(service, l)) };
  }
}
