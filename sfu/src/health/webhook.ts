/**
 * Optional webhook: each alert change is POSTed as JSON to a configured URL (e.g. a gateway that
 * forwards to phones). Never blocks the caller: deliveries wait in a bounded queue and are sent one
 * at a time, each with a timeout and retries on a stepped back-off. The URL may carry credentials
 * or a token: logs name only its scheme and host.
 */
import type { Logger } from 'pino';
import { describeUrl, type HealthAlert } from '@wardwall/common';

export interface WebhookOptions {
  url: string;
  timeoutMs: number;
  retryBackoffMs: readonly number[];
  maxQueue: number;
  log: Logger;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface WebhookPayload {
  event: 'alert';
  alert: HealthAlert;
  cameraName: string;
  /** The camera's review at the alert's time, absolute (from `sfu.publicUrl`), or null when no public URL is set. */
  link: string | null;
  /** The same link's path and query (`/?mode=review&cams=…&at=…`), to put behind the wall's address. */
  linkPath: string;
}

export class WebhookSender {
  private readonly queue: WebhookPayload[] = [];
  private running = false;
  private closed = false;
  private readonly target: string;
  /** fetch refuses URLs with user-info: it travels as a Basic authorization header instead. */
  private readonly endpoint: { url: string; authorization: string | null };
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Counters for tests and diagnostics. */
  readonly stats = { delivered: 0, failed: 0, dropped: 0 };

  constructor(private readonly opts: WebhookOptions) {
    this.target = describeUrl(opts.url);
    this.endpoint = splitCredentials(opts.url);
    this.fetchFn = opts.fetch ?? fetch;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms).unref()));
  }

  /** Queues a delivery and returns at once. */
  send(payload: WebhookPayload): void {
    if (this.closed) return;
    this.queue.push(payload);
    while (this.queue.length > this.opts.maxQueue) {
      this.queue.shift();
      this.stats.dropped++;
    }
    if (!this.running) void this.drain();
  }

  /** Resolves when the queue is empty (tests). */
  async idle(): Promise<void> {
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed && this.queue.length) {
        const payload = this.queue.shift()!;
        await this.deliver(payload);
      }
    } finally {
      this.running = false;
    }
  }

  private async deliver(payload: WebhookPayload): Promise<void> {
    const body = JSON.stringify(payload);
    const steps = this.opts.retryBackoffMs;
    for (let attempt = 0; attempt <= steps.length && !this.closed; attempt++) {
      if (attempt > 0) await this.sleep(steps[attempt - 1]!);
      let why: string;
      try {
        const res = await this.fetchFn(this.endpoint.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'wardwall-health',
            ...(this.endpoint.authorization ? { authorization: this.endpoint.authorization } : {}),
          },
          body,
          signal: AbortSignal.timeout(this.opts.timeoutMs),
          redirect: 'error',
        });
        await res.body?.cancel().catch(() => undefined);
        if (res.ok) {
          this.stats.delivered++;
          return;
        }
        why = `HTTP ${res.status}`;
        // A client error will not heal by retrying.
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) attempt = steps.length;
      } catch (e) {
        why = (e as Error).name === 'TimeoutError' ? 'timeout' : 'network error';
      }
      this.opts.log.warn({ target: this.target, alert: payload.alert.id, attempt: attempt + 1, why }, 'alert webhook delivery failed');
    }
    this.stats.failed++;
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }
}

function splitCredentials(raw: string): { url: string; authorization: string | null } {
  const u = new URL(raw);
  if (!u.username && !u.password) return { url: raw, authorization: null };
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization };
}
