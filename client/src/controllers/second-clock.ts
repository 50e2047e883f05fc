import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Re-renders its host just after every wall-clock second, all hosts on one shared timer (a wall of
 * 16 watermarked tiles runs one timeout, not 16). `now` is the time of the last tick.
 */
const hosts = new Set<SecondClockController>();
let timer: ReturnType<typeof setTimeout> | null = null;

function schedule(): void {
  const now = Date.now();
  timer = setTimeout(() => {
    timer = null;
    const t = Date.now();
    for (const h of [...hosts]) h.tick(t);
    if (hosts.size) schedule();
  }, 1000 - (now % 1000) + 10);
}

export class SecondClockController implements ReactiveController {
  now = Date.now();

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  tick(now: number): void {
    this.now = now;
    this.host.requestUpdate();
  }

  hostConnected(): void {
    this.now = Date.now();
    hosts.add(this);
    if (!timer) schedule();
  }

  hostDisconnected(): void {
    hosts.delete(this);
    if (!hosts.size && timer) {
      clearTimeout(timer);
      timer = null;
    }
  }
}
