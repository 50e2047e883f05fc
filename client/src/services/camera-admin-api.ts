/**
 * The station's cameras over REST (`admin` permission; sfu/src/cameras/camera-routes.ts): list,
 * add, edit, disable, remove, and Test a URL. URLs come back with the password masked (`***`);
 * sending the mask back keeps the stored password. Replies are checked before use; refusals
 * become `CameraAdminError` with the server's code. No DOM.
 */
import type { IngestInfo, StreamStatus } from '@wardwall/common';
import { callJson } from './json-reply.js';

export class CameraAdminError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CameraAdminError';
  }
}

export interface AdminCamera {
  id: string;
  name: string;
  main: string;
  sub: string | null;
  transcode: boolean | 'auto';
  audio: boolean | null;
  enabled: boolean;
  source: 'station' | 'demo';
  status: StreamStatus | null;
}

export interface CameraFields {
  name: string;
  main: string;
  sub: string | null;
  transcode: boolean | 'auto';
  audio: boolean | null;
  enabled: boolean;
}

export interface CameraTest {
  reachable: boolean;
  authentication: 'ok' | 'refused' | 'unknown';
  error: string | null;
  ingest: IngestInfo | null;
  snapshot: string | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A camera of a reply, or null when it is not one (pure). */
export function parseAdminCamera(v: unknown): AdminCamera | null {
  if (!isObj(v) || typeof v.id !== 'string' || typeof v.name !== 'string' || typeof v.main !== 'string') return null;
  return {
    id: v.id,
    name: v.name,
    main: v.main,
    sub: typeof v.sub === 'string' ? v.sub : null,
    transcode: v.transcode === true || v.transcode === false ? v.transcode : 'auto',
    audio: typeof v.audio === 'boolean' ? v.audio : null,
    enabled: v.enabled !== false,
    source: v.source === 'demo' ? 'demo' : 'station',
    status: isObj(v.status) ? (v.status as unknown as StreamStatus) : null,
  };
}

export function parseCameraTest(v: unknown): CameraTest {
  const b = isObj(v) ? v : {};
  const snapshot = str(b.snapshot);
  return {
    reachable: b.reachable === true,
    authentication: b.authentication === 'ok' || b.authentication === 'refused' ? b.authentication : 'unknown',
    error: typeof b.error === 'string' ? b.error : null,
    ingest: isObj(b.ingest) ? (b.ingest as unknown as IngestInfo) : null,
    // Only an inline JPEG is shown (no other URL reaches an <img>).
    snapshot: snapshot.startsWith('data:image/jpeg;base64,') ? snapshot : null,
  };
}

export class CameraAdminApi {
  constructor(private readonly fetchFn: typeof fetch = (...a) => fetch(...a)) {}

  private call(method: string, path: string, body?: unknown): Promise<unknown> {
    return callJson(this.fetchFn, method, path, body, (e) => new CameraAdminError(e.code, e.message));
  }

  async list(): Promise<AdminCamera[]> {
    const j = await this.call('GET', '/api/admin/cameras');
    const list = isObj(j) && Array.isArray(j.cameras) ? j.cameras : [];
    return list.map(parseAdminCamera).filter((c): c is AdminCamera => c !== null);
  }

  async create(f: CameraFields): Promise<AdminCamera | null> {
    const j = await this.call('POST', '/api/admin/cameras', f);
    return isObj(j) ? parseAdminCamera(j.camera) : null;
  }

  async update(id: string, f: Partial<CameraFields>): Promise<AdminCamera | null> {
    const j = await this.call('PATCH', `/api/admin/cameras/${encodeURIComponent(id)}`, f);
    return isObj(j) ? parseAdminCamera(j.camera) : null;
  }

  async remove(id: string): Promise<void> {
    await this.call('DELETE', `/api/admin/cameras/${encodeURIComponent(id)}`);
  }

  /** Probes `url` (with `id`, a masked password is the stored one). */
  async test(url: string, transcode: boolean | 'auto', id?: string, stream: 'main' | 'sub' = 'main'): Promise<CameraTest> {
    return parseCameraTest(await this.call('POST', '/api/admin/cameras/test', { url, transcode, ...(id ? { id, stream } : {}) }));
  }
}
