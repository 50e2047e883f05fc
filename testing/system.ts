/** Starts the real system pieces (embedded endpoint + demo cameras, SFU) on free loopback ports. */
import { resolveConfig, type Config, type ServerMessage } from '@wardwall/common';
import WebSocket from 'ws';
import { createLogger, freeTcpPort } from '@wardwall/server-kit';
import { startEmbedded, type Embedded } from '@wardwall/endpoint';
import { startSfu, type Sfu } from '@wardwall/sfu';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { startRecorder, type Recorder, type RecorderOptions } from '@wardwall/recorder';
import { hashPassword } from '@wardwall/accounts';
import type { Role, CameraRule } from '@wardwall/accounts';
import { SESSION_COOKIE } from '@wardwall/accounts';

export interface TestSystem {
  config: Readonly<Config>;
  embedded: Embedded;
  sfu: Sfu;
  recorder: Recorder | null;
  /** Base URL of the wall (http or https), with a trailing slash. */
  url: string;
  /** With `auth`: signs `username` in over HTTP and returns the Cookie header value (`ww_session=...`). */
  signIn(username?: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

/** The password of the `admin` account of a test system started with `auth`. */
export const TEST_ADMIN_PASSWORD = 'admin-test-password';

export interface TestSystemOptions {
  demoCount?: number;
  withSub?: number;
  workers?: number;
  /** Extra configured cameras; `{rtsp}` in a URL is replaced by the embedded endpoint's RTSP base. */
  cameras?: { id: string; name: string; main: string; sub?: string; transcode?: boolean | 'auto'; audio?: boolean; position?: { x: number; y: number; heading?: number }; onvif?: { url: string; user?: string; password?: string; profile?: string } }[];
  /** Also run the real recorder (in this process), reachable through the SFU's proxy. */
  recorder?: boolean;
  /**
   * Access control (default off, so pipeline tests need no login). `true` or settings: accounts on,
   * `admin` / TEST_ADMIN_PASSWORD exists; add users with `createUser`, sign in with `sys.signIn`.
   */
  auth?: boolean | { lockout?: Partial<Config['auth']['lockout']>; sessionHours?: number };
  /** Serve HTTPS + WSS (`sfu.tls`): 'self-signed' generates a certificate under the SFU's data dir. */
  tls?: 'self-signed';
  /** Recorder retention overrides (e.g. a tiny quota) and how often it runs. */
  retention?: { maxBytes?: number; minFreeBytes?: number; maxAgeDays?: number };
  retentionIntervalMs?: number;
  /** sfu.ingest overrides (e.g. a slow back-off for cameras that never come up). */
  ingest?: Record<string, unknown>;
  /** sfu.bookmarks overrides. */
  bookmarks?: Record<string, unknown>;
  /** Recorder segment length, s (default 4). */
  segmentSeconds?: number;
  /** Collect every log line (SFU, recorder, endpoint process) here instead of printing them. */
  logLines?: string[];
  logLevel?: string;
  /** The SFU's data folder (to start on an existing database); a fresh temporary one by default. */
  sfuDataDir?: string;
  /**
   * The embedded endpoint's ports (default: free ones). A test that restarts on the same `sfuDataDir`
   * with configured cameras on the endpoint keeps them: the stored camera list (seeded from the
   * config at the first start only, docs/cameras.md) keeps the first start's URLs.
   */
  endpointPorts?: { rtspPort: number; rtmpPort: number; httpPort: number };
  /** Overrides of `sfu.health`. */
  health?: Record<string, unknown>;
  /** More options of the in-process recorder (e.g. thumbnail limits). */
  recorderOptions?: Partial<RecorderOptions>;
  /** Last word on the raw config object before it is resolved (any key; e.g. `c.auth.rateLimit = {...}`). */
  patch?: (raw: Record<string, any>) => void;
  /** `sfu.publicUrl`: a URL, or 'self' for the SFU's own address (its port is chosen here). */
  publicUrl?: string | 'self';
  /** The `wall` section (first wall, watermark style); default `{firstWall: false}`: an empty first wall. */
  wall?: Record<string, unknown>;
}

export async function startTestSystem(overrides: TestSystemOptions = {}): Promise<TestSystem> {
  const [freeRtsp, freeRtmp, freeHttp, sfuPort, recorderPort] = await Promise.all([freeTcpPort(), freeTcpPort(), freeTcpPort(), freeTcpPort(), freeTcpPort()]);
  const { rtspPort, rtmpPort, httpPort } = overrides.endpointPorts ?? { rtspPort: freeRtsp, rtmpPort: freeRtmp, httpPort: freeHttp };
  const rtcMin = 20000 + Math.floor(Math.random() * 200) * 100;
  const raw: Record<string, any> = {
    cameras: (overrides.cameras ?? []).map((c) => ({ ...c, main: c.main.replace('{rtsp}', `rtsp://127.0.0.1:${rtspPort}/live`) })),
    demo: { enabled: true, count: overrides.demoCount ?? 2, withSubStream: overrides.withSub ?? 1 },
    endpoint: { rtspPort, rtmpPort, httpPort },
    sfu: {
      port: sfuPort,
      workers: overrides.workers ?? 2,
      webrtc: { listenIp: '127.0.0.1', port: 0, rtcMinPort: rtcMin, rtcMaxPort: rtcMin + 99 },
      ingest: { backoffMs: [300, 600, 1000], stableAfterMs: 5000, offlineAfterMs: 2000, ...overrides.ingest },
      heartbeatMs: 5000,
      dataDir: overrides.sfuDataDir ?? mkdtempSync(join(tmpdir(), 'wardwall-sfu-')),
      ...(overrides.tls ? { tls: overrides.tls } : {}),
      ...(overrides.bookmarks ? { bookmarks: overrides.bookmarks } : {}),
      ...(overrides.health ? { health: overrides.health } : {}),
      ...(overrides.publicUrl ? { publicUrl: overrides.publicUrl === 'self' ? `http://127.0.0.1:${sfuPort}` : overrides.publicUrl } : {}),
    },
    // Tests of other features click cameras onto an empty wall: the first wall only where asked for.
    wall: overrides.wall ?? { firstWall: false },
    auth: overrides.auth
      ? { enabled: true, initialAdminPassword: TEST_ADMIN_PASSWORD, ...(typeof overrides.auth === 'object' ? { ...(overrides.auth.sessionHours ? { sessionHours: overrides.auth.sessionHours } : {}), lockout: { ...overrides.auth.lockout } } : {}) }
      : { enabled: false },
    recorder: overrides.recorder
      ? { enabled: true, port: recorderPort, dataDir: mkdtempSync(join(tmpdir(), 'wardwall-rec-')), segmentSeconds: overrides.segmentSeconds ?? 4, ...(overrides.retention ? { retention: overrides.retention } : {}) }
      : { enabled: false },
    residents: { syncMs: 300 },
    log: { level: 'warn' },
  };
  // Tests sign in far more often than people do, all from 127.0.0.1: the per-address rate limit of
  // /api/auth/* is lifted here (sfu/test/sec-login.int.test.ts checks it with its own settings).
  raw.auth.rateLimit = { perMinute: 100000, burst: 100000 };
  overrides.patch?.(raw);
  const config = resolveConfig(raw);
  const lines = overrides.logLines;
  const level = overrides.logLevel ?? process.env.WARDWALL_LOG_LEVEL ?? 'warn';
  const log = lines ? createLogger('test', level, { write: (s: string) => void lines.push(s) }) : createLogger('test', level);
  const embedded = await startEmbedded(config, log, lines ? { onLogLine: (l) => void lines.push(l) } : {});
  let sfu: Sfu;
  let recorder: Recorder | null = null;
  try {
    sfu = await startSfu(config, log);
    if (overrides.recorder) recorder = await startRecorder(config, { log, ...(overrides.retentionIntervalMs ? { retentionIntervalMs: overrides.retentionIntervalMs } : {}), ...overrides.recorderOptions });
  } catch (e) {
    await embedded.close();
    throw e;
  }
  return {
    config,
    embedded,
    sfu,
    recorder,
    url: sfu.url,
    signIn: (username = 'admin', password = TEST_ADMIN_PASSWORD) => signIn(sfu.url, username, password),
    async close() {
      await recorder?.close();
      await sfu.close();
      await embedded.close();
    },
  };
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface TestUser {
  username: string;
  password?: string;
  role?: Role;
  displayName?: string;
  cameraRules?: CameraRule[];
  /** undefined: the role's default; null: unlimited. */
  lookbackDays?: number | null;
}

/** Creates an account directly in the SFU's database (password default `<username>-password`); returns its id. */
export async function createUser(sys: Pick<TestSystem, 'sfu'>, u: TestUser): Promise<string> {
  const service = sys.sfu.auth.service;
  if (!service) throw new Error('createUser needs startTestSystem({ auth: true })');
  const user = service.store.addUser(
    {
      username: u.username,
      displayName: u.displayName ?? u.username,
      role: u.role ?? 'operator',
      passwordHash: await hashPassword(u.password ?? `${u.username}-password`),
      cameraRules: u.cameraRules ?? [],
      ...(u.lookbackDays !== undefined ? { lookbackDays: u.lookbackDays } : {}),
    },
    Date.now(),
  );
  return user.id;
}

/** Logs in through `POST /api/auth/login` and returns the Cookie header value (`ww_session=<token>`). */
export async function signIn(baseUrl: string, username: string, password: string): Promise<string> {
  const url = new URL('api/auth/login', baseUrl);
  const body = JSON.stringify({ username, password });
  let status: number;
  let text: string;
  let set: string;
  if (url.protocol === 'http:') {
    // On a fresh connection: a pooled keep-alive socket may be closing on the server's side when the
    // test blocked the event loop for a while (spawnSync), and a POST is not retried on ECONNRESET.
    ({ status, text, set } = await new Promise<{ status: number; text: string; set: string }>((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: data, set: (res.headers['set-cookie'] ?? []).join('\n') }));
      });
      req.on('error', reject);
      req.end(body);
    }));
  } else {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    status = r.status;
    text = await r.text();
    set = r.headers.get('set-cookie') ?? '';
  }
  if (status !== 200) throw new Error(`login of ${username} failed: ${status} ${text}`);
  const m = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(set);
  if (!m) throw new Error('login answered without a session cookie');
  return `${SESSION_COOKIE}=${m[1]}`;
}

export interface WsClient {
  ws: WebSocket;
  /** Sends a request (an id is added) and resolves with its response. */
  request(m: Record<string, unknown>): Promise<ServerMessage>;
  /** Sends a raw text frame and resolves with the next response. */
  raw(text: string): Promise<ServerMessage>;
  pushes: ServerMessage[];
  /** Resolves with the close code when the server closes the socket. */
  closed: Promise<number>;
}

/** Opens the signaling socket of `baseUrl` with an optional Cookie header; rejects with the HTTP status when the upgrade is refused. */
export async function wsClient(baseUrl: string, cookie?: string, opts: { ca?: Buffer } = {}): Promise<WsClient> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}ws`, { headers: cookie ? { cookie } : {}, ...(opts.ca ? { ca: opts.ca } : {}) });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
  const pushes: ServerMessage[] = [];
  const waiting: ((m: ServerMessage) => void)[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as ServerMessage;
    if (m.type === 'response') waiting.shift()?.(m);
    else pushes.push(m);
  });
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  const raw = (text: string) =>
    new Promise<ServerMessage>((r) => {
      waiting.push(r);
      ws.send(text);
    });
  let n = 1;
  return { ws, pushes, closed, raw, request: (m) => raw(JSON.stringify({ id: n++, ...m })) };
}

/** A signaling client of a system without access control (requests answered in order, pushes collected). */
export type TestSignaling = WsClient;
export const connectSignaling = (sfuUrl: string): Promise<TestSignaling> => wsClient(sfuUrl);
