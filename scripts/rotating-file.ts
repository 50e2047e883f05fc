/**
 * An append-only log file with a size cap: when a line would take the file past `maxBytes`, the
 * file is rotated first (`x.log` -> `x.log.1` -> ... -> `x.log.<count-1>`, the oldest dropped), so
 * the launcher's logs use at most about `maxBytes * count` of the disk the recordings need.
 * Errors (a full disk, a removed folder) are swallowed: logging must not stop the wall.
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RotatingFileOptions {
  /** Size at which the file is rotated, bytes (default 10 MiB). */
  maxBytes?: number;
  /** Files kept in all, the current one included (default 5). */
  count?: number;
}

export class RotatingFile {
  readonly maxBytes: number;
  readonly count: number;
  private size: number;

  constructor(
    readonly file: string,
    opts: RotatingFileOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
    this.count = Math.max(1, opts.count ?? 5);
    mkdirSync(dirname(file), { recursive: true });
    try {
      this.size = statSync(file).size;
    } catch {
      this.size = 0;
    }
  }

  append(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
    try {
      appendFileSync(this.file, text);
      this.size += bytes;
    } catch {
      /* a full disk must not stop the wall */
    }
  }

  /** The file names in age order: the current one, then .1 (newest rotated) ... .<count-1>. Pure. */
  static names(file: string, count: number): string[] {
    return Array.from({ length: count }, (_, i) => (i === 0 ? file : `${file}.${i}`));
  }

  private rotate(): void {
    const names = RotatingFile.names(this.file, this.count);
    try {
      rmSync(names[names.length - 1]!, { force: true });
      for (let i = names.length - 2; i >= 0; i--) {
        try {
          renameSync(names[i]!, names[i + 1]!);
        } catch {
          /* not there yet */
        }
      }
    } catch {
      /* best effort */
    }
    this.size = 0;
  }
}
