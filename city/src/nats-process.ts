/**
 * One nats-server child process running a config made by nats-config.ts. The config (it holds
 * passwords) is written mode 0600 into a private directory (0700) and passed as a path: no
 * credential is ever on the command line. The server's log lines go through `redactCredentials`
 * before anything keeps them. `start()` resolves once the server says it is ready; `stop()` ends
 * only this child, by its PID (SIGTERM, then SIGKILL after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactCredentials } from '@wardwall/common';
import type { Logger } from '@wardwall/server-kit';

/** Debian's package installs it here (scripts/setup/apt.sh); `WARDWALL_NATS_SERVER` overrides. */
export const DEFAULT_NATS_SERVER = process.env.WARDWALL_NATS_SERVER ?? 'nats-server';

/** A new random password for a NATS user: 32 URL-safe characters (what nats-config.ts accepts). */
export function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

export interface NatsProcessOptions {
  /** For errors and log lines, e.g. "city hub", "ward w1 leaf". */
  name: string;
  /** The config text (hubConfig / leafConfig). */
  config: string;
  /** A directory of this server's own: made 0700; the config file is written into it, 0600. */
  dir: string;
  /** How long to wait for "Server is ready", ms. */
  readyTimeoutMs?: number;
  command?: string;
  /**
   * Words run before the command, e.g. `['ip', 'netns', 'exec', '<ns>']` to start the server inside a
   * network namespace (`ip netns exec` execs the command: the PID stays the server's).
   */
  prefix?: readonly string[];
  log?: Logger;
}

export class NatsProcessError extends Error {
  constructor(
    readonly code: 'NATS_START_FAILED' | 'NATS_START_TIMEOUT',
    message: string,
  ) {
    super(message);
  }
}

const READY = /Server is ready/;

export class NatsServerProcess {
  private child: ChildProcess | null = null;
  private readonly tail: string[] = [];
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly opts: NatsProcessOptions) {}

  /** The child's PID while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The server's last log lines, credentials removed (for error messages and tests). */
  logTail(): string[] {
    return [...this.tail];
  }

  /** The path of the config file (mode 0600). */
  get configFile(): string {
    return join(this.opts.dir, 'nats-server.conf');
  }

  async start(): Promise<void> {
    if (this.child) throw new Error(`${this.opts.name}: already started`);
    mkdirSync(this.opts.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.opts.dir, 0o700);
    writeFileSync(this.configFile, this.opts.config, { mode: 0o600 });
    chmodSync(this.configFile, 0o600);
    const argv = [...(this.opts.prefix ?? []), this.opts.command ?? DEFAULT_NATS_SERVER, '-c', this.configFile];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let buffered = '';
    let onLine: ((line: string) => void) | null = null;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = redactCredentials(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        this.tail.push(line);
        if (this.tail.length > 40) this.tail.shift();
        this.opts.log?.debug({ server: this.opts.name }, line);
        onLine?.(line);
      }
    });
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      this.opts.log?.info({ server: this.opts.name, code, signal }, 'nats-server exited');
    });
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        onLine = null;
        child.off('exit', onExit);
        child.off('error', onError);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => {
        this.killNow();
        done(new NatsProcessError('NATS_START_TIMEOUT', `${this.opts.name}: nats-server not ready after ${this.opts.readyTimeoutMs ?? 10_000} ms: ${this.tail.slice(-5).join(' | ')}`));
      }, this.opts.readyTimeoutMs ?? 10_000);
      const onExit = (code: number | null, signal: string | null) =>
        done(new NatsProcessError('NATS_START_FAILED', `${this.opts.name}: nats-server exited (${code ?? signal}) before ready: ${this.tail.slice(-5).join(' | ')}`));
      const onError = (e: Error) => done(new NatsProcessError('NATS_START_FAILED', `${this.opts.name}: cannot run nats-server (${e.message}); install it with scripts/setup/apt.sh`));
      child.once('exit', onExit);
      child.once('error', onError);
      onLine = (line) => {
        if (READY.test(line)) done();
      };
      if (this.tail.some((l) => READY.test(l))) done();
    });
  }

  private killNow(): void {
    const pid = this.child?.pid;
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone already */
      }
    }
  }

  /** Ends the child by PID: SIGTERM, then SIGKILL after `graceMs`. Resolves when it has exited. */
  async stop(graceMs = 3000): Promise<void> {
    const child = this.child;
    const pid = child?.pid;
    if (!child || pid === undefined) return;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone already */
    }
    const timer = setTimeout(() => this.killNow(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
