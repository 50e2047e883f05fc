/**
 * Two overlays of a live tile, as templates: the health-alert badge in its top bar and the PTZ panel
 * (presets and exit) shown while the camera is being steered (docs/ptz.md).
 */
import { html, nothing } from 'lit';
import type { TileHealth } from '../../core/health-alerts.js';
import type { PtzController } from '../../controllers/ptz.js';
import { t } from '../../i18n/i18n.js';

export function renderHealthBadge(h: TileHealth | undefined): unknown {
  if (!h) return nothing;
  const label = t(`health.kind.${h.kind}`);
  return html`<span class="health ${h.acknowledged ? 'acked' : ''}" data-health=${h.kind} title=${t('health.badgeTitle', { kinds: label })}
    >⚠ ${label}${h.count > 1 ? html` <b>+${h.count - 1}</b>` : nothing}</span>`;
}

/** The PTZ panel; `refocus` gives the keys back to the tile after a preset is picked. */
export function renderPtzPanel(ptz: PtzController, refocus: () => void): unknown {
  const presets = ptz.info?.presets ?? [];
  return html`<div class="ptz-panel" data-ptz @pointerdown=${(e: Event) => e.stopPropagation()} @click=${(e: Event) => e.stopPropagation()} @dblclick=${(e: Event) => e.stopPropagation()}>
    <span class="hint">${t('ptz.hint')}</span>
    ${presets.length
      ? html`<select data-ptz-preset aria-label=${t('ptz.presets')} @change=${(e: Event) => {
          const sel = e.target as HTMLSelectElement;
          if (sel.value) void ptz.gotoPreset(sel.value);
          sel.value = '';
          refocus();
        }}>
          <option value="">${t('ptz.presets')}</option>
          ${presets.map((p, i) => html`<option value=${p.token}>${i < 9 ? `${i + 1}. ` : ''}${p.name}</option>`)}
        </select>`
      : nothing}
    <button type="button" class="tool" data-action="ptz-exit" @click=${() => ptz.leave()}>${t('ptz.exit')}</button>
  </div>`;
}
