import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { backoffDelay } from '@wardwall/common';
import { redactCredentials } from '@wardwall/common';

export interface ProcessSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed (e.g. a URL with credentials: never on the command line). */
  stdin?: string;
  /** Keep the child's stdin open as a pipe for `write()` (a request channel); `stdin` is then ignored. */
  stdinPipe?: boolean;
}

export interface SupervisorOptions {
  /** For log lines and reasons, e.g. "ingest demo-1/main". */
  name: string;
  /** Called before every (re)start, so arguments can change (e.g. new ports). */
  spec: () => ProcessSpec;
  backoffMs: readonly number[];
  /** A run that lasted this long resets the back-off to its first step. */
  stableAfterMs: number;
  log: Logger;
  onStdout?: (chunk: Buffer) => void;
  spawn?: (command: string, args: string[], options: SpawnOptions) => ChildProcess;
  now?: () => number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the process wrote to stderr, credentials removed. */
  stderrTail: string[];
  /** How long it ran, ms. */
  ranMs: number;
  /** Delay before the next start, ms (null when stopped). */
  restartInMs: number | null;
}

interface Events {
  started: [pid: number];
  exited: [info: ExitInfo];
}

let shuttingDown = false;

/**
 * The process is going down on purpose (SIGINT/SIGTERM): from now on a supervised child that exits
 * is not restarted and its exit is expected (`restartInMs: null`), so nobody warns about it. A
 * terminal's Ctrl-C signals the whole process group at once: the ffmpeg and GStreamer children get
 * SIGINT at the same moment as their parent, and exit before the parent's orderly stop reaches them.
 * Call it first thing in a signal handler (synchronously). Irreversible.
 */
export function expectShutdown(): void {
  shuttingDown = true;
}

/** Whether `expectShutdown()` was called in this process. */
export function isShuttingDown(): boolean {
  return shuttingDown;
}

/**
 * Keeps one child process running: restarts it with stepped back-off when it exits, until stop().
 * Ends only its own child, by PID (SIGTERM, then SIGKILL after a grace period).
 */
export class SupervisedProcess extends EventEmitter<Events> {
  private child: ChildProcess | null = null;
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private startedAt = 0;
  private stopped = true;
  private stderrTail: string[] = [];
  private readonly now: () => number;

  constructor(private readonly opts: SupervisorOptions) {
    super();
    this.now = opts.now ?? Date.now;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }
  get running(): boolean {
    return this.child !== null;
  }

  /**
   * Writes to the current run's stdin (a spec with `stdinPipe`). False when there is no run or no
   * open stdin (the data is not queued for a later run).
   */
  write(data: Buffer): boolean {
    const stdin = this.child?.stdin;
    if (!stdin || !stdin.writable) return false;
    stdin.write(data);
    return true;
  }

  /** Bytes written to the current run's stdin that it has not read yet (0 without a run). */
  get stdinBacklog(): number {
    return this.child?.stdin?.writableLength ?? 0;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.launch();
  }

  /** Kills the current run; the supervisor restarts it after the back-off step. */
  restart(reason: string): void {
    if (this.stopped || !this.child) return;
    this.opts.log.info({ proc: this.opts.name, reason }, 'restarting process');
    this.kill(this.child);
  }

  /** Idempotent: stops restarting and ends the child. Resolves when it has exited. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      this.kill(child);
    });
  }

  private kill(child: ChildProcess): void {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const hard = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, 2000);
    hard.unref();
    child.once('exit', () => clearTimeout(hard));
  }

  private launch(): void {
    this.timer = null;
    if (this.stopped) return;
    const spawn = this.opts.spawn ?? nodeSpawn;
    this.stderrTail = [];
    this.startedAt = this.now();
    let spec: ProcessSpec;
    try {
      spec = this.opts.spec();
    } catch (e) {
      // The owner cannot say what to run right now (e.g. its target is being rebuilt): a failed
      // start like any other, retried after the back-off; never an exception out of a timer.
      this.onExit(null, null, `cannot start: ${(e as Error).message}`);
      return;
    }
    let child: ChildProcess;
    try {
      child = spawn(spec.command, spec.args, {
        stdio: [spec.stdin !== undefined || spec.stdinPipe ? 'pipe' : 'ignore', this.opts.onStdout ? 'pipe' : 'ignore', 'pipe'],
        env: spec.env ?? process.env,
      });
    } catch (e) {
      this.onExit(null, null, `spawn failed: ${(e as Error).message}`);
      return;
    }
    this.child = child;
    if (spec.stdinPipe && child.stdin) {
      child.stdin.on('error', () => undefined);
    } else if (spec.stdin !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(spec.stdin);
    }
    let partial = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      const lines = (partial + text).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) this.pushStderr(line);
    });
    if (this.opts.onStdout) child.stdout?.on('data', this.opts.onStdout);
    child.once('error', (e) => {
      // ENOENT and the like: 'exit' may not follow.
      if (this.child === child) {
        this.child = null;
        this.onExit(null, null, `spawn failed: ${e.message}`);
      }
    });
    child.once('exit', (code, signal) => {
      if (partial) this.pushStderr(partial);
      if (this.child === child) {
        this.child = null;
        this.onExit(code, signal);
      }
    });
    if (child.pid !== undefined) this.emitSafe('started', child.pid);
  }

  private pushStderr(line: string): void {
    const clean = redactCredentials(line.trim());
    if (!clean) return;
    this.stderrTail.push(clean.slice(0, 300));
    if (this.stderrTail.length > 20) this.stderrTail.shift();
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null, spawnError?: string): void {
    if (spawnError) this.pushStderr(spawnError);
    const ranMs = this.now() - this.startedAt;
    if (ranMs >= this.opts.stableAfterMs) this.attempt = 0;
    if (shuttingDown) this.stopped = true;
    const restartInMs = this.stopped ? null : backoffDelay(this.opts.backoffMs, this.attempt++);
    this.emitSafe('exited', { code, signal, stderrTail: [...this.stderrTail], ranMs, restartInMs });
    if (restartInMs !== null) this.timer = setTimeout(() => this.launch(), restartInMs);
  }

  private emitSafe<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const listener of this.listeners(event)) {
      try {
        (listener as (...a: Events[K]) => void)(...args);
      } catch (e) {
        this.opts.log.error({ proc: this.opts.name, err: e }, `listener for ${String(event)} failed`);
      }
    }
  }
}
