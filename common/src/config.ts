/**
 * The one configuration file shared by the SFU, the recorder and the embedded RTSP endpoint.
 * Precedence: defaults, then the JSON file, then environment variables. Pure: callers read the
 * file and the environment and hand them in. Errors name the offending key.
 */
import { z } from 'zod';
import { DEFAULT_NEIGHBOUR_DISTANCE, NEIGHBOUR_DIRECTIONS } from './neighbours.js';
import { demoCameras } from './demo-ward.js';

export const CAMERA_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** A city ward id (the city package's WARD_ID): a NATS subject token and a JetStream domain. */
export const WARD_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** A ward's camera seen at the command centre: `<ward>/<camera>` (docs/city.md). */
export const REMOTE_CAMERA_ID = /^([a-z0-9][a-z0-9_-]{0,31})\/([a-z0-9][a-z0-9_-]{0,63})$/;
/** `<ward>/<camera>` into its parts; null when `id` is not a remote camera id. */
export function parseRemoteCameraId(id: string): { ward: string; camera: string } | null {
  const m = REMOTE_CAMERA_ID.exec(id);
  return m && m[1] !== 'hub' ? { ward: m[1]!, camera: m[2]! } : null;
}

const streamUrl = z
  .string()
  .max(2048)
  .refine((s) => /^(rtsps?|rtmp):\/\/[^\s]+$/i.test(s) && URL.canParse(s), {
    message: 'must be an rtsp://, rtsps:// or rtmp:// URL',
  });

export const cameraConfigSchema = z
  .object({
    id: z.string().regex(CAMERA_ID, 'lower-case letters, digits, "-" or "_", at most 64'),
    name: z.string().min(1).max(120),
    /** RTSP URL of the main (full resolution) stream. May carry credentials; never leaves the server. */
    main: streamUrl,
    /** Optional lower-resolution sub stream, used by small tiles. */
    sub: streamUrl.optional(),
    /**
     * Re-encode to H.264 constrained baseline without B-frames. 'auto' (default): the ingest probes
     * the stream on every start and transcodes only what browsers cannot play as it is (H.265,
     * B-frames, unusual profiles); true/false force it.
     */
    transcode: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    /**
     * The camera's audio (G.711 or AAC) is heard live and recorded; `false` turns it off in both
     * (privacy). Absent = true.
     */
    audio: z.boolean().optional(),
    /** Position on the ward map, in map units (0..1000 on both axes), heading in degrees (0 = north). */
    position: z
      .object({
        x: z.number().min(0).max(1000),
        y: z.number().min(0).max(1000),
        heading: z.number().min(0).lt(360).optional(),
      })
      .strict()
      .optional(),
    /**
     * Explicit neighbours for follow mode, replacing the ones derived from positions and headings.
     * `direction` is relative to this camera's view: ahead (where it looks), behind, left, right.
     */
    neighbours: z
      .array(z.object({ id: z.string().regex(CAMERA_ID), direction: z.enum(NEIGHBOUR_DIRECTIONS) }).strict())
      .max(16)
      .optional(),
    /**
     * Pan/tilt/zoom through ONVIF (docs/ptz.md): the device service URL and the account the SFU
     * uses (WS-Security UsernameToken digest). Never leaves the server; browsers only learn `ptz: true`.
     */
    onvif: z
      .object({
        url: z.string().url().refine((u) => /^https?:\/\//i.test(u) && !/^https?:\/\/[^/]*@/i.test(u), { message: 'must be an http:// or https:// URL without user:password@ (use user and password)' }),
        user: z.string().min(1).max(128).optional(),
        password: z.string().max(256).optional(),
        /** The media profile to steer (default: the first profile with a PTZ configuration). */
        profile: z.string().min(1).max(64).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((cam, ctx) => {
    cam.neighbours?.forEach((n, i) => {
      if (n.id === cam.id) ctx.addIssue({ code: 'custom', path: ['neighbours', i, 'id'], message: 'a camera cannot be its own neighbour' });
    });
  });
export type CameraConfig = z.output<typeof cameraConfigSchema>;

const port = z.number().int().min(1).max(65535);

/**
 * Camera health: thresholds of the detectors (fed by keyframe thumbnails, 64x36 luma, and the
 * stream's counters) and the optional webhook. Documented in config.example.jsonc.
 */
export const healthConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** A stream the ingest marked offline (pipeline ended, or its own no-media timeout) for this long opens an "offline" alert. */
    offlineGraceMs: z.number().int().min(0).max(600000).default(1000),
    /** A live stream whose packet counter has not moved for this long is "offline" too (read from the watchdog's counters, once a second). */
    noMediaMs: z.number().int().min(500).max(600000).default(2500),
    /** Mean luma (0..255) below which a picture is "black". */
    blackMeanMax: z.number().min(0).max(255).default(28),
    /**
     * A dark picture (mean below blackMeanMax) whose luma varies more than this is not "black": it
     * has detail (white lines, lights, a lit window at night). Black is dark and featureless.
     */
    blackStdMax: z.number().min(0).max(128).default(12),
    /** Luma standard deviation below which a (not black) picture is "covered" (near-uniform). */
    coveredStdMax: z.number().min(0).max(128).default(6),
    /** Consecutive keyframes a black/covered/moved/defocused picture must persist. */
    pictureKeyframes: z.number().int().min(1).max(100).default(2),
    /** Healthy keyframes used to learn the reference still, the sharpness and the noise floor. */
    referenceKeyframes: z.number().int().min(2).max(500).default(8),
    /** Keyframe-to-keyframe difference (0..255) at or below which the picture "did not change", at most. */
    frozenMaxDiff: z.number().min(0).max(255).default(0.6),
    /** At least this (a codec re-encoding an unchanged picture is not bit-exact). */
    frozenMinDiff: z.number().min(0).max(255).default(0.05),
    /** The threshold is the camera's learned noise floor (25th percentile of healthy differences) times this, clamped to [frozenMinDiff, frozenMaxDiff]. */
    frozenNoiseRatio: z.number().min(0).max(10).default(0.3),
    /** An unchanged picture for this long (and at least frozenMinKeyframes keyframes) is "frozen". */
    frozenAfterMs: z.number().int().min(0).max(3600000).default(4000),
    frozenMinKeyframes: z.number().int().min(2).max(1000).default(3),
    /** Difference to the reference still above which the camera "moved": max(movedMinDiff, learned normal difference x movedNoiseRatio). */
    movedMinDiff: z.number().min(0).max(255).default(28),
    movedNoiseRatio: z.number().min(1).max(100).default(3),
    /** Sharpness below this fraction of the reference sharpness is "defocused". */
    defocusRatio: z.number().min(0).max(1).default(0.35),
    /** This many drops (live -> offline) within stormWindowMs is a reconnect storm. */
    stormReconnects: z.number().int().min(2).max(1000).default(4),
    stormWindowMs: z.number().int().min(1000).max(86400000).default(300000),
    /** Bitrate or packet rate below this fraction of the learned normal, for lowRateAfterMs, is "low_rate". */
    lowRateRatio: z.number().min(0).max(1).default(0.25),
    lowRateAfterMs: z.number().int().min(1000).max(3600000).default(15000),
    /** Live time needed to learn a camera's normal rates (the first seconds after connecting are skipped). */
    rateLearnMs: z.number().int().min(1000).max(3600000).default(20000),
    /** After a restart, alerts left open are closed if their fault is not seen again within this time. */
    settleMs: z.number().int().min(0).max(600000).default(20000),
    /** Optional: POST each alert change as JSON to this URL (may carry credentials; never logged). */
    webhook: z
      .object({
        url: z
          .string()
          .max(2048)
          .refine((s) => /^https?:\/\//i.test(s) && URL.canParse(s), { message: 'must be an http:// or https:// URL' })
          .nullable()
          .default(null),
        timeoutMs: z.number().int().min(100).max(60000).default(5000),
        /** Delays before each retry of a failed POST; its length is the number of retries. */
        retryBackoffMs: z.array(z.number().int().min(0).max(600000)).max(10).default([1000, 5000, 30000]),
        /** Deliveries waiting beyond this are dropped (oldest first). */
        maxQueue: z.number().int().min(1).max(100000).default(500),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
export type HealthConfig = z.output<typeof healthConfigSchema>;

/**
 * The viewer watermark on live tiles (who is watching and when, so a photographed screen can be
 * traced). `sparse`: one faint diagonal copy per grid cell (density² copies); `corner`: one small line in a
 * corner; `dense`: the text repeated across the whole picture (the earlier default, hides detail).
 * Saved frames are always stamped with the full pattern (at 25 %) whatever the style here.
 */
export const WATERMARK_STYLES = ['sparse', 'corner', 'dense'] as const;
export const wallConfigSchema = z
  .object({
    /**
     * A browser with no wall of its own starts with the station's first wall (the administrator's
     * default wall, else the first cameras the user may watch). false: it starts empty.
     */
    firstWall: z.boolean().default(true),
    watermark: z
      .object({
        style: z.enum(WATERMARK_STYLES).default('sparse'),
        /** Opacity of the text on live tiles, 0.05..1. */
        opacity: z.number().min(0.05).max(1).default(0.18),
        /** Sparse style: copies per tile side (2 = one copy in each quarter, so a cropped quarter still holds one). */
        density: z.number().int().min(1).max(6).default(2),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
export type WallConfig = z.output<typeof wallConfigSchema>;

export const configSchema = z
  .object({
    cameras: z
      .array(cameraConfigSchema)
      .max(1000)
      .default([])
      .superRefine((cams, ctx) => {
        const seen = new Set<string>();
        cams.forEach((c, i) => {
          if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate camera id "${c.id}"` });
          seen.add(c.id);
        });
      }),
    /** Synthetic demo cameras published to the embedded RTSP endpoint (the embedded default). */
    demo: z
      .object({
        /** 'auto': on when no cameras are configured. */
        enabled: z.union([z.boolean(), z.literal('auto')]).default('auto'),
        count: z.number().int().min(1).max(16).default(6),
        width: z.number().int().min(160).max(1920).default(640),
        height: z.number().int().min(90).max(1080).default(360),
        fps: z.number().int().min(5).max(30).default(25),
        /** Keyframe interval in frames (the GOP bounds time to first live frame). */
        gopFrames: z.number().int().min(1).max(250).default(25),
        bitrateKbps: z.number().int().min(100).max(8000).default(1000),
        /** How many of the demo cameras also publish a 320x180 sub stream. */
        withSubStream: z.number().int().min(0).max(16).default(2),
      })
      .strict()
      .prefault({}),
    /** The embedded RTSP/RTMP endpoint (node-rtsp-rtmp-server). */
    endpoint: z
      .object({
        enabled: z.union([z.boolean(), z.literal('auto')]).default('auto'),
        host: z.string().default('127.0.0.1'),
        rtspPort: port.default(8554),
        rtmpPort: port.default(19350),
        httpPort: port.default(18554),
      })
      .strict()
      .prefault({}),
    sfu: z
      .object({
        /** HTTP + WebSocket listen address. Loopback by default until access control exists. */
        host: z.string().default('127.0.0.1'),
        port: port.default(8080),
        /** mediasoup workers; 0 = one per core. */
        workers: z.number().int().min(0).max(64).default(0),
        webrtc: z
          .object({
            listenIp: z.string().default('127.0.0.1'),
            /** Address announced to browsers on other machines (public or LAN IP, or a host name). */
            announcedAddress: z.string().nullable().default(null),
            /**
             * The one UDP port (and the same TCP port, the fallback for networks that block UDP) that
             * carries all media to browsers (mediasoup WebRtcServer); 0 picks a free one at start.
             */
            port: z.number().int().min(0).max(65535).default(44444),
            rtcMinPort: port.default(40000),
            rtcMaxPort: port.default(40999),
          })
          .strict()
          .prefault({}),
        ingest: z
          .object({
            /** Stepped back-off between restarts of a camera's pipeline, in ms; the last step repeats. */
            backoffMs: z.array(z.number().int().min(0).max(600000)).min(1).default([500, 1000, 2000, 5000, 10000, 30000]),
            /** A pipeline that stayed live this long starts its back-off from the first step again. */
            stableAfterMs: z.number().int().min(0).default(30000),
            /** No media for this long marks the camera offline and restarts its pipeline. */
            offlineAfterMs: z.number().int().min(500).default(3000),
            /**
             * Which engine carries a stream (docs/relay-ingest.md). 'auto' (default): the relay in the
             * SFU's own process for H.264 passthrough without live audio, GStreamer (a process per
             * stream) for the rest; 'gstreamer': a GStreamer process for every stream.
             */
            engine: z.enum(['auto', 'gstreamer']).default('auto'),
            /** Relay engine: at most one still and health thumbnail per stream this often, ms (0: every keyframe). */
            stillIntervalMs: z.number().int().min(0).max(600000).default(0),
          })
          .strict()
          .prefault({}),
        /** Camera health checks and alerts (see healthConfigSchema). */
        health: healthConfigSchema,
        /** The SFU's own state (users, audit, bookmarks, alerts, presets, resident cameras): one SQLite file here. */
        dataDir: z.string().default('data/sfu'),
        maxMessageBytes: z.number().int().min(1024).max(1048576).default(65536),
        /**
         * Open signaling sockets (walls, tabs, displays) one user may have at once; one more is refused
         * with HTTP 429 at the upgrade. With access control off the limit counts per client address.
         */
        maxSocketsPerUser: z.number().int().min(1).max(1000).default(20),
        /**
         * Origins besides the wall's own (scheme://host[:port]) whose pages may open the WebSocket and
         * send state-changing REST requests (POST/PUT/PATCH/DELETE), e.g. a reverse proxy's public name.
         */
        allowedOrigins: z.array(z.string().max(300).refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), { message: 'must be an http:// or https:// origin' })).max(50).default([]),
        heartbeatMs: z.number().int().min(1000).default(10000),
        /** HTTPS + WSS: null = plain HTTP; "self-signed" = a certificate generated once under dataDir; or PEM files. */
        tls: z
          .union([z.null(), z.literal('self-signed'), z.object({ cert: z.string().min(1), key: z.string().min(1) }).strict()])
          .default(null),
        /**
         * The wall's address as users reach it (e.g. behind a reverse proxy), for links sent outside
         * the browser: the health webhook's alert links. null: webhooks carry the link's path only and
         * alert pushes a path the browser resolves against its own origin.
         */
        publicUrl: z
          .string()
          .max(2048)
          .refine((s) => /^https?:\/\/[^\s?#]+$/i.test(s) && URL.canParse(s) && !new URL(s).username && !new URL(s).password, {
            message: 'must be an http:// or https:// URL without credentials, query or fragment',
          })
          .nullable()
          .default(null),
        bookmarks: z
          .object({
            /** Footage held against retention around a bookmark's window, each side, ms. */
            holdMarginMs: z.number().int().min(0).max(86400000).default(120000),
            /** An instant bookmark exports this much footage each side, ms. */
            exportPadMs: z.number().int().min(1000).max(3600000).default(30000),
            /** Stepped back-off between attempts to reach the recorder's holds API, ms; the last step repeats. */
            holdRetryMs: z.array(z.number().int().min(10).max(600000)).min(1).default([1000, 2000, 5000, 10000, 30000]),
            /** Full comparison of wanted holds with the recorder's, ms (also at start and after each change). */
            reconcileEveryMs: z.number().int().min(1000).max(86400000).default(300000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    recorder: z
      .object({
        enabled: z.boolean().default(true),
        host: z.string().default('127.0.0.1'),
        port: port.default(8081),
        dataDir: z.string().default('data/recordings'),
        segmentSeconds: z.number().int().min(2).max(3600).default(60),
        /** Stepped back-off between restarts of a camera's recording ffmpeg, ms; the last step repeats. */
        backoffMs: z.array(z.number().int().min(0).max(600000)).min(1).default([500, 1000, 2000, 5000, 10000]),
        /** A recording whose file stops growing this long is restarted. */
        stallMs: z.number().int().min(1000).max(600000).default(6000),
        /**
         * Which pull reads a camera for recording: 'auto' = the in-process Node pull where it can
         * carry the camera (RTSP H.264 without reordering, audio absent or not recorded), pull.py
         * (GStreamer) otherwise; 'gstreamer' = pull.py always.
         */
        pullEngine: z.enum(['auto', 'gstreamer']).default('auto'),
        /** Evidence holds made through the API (bookmarks' holds are made by the SFU's service token). */
        holds: z
          .object({
            /** Longest window one hold made by a user may cover, days. */
            maxSpanDays: z.number().min(0.001).max(3660).default(31),
            /** How far past the present a hold made by a user may reach, hours. */
            maxFutureHours: z.number().min(0).max(8760).default(24),
            /** Active holds one user may have made through the API at once. */
            maxActivePerUser: z.number().int().min(1).max(100000).default(500),
          })
          .strict()
          .prefault({}),
        /** Evidence exports: quotas and expiry (see docs/security-accounts.md). */
        exports: z
          .object({
            /** Exports one user may have at once (queued, running or finished and not yet expired). */
            maxPerUser: z.number().int().min(1).max(100000).default(20),
            /** Bytes of those exports per user (a queued or running one counts the footage it covers). */
            maxBytesPerUser: z.number().int().min(1).default(20 * 1024 ** 3),
            /** The same for everybody together. */
            maxTotal: z.number().int().min(1).max(1000000).default(200),
            maxTotalBytes: z.number().int().min(1).default(200 * 1024 ** 3),
            /** A finished (or failed) export's package is deleted and its holds released this long after it was requested, hours. */
            expireHours: z.number().min(0.0001).max(87600).default(72),
            /** How often expired exports are looked for, ms. */
            expiryCheckMs: z.number().int().min(100).max(3600000).default(60000),
          })
          .strict()
          .prefault({}),
        /**
         * A segment whose media time (the camera's clock) and wall time (the server's clock at
         * arrival) drift apart by more than this, ms, is cut and the drift logged.
         */
        maxDriftMs: z.number().int().min(20).max(60000).default(250),
        /**
         * A step of the camera's media time larger than this between two frames is a discontinuity
         * (or, when the wall clock agrees, a gap): the segment is cut, ms.
         */
        maxGapMs: z.number().int().min(200).max(60000).default(2000),
        retention: z
          .object({
            maxAgeDays: z.number().min(0.001).max(3650).default(30),
            /** Total size quota of the store in bytes (0 = none). */
            maxBytes: z.number().int().min(0).default(0),
            /** Keep at least this much free space on the store's file system. */
            minFreeBytes: z.number().int().min(0).default(2 * 1024 ** 3),
            /** Maximum age per camera id, overriding maxAgeDays (e.g. shorter for resident cameras). */
            maxAgeDaysByCamera: z.record(z.string().regex(CAMERA_ID), z.number().min(0.001).max(3650)).default({}),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** Accounts, sessions and the audit trail (the SFU owns them; the recorder verifies the same sessions). */
    auth: z
      .object({
        enabled: z.boolean().default(true),
        /** HMAC key of the session tokens; null = <sfu.dataDir>/auth-secret (created 0600 at first start). */
        secretFile: z.string().min(1).nullable().default(null),
        /**
         * Lifetime of a login, hours. An open wall renews its session (POST /api/auth/renew) so an
         * unattended duty-room display stays signed in; a session that is not renewed ends
         * `sessionHours` after its last renewal. Logout or revocation end it at once.
         */
        sessionHours: z.number().min(0.001).max(24 * 90).default(12),
        /** Renewals stop this many days after the login: then the user signs in again. */
        maxSessionDays: z.number().min(0.001).max(365).default(7),
        /** Password of the `admin` account created at first start (else a random one is printed once); env WARDWALL_ADMIN_PASSWORD. */
        initialAdminPassword: z.string().min(8).max(200).nullable().default(null),
        lockout: z
          .object({
            /** Failed logins for one user name within windowMs that lock it for lockoutMs. */
            maxFailuresPerUser: z.number().int().min(1).max(1000).default(5),
            /** Failed logins from one client address within windowMs that lock that address. */
            maxFailuresPerAddress: z.number().int().min(1).max(10000).default(20),
            windowMs: z.number().int().min(1000).default(15 * 60000),
            lockoutMs: z.number().int().min(100).default(15 * 60000),
          })
          .strict()
          .prefault({}),
        /**
         * Requests to /api/auth/* and the owner links (/owner/*) per client address: a bucket of
         * `burst` requests refilled at `perMinute`; beyond it 429 RATE_LIMITED with retryAfterS.
         */
        rateLimit: z
          .object({
            perMinute: z.number().min(1).max(100000).default(120),
            burst: z.number().int().min(1).max(100000).default(30),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** The audit trail's keyed hash chain and its signed head (the SFU owns both; see docs/security-audit.md). */
    audit: z
      .object({
        /** HMAC key of the chain and seed of the head's Ed25519 signature; null = <sfu.dataDir>/audit-chain-key (0600, SFU only). */
        chainKeyFile: z.string().min(1).nullable().default(null),
        /** Where the signed chain head is written; null = beside the data dir: <sfu.dataDir>.audit-head.json. */
        headFile: z.string().min(1).nullable().default(null),
        /** How often the head is written when the chain grew, ms. */
        headEveryMs: z.number().int().min(200).max(3600000).default(10000),
        /** Also POST each new head here (JSON), e.g. a log collector on another machine; null = off. */
        headWebhook: z.string().url().max(2000).nullable().default(null),
      })
      .strict()
      .prefault({}),
    /** The operators' wall: the viewer watermark over live pictures. */
    wall: wallConfigSchema,
    /** The ward map (map view, follow mode). */
    map: z
      .object({
        /**
         * An image or SVG of the ward (a file path on the SFU's machine), drawn under the cameras
         * and stretched over the map's 1000 x 1000 units. null: a schematic generated from the
         * camera positions (the embedded default's streets when the demo cameras run).
         */
        background: z.string().min(1).max(1024).nullable().default(null),
        /** Reach of a derived neighbour, in map units. */
        neighbourDistance: z.number().min(1).max(1500).default(DEFAULT_NEIGHBOUR_DISTANCE),
      })
      .strict()
      .prefault({}),
    /** Resident cameras (registry in the SFU's database; see README "Resident cameras"). */
    residents: z
      .object({
        /** Host name or address residents' cameras publish to (shown in the push URLs); null = endpoint.host. */
        pushHost: z.string().min(1).max(253).nullable().default(null),
        /** How often the recorder and the embedded endpoint re-read the registry, ms. */
        syncMs: z.number().int().min(200).max(60000).default(2000),
        /** Retention proposed for a new resident camera, days. */
        defaultRetentionDays: z.number().min(0.001).max(3650).default(7),
        /** An owner link stops working this many days after it was made (the admin makes a new one). */
        ownerLinkDays: z.number().min(0.0001).max(3650).default(90),
      })
      .strict()
      .prefault({}),
    /** `GET /metrics` (Prometheus text) on the SFU and the recorder; see docs/metrics.md. */
    metrics: z
      .object({
        /**
         * Scrapers send `Authorization: Bearer <token>` (from any address). null: no token, and
         * only loopback callers may read the metrics. Env WARDWALL_METRICS_TOKEN.
         */
        token: z.string().min(16).max(512).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').nullable().default(null),
      })
      .strict()
      .prefault({}),
    /**
     * City mode (docs/city.md): a ward box publishes its cameras to the command centre over NATS and
     * answers pipe requests; the centre lists the wards' cameras and pipes them to its viewers.
     * 'off' (default): nothing of it runs.
     */
    city: z
      .object({
        role: z.enum(['off', 'ward', 'centre']).default('off'),
        /** This ward's id and display name (role 'ward'). */
        ward: z
          .object({
            id: z.string().regex(WARD_ID_PATTERN, 'a ward id: a-z, 0-9, _ and -, 1-32 characters, not "hub"').refine((v) => v !== 'hub', 'the ward id "hub" is reserved'),
            name: z.string().min(1).max(200),
          })
          .strict()
          .optional(),
        /** The NATS server the SFU connects to: the ward's leaf node, or the centre's hub (client port). */
        nats: z
          .object({
            url: z.string().regex(/^nats:\/\/[^\s/@]+:\d{1,5}$/, 'nats://host:port (no credentials in the URL)').default('nats://127.0.0.1:4222'),
            user: z.string().min(1).max(128).default('wardwall'),
            /** A file holding the password (one line); the password is never in the config or a log line. */
            passwordFile: z.string().min(1).nullable().default(null),
          })
          .strict()
          .prefault({}),
        /** Address the city's media pipes listen on (UDP): the ward's or the centre's address the other side reaches. */
        pipeIp: z.string().min(1).max(64).default('127.0.0.1'),
        /** Address announced to the other side when behind NAT (default: pipeIp). */
        pipeAnnouncedAddress: z.string().min(1).max(253).nullable().default(null),
        /** Centre: how long a pipe stays after its last viewer left, ms. */
        lingerMs: z.number().int().min(0).max(600000).default(10000),
        /** Ward: how often the ward's presence is rewritten at the hub, ms. */
        heartbeatMs: z.number().int().min(100).max(60000).default(1000),
        /**
         * Ward: the centre's assertion public key (`ed25519:<base64url>`, the centre's
         * `<sfu.dataDir>/city-assertion.pub`). Central users are accepted only with an assertion
         * signed by this key; null: none is accepted (with access control on).
         */
        centreKey: z.string().regex(/^ed25519:[A-Za-z0-9_-]{43}$/, 'ed25519:<43 base64url characters> (the centre\'s city-assertion.pub)').nullable().default(null),
        /** Ward: the URL the centre reaches this ward's SFU at (published in its presence record), e.g. https://10.77.1.2:8080. */
        httpUrl: z.string().regex(/^https?:\/\/[^\s/@?#]+\/?$/, 'http(s)://host:port (no path, no credentials)').nullable().default(null),
        /** Centre: ward SFU URLs pinned here win over the ones the wards publish. */
        wardUrls: z.record(z.string().regex(WARD_ID_PATTERN), z.string().regex(/^https?:\/\/[^\s/@?#]+\/?$/, 'http(s)://host:port')).default({}),
        /**
         * Centre: where each ward's map lies on the city map (the wall's city map and cross-ward follow
         * mode; docs/city.md). The city map is 1000 x 1000 units like a ward's; a ward's map (0..1000)
         * is drawn with its top-left corner at (x, y), `scale` city units per ward unit.
         */
        wards: z
          .array(
            z
              .object({
                id: z.string().regex(WARD_ID_PATTERN, 'a ward id: a-z, 0-9, _ and -, 1-32 characters'),
                map: z.object({ x: z.number().min(-1000).max(2000), y: z.number().min(-1000).max(2000), scale: z.number().positive().max(10) }).strict(),
              })
              .strict(),
          )
          .max(500)
          .default([])
          .refine((ws) => new Set(ws.map((w) => w.id)).size === ws.length, 'each ward id once'),
      })
      .strict()
      .prefault({})
      .superRefine((c, ctx) => {
        if (c.role === 'ward' && !c.ward) ctx.addIssue({ code: 'custom', path: ['ward'], message: 'city.role "ward" needs city.ward {id, name}' });
        if (c.role !== 'off' && !c.nats.passwordFile) ctx.addIssue({ code: 'custom', path: ['nats', 'passwordFile'], message: `city.role "${c.role}" needs city.nats.passwordFile` });
      }),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        /** `npm start`'s log file (data/logs/wardwall.log) is rotated at this size (bytes)... */
        fileMaxBytes: z.number().int().min(4096).default(10 * 1024 * 1024),
        /** ...keeping this many files in all (wardwall.log, .1, ... .<n-1>). The services under systemd log to journald instead. */
        fileCount: z.number().int().min(1).max(100).default(5),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    readonly detail: string,
    /**
     * The key path of a value read from the config file (zod's path, array indices as numbers),
     * for pointing at its line; absent when the value came from elsewhere (the environment).
     */
    readonly path?: readonly (string | number)[],
  ) {
    super(`config error: ${key || '(root)'}: ${detail}`);
    this.name = 'ConfigError';
  }
}

/** Environment variables that override single keys (documented in config.example.json's README). */
export const ENV_KEYS: Record<string, { path: string[]; type: 'string' | 'number' }> = {
  WARDWALL_SFU_HOST: { path: ['sfu', 'host'], type: 'string' },
  WARDWALL_SFU_PORT: { path: ['sfu', 'port'], type: 'number' },
  WARDWALL_ANNOUNCED_ADDRESS: { path: ['sfu', 'webrtc', 'announcedAddress'], type: 'string' },
  WARDWALL_WEBRTC_LISTEN_IP: { path: ['sfu', 'webrtc', 'listenIp'], type: 'string' },
  WARDWALL_RECORDER_HOST: { path: ['recorder', 'host'], type: 'string' },
  WARDWALL_RECORDER_PORT: { path: ['recorder', 'port'], type: 'number' },
  WARDWALL_DATA_DIR: { path: ['recorder', 'dataDir'], type: 'string' },
  WARDWALL_SFU_DATA_DIR: { path: ['sfu', 'dataDir'], type: 'string' },
  WARDWALL_RTSP_PORT: { path: ['endpoint', 'rtspPort'], type: 'number' },
  WARDWALL_LOG_LEVEL: { path: ['log', 'level'], type: 'string' },
  WARDWALL_ADMIN_PASSWORD: { path: ['auth', 'initialAdminPassword'], type: 'string' },
  WARDWALL_METRICS_TOKEN: { path: ['metrics', 'token'], type: 'string' },
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/**
 * Validates file contents (already JSON-parsed, `undefined` when there is no file) and applies the
 * environment overrides. Throws ConfigError naming the first offending key.
 */
export function resolveConfig(file: unknown, env: Record<string, string | undefined> = {}): Readonly<Config> {
  if (file !== undefined && !isPlainObject(file)) throw new ConfigError('', 'the config file must hold a JSON object');
  const merged: Record<string, unknown> = structuredClone((file as Record<string, unknown>) ?? {});
  const fromEnv: string[][] = [];
  for (const [name, spec] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    fromEnv.push(spec.path);
    let value: unknown = raw;
    if (spec.type === 'number') {
      value = Number(raw);
      if (!Number.isFinite(value)) throw new ConfigError(spec.path.join('.'), `environment variable ${name} must be a number, got "${raw}"`);
    }
    setPath(merged, spec.path, value);
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.map(String).join('.');
    const detail = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message;
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    const envSet = fromEnv.some((p) => p.every((k, i) => String(path[i]) === k));
    throw new ConfigError(key, detail, envSet ? undefined : path.map((k) => (typeof k === 'number' ? k : String(k))));
  }
  return deepFreeze(parsed.data);
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

/** Whether the synthetic demo cameras and the embedded endpoint run for this config. */
export function demoEnabled(config: Config): boolean {
  return config.demo.enabled === 'auto' ? config.cameras.length === 0 : config.demo.enabled;
}
export function endpointEnabled(config: Config): boolean {
  return config.endpoint.enabled === 'auto' ? demoEnabled(config) : config.endpoint.enabled;
}

/** Every camera the services run: configured ones, plus the demo cameras when they are on. */
export function effectiveCameras(config: Config): CameraConfig[] {
  return demoEnabled(config) ? [...config.cameras, ...demoCameras(config)] : [...config.cameras];
}
