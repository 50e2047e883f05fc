/**
 * What a live tile says about its camera: the state badge, the centred message (why there is no
 * picture, or what it waits for) and the stats line. Read from the tile's media and still
 * controllers; kept apart from <ww-tile> so the element is only wiring and markup.
 */
import type { CameraInfo, StreamStatus } from '@wardwall/common';
import type { TilePhase } from '../../controllers/live-tile.js';
import type { VideoStats } from '../../core/stats.js';
import { errorMessage, formatNumber, formatTime, reasonText, t } from '../../i18n/i18n.js';

/** What the status text is read from. */
export interface TileStatusInputs {
  index: number;
  state: TilePhase;
  status: StreamStatus | undefined;
  serverConnected: boolean;
  camerasLoaded: boolean;
  camera: CameraInfo | undefined;
  cameraId: string;
  errorCode: string | null;
  linkLive: boolean;
  hasFreeze: boolean;
  still: { failed: boolean; image: HTMLImageElement | null; unavailable?: boolean };
}

/** The state badge (its class and text). */
export function tileBadge(s: Pick<TileStatusInputs, 'state' | 'status' | 'serverConnected'>): { cls: string; text: string } {
  const status = s.status;
  if (s.state === 'playing') return { cls: 'live', text: t('state.live') };
  if (!status || !s.serverConnected) return { cls: '', text: t('state.unknown') };
  // A resident camera whose owner paused sharing is not a fault.
  if (status.reason === 'paused') return { cls: 'held', text: t('state.paused') };
  return { cls: status.state, text: t(`state.${status.state}`) };
}

/** The centred message, or null when the picture speaks for itself. */
export function tileMessage(s: TileStatusInputs): { text: string; detail?: string; kind: string } | null {
  const status = s.status;
  switch (s.state) {
    case 'empty':
      return { text: t('tile.empty'), detail: t('tile.number', { n: s.index + 1 }), kind: 'empty' };
    case 'offline':
      if (status?.reason === 'paused') return { text: t('tile.residentPaused'), detail: t('tile.residentPausedDetail'), kind: 'held' };
      // A camera the ingest cannot show says why (e.g. H.265 with transcoding turned off).
      if (status?.ingest?.mode === 'unplayable') return { text: t('tile.unplayable'), detail: t(`ingestReason.${status.ingest.reason}`), kind: 'offline' };
      return {
        text: t('tile.offline'),
        detail: [status?.reason ? t('state.reason', { reason: reasonText(status.reason) }) : '', status ? t('state.since', { time: formatTime(status.since) }) : '']
          .filter(Boolean)
          .join(' · '),
        kind: 'offline',
      };
    case 'error':
      if (s.camerasLoaded && !s.camera) return { text: t('tile.unknownCamera'), detail: s.cameraId, kind: 'error' };
      return { text: t('tile.error', { message: errorMessage(s.errorCode ?? 'INTERNAL') }), kind: 'error' };
    case 'paused':
      return { text: s.linkLive ? t('tile.paused') : t('tile.stillMode'), kind: 'paused' };
    case 'still': {
      const noPicture = s.still.failed && !s.still.image && !s.hasFreeze ? (s.still.unavailable ? t('tile.noWardStill') : t('tile.noStill')) : undefined;
      if (!s.serverConnected) return { text: t('tile.disconnected'), detail: noPicture, kind: 'waiting' };
      if (status && status.state !== 'live') return { text: t('tile.waitingLive'), detail: noPicture, kind: 'waiting' };
      // The camera is live but a new viewer needs its next keyframe (up to one GOP, e.g. 10 s): the still shows meanwhile.
      if (s.still.image) return { text: t('tile.waitingKeyframe'), detail: t('tile.waitingKeyframeDetail'), kind: 'loading' };
      return { text: t('tile.loading'), kind: 'loading' };
    }
    case 'playing':
      return null;
  }
}

/** The stats overlay's line (resolution, bitrate, fps, latency, losses). */
export function statsLine(s: VideoStats): string {
  const parts: string[] = [];
  if (s.width && s.height) parts.push(t('stats.resolution', { width: s.width, height: s.height }));
  if (s.bitrateKbps !== null) parts.push(t('stats.bitrate', { value: formatNumber(s.bitrateKbps, 0) }));
  if (s.fps !== null) parts.push(t('stats.fps', { value: formatNumber(s.fps, 1) }));
  if (s.latencyMs !== null) parts.push(t('stats.latency', { value: formatNumber(s.latencyMs, 0) }));
  if (s.packetsLost) parts.push(t('stats.lost', { value: formatNumber(s.packetsLost, 0) }));
  return parts.join(' · ');
}
