import { html } from 'lit';
import type { ReviewSession } from '../../controllers/review-session.js';
import { hcmTimeText } from '../../core/hcm-time.js';
import type { ReviewAction } from '../../core/shortcuts.js';
import { SPEEDS, stepSpeed } from '../../core/sync.js';
import { formatDate, formatNumber, t } from '../../i18n/i18n.js';
import { bookmarkIcon } from '../../styles/icons.js';

/** What the transport bar needs from the review page besides the session. */
export interface TransportHost {
  position: number;
  sessionCameras: readonly string[];
  gotoText: string;
  setGotoText(v: string): void;
  goto(): void;
  bookmark(): void;
  followPast(detail: { cameraId: string | undefined; at: number }): void;
}

/**
 * Review's transport bar (part of ww-review's shadow DOM, styled by ww-review.styles.ts): ±10 s,
 * frame steps, play/pause, follow from here, speed, the master clock's instant, bookmark, go to.
 */
export function transportTemplate(s: ReviewSession, h: TransportHost): unknown {
  const playing = s.clock.playing;
  return html`<div class="transport" role="toolbar">
    <button type="button" data-action="back10" title=${t('review.back10')} @click=${() => s.jump(-10_000)}>−10s</button>
    <button type="button" data-action="step-back" title=${t('review.stepBack')} @click=${() => s.step(-1)}>◀︎|</button>
    <button type="button" class="primary" data-action="play" data-playing=${playing ? 'true' : 'false'} title=${playing ? t('review.pause') : t('review.play')} @click=${() => s.toggle()}>
      ${playing ? '❚❚' : '▶︎'}
    </button>
    <button type="button" data-action="step-fwd" title=${t('review.stepFwd')} @click=${() => s.step(1)}>|▶︎</button>
    <button type="button" data-action="fwd10" title=${t('review.fwd10')} @click=${() => s.jump(10_000)}>+10s</button>
    <button type="button" data-action="follow" title=${t('follow.fromHere')} ?disabled=${h.sessionCameras.length === 0}
      @click=${() => h.followPast({ cameraId: h.sessionCameras[0], at: s.clock.position() })}>
      ${t('mode.follow')}</button>
    <label>${t('review.speed')}
      <select data-field="speed" @change=${(e: Event) => s.setSpeed(Number((e.target as HTMLSelectElement).value))}>
        ${SPEEDS.map((x) => html`<option value=${x} ?selected=${x === s.clock.speed}>${formatNumber(x, 2)}×</option>`)}
      </select>
    </label>
    <span class="now" title=${t('review.position')} data-position=${Math.round(h.position)}>
      <span class="clock">${hcmTimeText(h.position, true)}</span>
      <span class="date">${formatDate(h.position)}</span>
    </span>
    <button type="button" data-action="bookmark" title=${t('bm.button')} @click=${() => h.bookmark()}>${bookmarkIcon()}</button>
    <form class="goto" @submit=${(e: Event) => (e.preventDefault(), h.goto())}>
      <input type="text" data-field="goto" placeholder=${t('review.gotoPlaceholder')} aria-label=${t('review.goto')} .value=${h.gotoText}
        @input=${(e: Event) => h.setGotoText((e.target as HTMLInputElement).value)} />
      <button type="submit" data-action="goto">${t('review.gotoButton')}</button>
    </form>
  </div>`;
}

/** What each of review's shortcuts does (core/shortcuts.ts holds the keys and the help lines). */
const KEY_ACTIONS: Record<ReviewAction, (s: ReviewSession, h: { bookmark(urgent: boolean): void }) => void> = {
  playPause: (s) => s.toggle(),
  stepBack: (s) => s.step(-1),
  stepForward: (s) => s.step(1),
  jumpBack: (s) => s.jump(-10_000),
  jumpForward: (s) => s.jump(10_000),
  slower: (s) => s.setSpeed(stepSpeed(s.clock.speed, -1)),
  faster: (s) => s.setSpeed(stepSpeed(s.clock.speed, 1)),
  bookmark: (_s, h) => h.bookmark(false),
  bookmarkUrgent: (_s, h) => h.bookmark(true),
};

/** Runs one of review's shortcut actions (ww-review resolves the key through the table). */
export function runReviewAction(action: ReviewAction, s: ReviewSession, h: { bookmark(urgent: boolean): void }): void {
  KEY_ACTIONS[action](s, h);
}
