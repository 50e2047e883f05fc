/**
 * The city control plane's names and records (docs/city.md): the hub's JetStream key-value buckets,
 * their keys, the request subjects and the zod schemas of what crosses NATS. Pure.
 *
 * A camera record carries only what the centre's directory and map need: no URL, no host, no
 * credential (the schema is strict, so a record with any other field is refused on both sides).
 */
import { z } from 'zod';
import { CAMERA_ID, CAMERA_STATES, OFFLINE_REASONS } from '@wardwall/common';
import { WARD_ID } from './nats-config.js';

/** Cameras of every ward, key `<ward>.<camera>` (bucket on the hub, domain `hub`). */
export const CAMERAS_BUCKET = 'city_cameras';
/** Ward presence, key `<ward>`: rewritten by the ward every `heartbeatMs` (the heartbeat). */
export const WARDS_BUCKET = 'city_wards';
/** Entries of the wards bucket older than this are removed by the hub (a ward gone for good). */
export const WARDS_MAX_AGE_MS = 60_000;

export const cameraKey = (ward: string, camera: string): string => `${ward}.${camera}`;

/** `<ward>.<camera>` back to its parts; null for a key of another shape. */
export function parseCameraKey(key: string): { ward: string; camera: string } | null {
  const parts = key.split('.');
  if (parts.length !== 2) return null;
  const [ward, camera] = parts as [string, string];
  return WARD_ID.test(ward) && CAMERA_ID.test(camera) ? { ward, camera } : null;
}

/** The subject a ward publishes its event `name` on (e.g. `pipe.closed`); `*` as the ward: every ward's. */
export const wardEventSubject = (ward: string, name: string): string => `city.${ward}.evt.${name}`;

/** The subject a ward answers the centre's request `op` on. */
export const wardRequestSubject = (ward: string, op: string): string => `city.${ward}.req.${op}`;

const position = z
  .object({
    x: z.number().min(0).max(1000),
    y: z.number().min(0).max(1000),
    heading: z.number().min(0).lt(360).optional(),
  })
  .strict();

export const cameraRecordSchema = z
  .object({
    ward: z.string().regex(WARD_ID),
    id: z.string().regex(CAMERA_ID),
    name: z.string().min(1).max(200),
    state: z.enum(CAMERA_STATES),
    reason: z.enum(OFFLINE_REASONS).nullable(),
    /** On the ward's map (map units 0..1000), null when not placed. */
    position: position.nullable(),
    /** Ward time (ms since epoch) of the last state change. */
    since: z.number().int().nonnegative(),
  })
  .strict();
export type CameraRecord = z.infer<typeof cameraRecordSchema>;

export const wardRecordSchema = z
  .object({
    ward: z.string().regex(WARD_ID),
    name: z.string().min(1).max(200),
    /** Ward time of this heartbeat (ms since epoch): information only, clocks may differ. */
    at: z.number().int().nonnegative(),
    /** How often the ward rewrites this record, ms: the centre's offline timeout scales with it. */
    heartbeatMs: z.number().int().min(100).max(60_000),
    cameras: z.number().int().nonnegative(),
    /** The ward SFU's address for the centre's HTTP calls (recordings through the centre); optional. */
    httpUrl: z.string().regex(/^https?:\/\/[^\s/@?#]+\/?$/).max(300).optional(),
    /**
     * The ward SFU's instance id, random at each start (optional: older wards do not send it). A new
     * one tells the centre the ward's SFU restarted: its pipes are gone (centre-link drops its halves).
     */
    instance: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional(),
  })
  .strict();
export type WardRecord = z.infer<typeof wardRecordSchema>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const encodeJson = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));

/** Parses `bytes` as JSON checked by `schema`; null when it is not JSON or does not fit. */
export function decodeJson<T>(bytes: Uint8Array, schema: z.ZodType<T>): T | null {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return null;
  }
  const r = schema.safeParse(value);
  return r.success ? r.data : null;
}

/**
 * The centre's heartbeat (core NATS, not stored): each centre SFU publishes it every `heartbeatMs` on
 * this subject; every ward hears it through its leaf node. A ward drops the pipes a centre instance
 * opened when that node announces another instance (it restarted: nobody holds the old pipes) or
 * when the instance was not heard for a while (gone for good; docs/city.md "Restarts").
 */
export const CENTRE_HEARTBEAT_SUBJECT = 'city.centre.heartbeat';

export const centreHeartbeatSchema = z
  .object({
    /** This start of the centre SFU (random at each start). */
    instance: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
    /** Which centre SFU (stable across its restarts, e.g. host:port): a centre may run several. */
    node: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/),
    at: z.number().int().nonnegative(),
    heartbeatMs: z.number().int().min(100).max(60_000),
  })
  .strict();
export type CentreHeartbeat = z.infer<typeof centreHeartbeatSchema>;
