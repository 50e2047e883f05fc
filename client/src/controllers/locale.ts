import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { onLangChange } from '../i18n/i18n.js';

/** Re-renders its host when the language changes. */
export class LocaleController implements ReactiveController {
  private off: (() => void) | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.off = onLangChange(() => this.host.requestUpdate());
  }

  hostDisconnected(): void {
    this.off?.();
    this.off = null;
  }
}
