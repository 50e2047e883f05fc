/**
 * Pure: from what the probe learned about a camera stream and the camera's `transcode` setting, how
 * the live ingest handles it (passthrough / transcode / cannot be shown) and why, plus the H.264
 * profile-level-id to declare to mediasoup for passthrough.
 */
import { z } from 'zod';
import type { IngestInfo, IngestMode, IngestReason } from '@wardwall/common';

/** One line of JSON that `gst-ingest.py` prints in probe mode (outside input: parsed). */
export const probeReportSchema = z.object({
  video: z
    .object({
      encodingName: z.string().max(40),
      profileLevelId: z.string().max(12).nullable().optional(),
      profile: z.string().max(40).optional(),
      level: z.string().max(8).optional(),
      width: z.number().int().min(0).max(16384).optional(),
      height: z.number().int().min(0).max(16384).optional(),
      fps: z.number().min(0).max(1000).nullable().optional(),
      reordering: z.boolean(),
      frames: z.number().int().min(0),
    })
    .nullable(),
  audio: z.array(z.object({ encodingName: z.string().max(40), clockRate: z.number().int().nullable().optional(), channels: z.number().int().optional() })).max(8),
  /** Probe with `snapshot`: one decoded keyframe, JPEG, base64. */
  snapshot: z.string().max(1_900_000).regex(/^[A-Za-z0-9+/=]*$/).optional(),
});
export type ProbeReport = z.infer<typeof probeReportSchema>;

export interface IngestPlan {
  mode: IngestMode;
  reason: IngestReason;
  /** Codec the pipeline depayloads ('H264' | 'H265'). */
  codec: 'H264' | 'H265';
  /** What mediasoup is told the producer sends. */
  profileLevelId: string;
  info: IngestInfo;
}

/** H.264 profiles browsers decode from WebRTC (Chromium: constrained baseline, baseline, main, high). */
const BROWSER_PROFILES: Record<string, string> = {
  'constrained-baseline': '42e0',
  baseline: '4200',
  main: '4d00',
  high: '6400',
  'constrained-high': '640c',
};

/** The profile-level-id (6 hex digits) of a parsed H.264 profile and level ('3.1' -> 1f), or null. */
export function h264ProfileLevelId(profile: string | undefined, level: string | undefined): string | null {
  const p = profile ? BROWSER_PROFILES[profile] : undefined;
  if (!p) return null;
  const lv = level ? Math.round(Number(level) * 10) : 31;
  if (!Number.isFinite(lv) || lv < 9 || lv > 62) return `${p}1f`;
  return p + lv.toString(16).padStart(2, '0');
}

export const TRANSCODED_PROFILE_LEVEL_ID = '42e01f';

export function decideIngest(setting: boolean | 'auto', probe: ProbeReport | null): IngestPlan {
  const v = probe?.video ?? null;
  const codecName = v ? v.encodingName.toUpperCase() : null;
  const info: IngestInfo = {
    mode: 'passthrough',
    reason: 'browser_ready',
    codec: codecName,
    profile: v?.profile ?? null,
    width: v?.width || null,
    height: v?.height || null,
    fps: v?.fps ?? null,
    bframes: v ? v.reordering : null,
    audio: (probe?.audio ?? []).map((a) => a.encodingName.toUpperCase()),
  };
  const codec: 'H264' | 'H265' = codecName === 'H265' ? 'H265' : 'H264';
  const plan = (mode: IngestMode, reason: IngestReason, profileLevelId = TRANSCODED_PROFILE_LEVEL_ID): IngestPlan => ({
    mode,
    reason,
    codec,
    profileLevelId,
    info: { ...info, mode, reason },
  });
  if (setting === true) return plan('transcode', 'forced_transcode');
  const declared = v && codec === 'H264' ? (h264ProfileLevelId(v.profile, v.level) ?? TRANSCODED_PROFILE_LEVEL_ID) : TRANSCODED_PROFILE_LEVEL_ID;
  if (setting === false) {
    if (v && codecName !== 'H264') return plan('unplayable', 'needs_transcode');
    return plan('passthrough', 'forced_passthrough', declared);
  }
  if (!probe) return plan('passthrough', 'probe_failed');
  if (!v) return plan('unplayable', 'no_video');
  if (codecName === 'H265') return plan('transcode', 'h265');
  if (codecName !== 'H264') return plan('unplayable', 'codec');
  if (v.reordering) return plan('transcode', 'bframes');
  const pli = h264ProfileLevelId(v.profile, v.level);
  if (v.profile && !pli) return plan('transcode', 'profile');
  return plan('passthrough', 'browser_ready', pli ?? TRANSCODED_PROFILE_LEVEL_ID);
}

/**
 * Whether the relay engine (docs/relay-ingest.md) can carry a stream: H.264 passthrough, and no
 * live audio to pace with it (a camera with audio whose live branch is on keeps GStreamer's paced run).
 */
export function relayCarries(plan: Pick<IngestPlan, 'mode' | 'codec' | 'info'>, liveAudio: boolean): boolean {
  return plan.mode === 'passthrough' && plan.codec === 'H264' && !(liveAudio && plan.info.audio.length > 0);
}
