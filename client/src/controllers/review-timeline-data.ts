import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { outageRanges } from '../core/health-alerts.js';
import type { TimeRange, View } from '../core/timeline.js';
import type { Range, RecorderApi } from '../services/recorder-api.js';
import type { HealthAlertService } from '../services/health-alerts.js';

const REFRESH_MS = 10_000;

export interface CameraSpans {
  /** Recorded spans in the view, or null before the first answer. */
  spans: Range[] | null;
  /** The last request failed (the previous spans are kept). */
  failed: boolean;
}

/**
 * What the review timeline draws for the reviewed cameras: recorded spans (from the recorder) and
 * health outages (from the alert history), for the view on screen. Loaded when the view moves and
 * every 10 s while reviewing (footage keeps arriving); a newer load aborts the one in flight, a
 * failed camera keeps its last spans and is marked failed.
 */
export class ReviewTimelineData implements ReactiveController {
  spans: ReadonlyMap<string, CameraSpans> = new Map();
  outages: ReadonlyMap<string, TimeRange[]> = new Map();
  private cameras: readonly string[] = [];
  private view: View | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private abort: AbortController | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly sources: () => { api: RecorderApi | null; health: HealthAlertService | null },
  ) {
    host.addController(this);
  }

  /** Starts over for these cameras and view (a new review session). */
  start(cameras: readonly string[], view: View): void {
    this.stop();
    this.cameras = cameras;
    this.spans = new Map();
    this.outages = new Map();
    this.view = view;
    void this.load();
    this.timer = setInterval(() => void this.load(), REFRESH_MS);
  }

  /** The view on screen moved. */
  setView(view: View): void {
    this.view = view;
    void this.load();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.abort?.abort();
    this.abort = null;
  }

  hostDisconnected(): void {
    this.stop();
  }

  private async load(): Promise<void> {
    const { api } = this.sources();
    const view = this.view;
    if (!api || !view) return;
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const { from } = view;
    const to = Math.min(view.to, Date.now() + 60_000);
    if (to <= from) return;
    const results = await Promise.all(
      this.cameras.map(async (cam) => {
        try {
          const r = await api.spans(cam, from, to, abort.signal);
          return [cam, { spans: r.spans, failed: false }] as const;
        } catch {
          return [cam, { spans: this.spans.get(cam)?.spans ?? null, failed: !abort.signal.aborted }] as const;
        }
      }),
    );
    if (abort.signal.aborted) return;
    this.spans = new Map(results);
    this.host.requestUpdate();
    await this.loadOutages(from, to, abort.signal);
  }

  private async loadOutages(from: number, to: number, signal: AbortSignal): Promise<void> {
    const { health } = this.sources();
    if (!health) return;
    const now = Date.now();
    const results = await Promise.all(
      this.cameras.map(async (cam) => {
        try {
          return [cam, outageRanges(await health.history(cam, from, to), now)] as const;
        } catch {
          return [cam, this.outages.get(cam) ?? []] as const;
        }
      }),
    );
    if (signal.aborted) return;
    this.outages = new Map(results);
    this.host.requestUpdate();
  }
}
