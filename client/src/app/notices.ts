/**
 * The bars under the header: a notice about links (a link's coded refusal, a copied link, or the
 * link to copy by hand) and the urgent bookmarks another operator just marked.
 */
import { html, nothing } from 'lit';
import type { CameraInfo } from '@wardwall/common';
import { hcmTimeText } from '../core/hcm-time.js';
import { t } from '../i18n/i18n.js';
import type { UrgentNotice } from '../core/city-alerts.js';

/** A notice about links: a link's refusal (coded), a copied link, or the link to copy by hand. */
export interface LinkNotice {
  kind: 'refused' | 'refusedAll' | 'page' | 'bad' | 'copied' | 'manual';
  /** LINK_CAMERA_FORBIDDEN, LINK_PAGE_FORBIDDEN, LINK_BAD (refusals and bad links). */
  code: string | null;
  text: string;
  link?: string;
}

export function renderLinkNotice(n: LinkNotice, dismiss: () => void): unknown {
  const alert = n.code !== null;
  return html`<div class="link-notice ${alert ? 'refusal' : ''}" role=${alert ? 'alert' : 'status'} data-link-notice=${n.kind} data-code=${n.code ?? ''} data-link=${n.link ?? ''}>
    <span>${n.text}${n.code ? html` <code>${n.code}</code>` : nothing}</span>
    ${n.link && n.kind === 'manual' ? html`<input readonly .value=${n.link} @focus=${(e: FocusEvent) => (e.target as HTMLInputElement).select()} />` : nothing}
    <button type="button" data-action="link-dismiss" aria-label=${t('link.dismiss')} @click=${dismiss}>✕</button>
  </div>`;
}

export function renderUrgentNotice(b: UrgentNotice, cameraMap: ReadonlyMap<string, CameraInfo>, open: () => void, dismiss: () => void): unknown {
  const cameras = b.cameras.map((c) => cameraMap.get(c)?.name ?? c).join(', ');
  return html`<div class="urgent-notice" role="alert" data-urgent-notice=${b.id} data-ward=${b.ward ?? ''}>
    <strong>${b.ward ? t('bm.urgentNoticeWard', { ward: cameraMap.get(b.cameras[0] ?? '')?.city?.wardName ?? b.ward, author: b.author || '—', title: b.title || '—' }) : t('bm.urgentNotice', { author: b.author || '—', title: b.title || '—' })}</strong>
    <span>${cameras} · ${hcmTimeText(b.startMs)}</span>
    <button type="button" data-action="urgent-open" @click=${open}>${t('bm.open')}</button>
    <button type="button" data-action="urgent-dismiss" aria-label=${t('bm.dismiss')} @click=${dismiss}>✕</button>
  </div>`;
}
