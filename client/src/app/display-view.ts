/**
 * The duty-room display (kiosk) view: a window opened with `?display=<name>` shows the layout the
 * server pushes for that display, full screen on the first click, with minimal chrome (its name, its
 * link state, who changed it last). No header, no keys but the kiosk's, no address-bar sync.
 */
import { html } from 'lit';
import type { CameraInfo, DisplayState } from '@wardwall/common';
import type { LinkLevel } from '../core/link-quality.js';
import { t } from '../i18n/i18n.js';
import type { LiveMediaService } from '../services/live-media.js';
import { changedText, sourceText } from '../components/ww-displays/ww-displays.js';

export interface DisplayView {
  name: string | null;
  display: DisplayState | null;
  online: boolean;
  cameras: ReadonlyMap<string, CameraInfo>;
  camerasLoaded: boolean;
  live: LiveMediaService | null;
  linkLevel: LinkLevel;
  /** The first click goes full screen. */
  onClick: () => void;
}

export function renderDisplayView(v: DisplayView): unknown {
  const d = v.display;
  return html`<div class="kiosk" @click=${v.onClick}>
    <ww-wall
      .layout=${d?.layout ?? '2x2'}
      .tiles=${d?.tiles ?? []}
      .cameras=${v.cameras}
      .camerasLoaded=${v.camerasLoaded}
      .live=${v.live}
      .serverConnected=${v.online}
      .selected=${null}
      .expanded=${null}
      .showStats=${false}
      .recorder=${null}
      .linkLevel=${v.linkLevel}
    ></ww-wall>
    <div class="display-info" data-display-name=${v.name ?? ''}>
      <span class="dot ${v.online ? 'live' : 'offline'}"></span>
      <strong>${v.name}</strong>
      ${d ? html`<span data-role="source">${sourceText(d)}</span><span data-role="changed">${changedText(d)}</span>` : html`<span>${t('display.waiting')}</span>`}
    </div>
  </div>`;
}
