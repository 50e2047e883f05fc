/**
 * The one configuration file shared by the SFU, the recorder and the embedded RTSP endpoint.
 * Precedence: defaults, then the JSON file, then environment variables. Pure: callers read the
 * file and the environment and hand them in. Errors name the offending key.
 */
import { z } from 'zod';

export const CAMERA_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

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
    /** Re-encode to H.264 baseline without B-frames (H.265 cameras, B-frame cameras). */
    transcode: z.boolean().default(false),
    /** Position on the ward map, in map units (0..1000 on both axes), heading in degrees (0 = north). */
    position: z
      .object({
        x: z.number().min(0).max(1000),
        y: z.number().min(0).max(1000),
        heading: z.number().min(0).lt(360).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type CameraConfig = z.output<typeof cameraConfigSchema>;

const port = z.number().int().min(1).max(65535);

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
          })
          .strict()
          .prefault({}),
        /** The SFU's own state (users, audit, bookmarks, alerts, presets, resident cameras): one SQLite file here. */
        dataDir: z.string().default('data/sfu'),
        maxMessageBytes: z.number().int().min(1024).max(1048576).default(65536),
        heartbeatMs: z.number().int().min(1000).default(10000),
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
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    detail: string,
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
  for (const [name, spec] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
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
    throw new ConfigError(key, detail);
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

/** Demo camera names: places of the ward, in Vietnamese. */
export const DEMO_CAMERA_NAMES = [
  'Ngã tư Lê Lợi',
  'Hẻm 12 Nguyễn Trãi',
  'Cổng chùa Phước Hải',
  'Đường vào phường (Bắc)',
  'Đường ra phường (Nam)',
  'Chợ phường',
  'Trường tiểu học',
  'Bến xe buýt',
  'Công viên',
  'Cầu Đông',
  'Hẻm 45 Trần Phú',
  'Trạm y tế',
  'Ngã ba Hai Bà Trưng',
  'Nhà văn hoá',
  'Bãi giữ xe',
  'Đường ven sông',
];

/** The demo cameras as camera configs, publishing to the embedded endpoint. */
export function demoCameras(config: Config): CameraConfig[] {
  const { host, rtspPort } = config.endpoint;
  const base = `rtsp://${host === '0.0.0.0' ? '127.0.0.1' : host}:${rtspPort}/live`;
  return Array.from({ length: config.demo.count }, (_, i) => {
    const id = `demo-${i + 1}`;
    const angle = (i / config.demo.count) * 2 * Math.PI;
    return {
      id,
      name: DEMO_CAMERA_NAMES[i % DEMO_CAMERA_NAMES.length]!,
      main: `${base}/${id}`,
      sub: i < config.demo.withSubStream ? `${base}/${id}-sub` : undefined,
      transcode: false,
      position: {
        x: Math.round(500 + 350 * Math.sin(angle)),
        y: Math.round(500 - 350 * Math.cos(angle)),
        heading: Math.round(((angle * 180) / Math.PI + 180) % 360),
      },
    };
  });
}

/** Every camera the services run: configured ones, plus the demo cameras when they are on. */
export function effectiveCameras(config: Config): CameraConfig[] {
  return demoEnabled(config) ? [...config.cameras, ...demoCameras(config)] : [...config.cameras];
}
