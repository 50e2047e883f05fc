/**
 * Camera health: the kinds of fault the SFU detects and the alert records it keeps and pushes.
 * Shared by the SFU and the wall (no Node or DOM imports).
 */
import { z } from 'zod';
import { CAMERA_ID } from './config.js';

export const HEALTH_KINDS = [
  'offline', // no media for a few seconds (unplugged, cut, powered off)
  'black', // very dark picture (lens covered in black, sprayed, no video signal)
  'covered', // nearly uniform picture of any brightness (bag, paint, fog)
  'frozen', // the picture does not change although frames keep coming
  'moved', // the scene differs strongly from the reference learned while healthy
  'defocused', // the picture lost most of its sharpness
  'reconnect_storm', // the stream dropped and came back many times in a short window
  'low_rate', // bitrate or packet rate (frame-rate proxy) far below the camera's normal
] as const;
export type HealthKind = (typeof HEALTH_KINDS)[number];

export const ALERT_STATES = ['open', 'acknowledged', 'closed'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export interface HealthAlert {
  id: number;
  cameraId: string;
  kind: HealthKind;
  state: AlertState;
  /** Server times, ms since epoch. */
  openedAt: number;
  ackedAt: number | null;
  /** Display name of who acknowledged it. */
  ackedBy: string | null;
  closedAt: number | null;
  /** Measures at detection (numbers only: never a URL). */
  detail: Record<string, number>;
  /**
   * The camera's review at the alert's time (`/?mode=review&cams=<id>&at=<openedAt>`): absolute from
   * `sfu.publicUrl` when set, else a path the browser resolves against its own origin. Added by the
   * SFU to pushes, lists and webhooks (not stored).
   */
  link?: string;
}

const requestId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const alertId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const time = z.number().int().min(0).max(8.64e15);

/** The signaling messages of camera health (members of the client message union). */
export const healthMessageSchemas = [
  /** Open and acknowledged alerts the caller may see. */
  z.object({ type: z.literal('alertsList'), id: requestId }).strict(),
  z.object({ type: z.literal('alertAck'), id: requestId, alertId }).strict(),
  /** One camera's alerts (every state), newest first, opened within [from, to). */
  z
    .object({
      type: z.literal('alertHistory'),
      id: requestId,
      cameraId: z.string().regex(CAMERA_ID),
      from: time.optional(),
      to: time.optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    })
    .strict(),
] as const;

export interface HealthResponseData {
  alertsList: { alerts: HealthAlert[] };
  alertAck: { alert: HealthAlert };
  alertHistory: { alerts: HealthAlert[] };
}
