/**
 * The recorder's API as the wall reaches it: same origin, through the SFU's proxy
 * (/api/recordings/..., /api/exports..., /api/recorder/health). No DOM. Replies enter as `unknown`
 * and are checked; failures become RecorderError with the server's code (or a local one).
 */
import { parseRemoteCameraId, type FileCheck, type PackageVerdict, type SignatureCheck } from '@wardwall/common';
import { readJson, replyError } from './json-reply.js';

export type RecorderErrorCode = string;

export class RecorderError extends Error {
  constructor(
    readonly code: RecorderErrorCode,
    message: string,
    readonly status = 0,
  ) {
    super(message);
    this.name = 'RecorderError';
  }
}

export interface Range {
  startMs: number;
  endMs: number;
}

export interface SpansReply {
  camera: string;
  from: number;
  to: number;
  spans: Range[];
  gaps: Range[];
  recordedMs: number;
}

export type ExportState = 'queued' | 'running' | 'done' | 'failed';

export interface ExportStatus {
  id: string;
  state: ExportState;
  progress: number;
  error: string | null;
  bytes: number | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown, field: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RecorderError('BAD_REPLY', `reply: ${field}: a number is required`);
  return v;
};
const ranges = (v: unknown, field: string): Range[] => {
  if (!Array.isArray(v)) throw new RecorderError('BAD_REPLY', `reply: ${field}: a list is required`);
  return v.map((r, i) => {
    if (!isObj(r)) throw new RecorderError('BAD_REPLY', `reply: ${field}.${i}: not an object`);
    return { startMs: num(r.startMs, `${field}.${i}.startMs`), endMs: num(r.endMs, `${field}.${i}.endMs`) };
  });
};

export function parseSpans(raw: unknown): SpansReply {
  if (!isObj(raw)) throw new RecorderError('BAD_REPLY', 'reply: not an object');
  if (typeof raw.camera !== 'string') throw new RecorderError('BAD_REPLY', 'reply: camera: a string is required');
  return { camera: raw.camera, from: num(raw.from, 'from'), to: num(raw.to, 'to'), spans: ranges(raw.spans, 'spans'), gaps: ranges(raw.gaps, 'gaps'), recordedMs: num(raw.recordedMs, 'recordedMs') };
}

/** A camera the recorder has footage of (and the viewer may play back). */
export interface RecordedCamera {
  id: string;
  name: string;
  /** A city ward's camera: the ward's name and whether the viewer may export it (its `rights` at the centre). */
  ward?: { name: string; export: boolean };
}

export function parseRecordedCameras(raw: unknown): RecordedCamera[] {
  if (!isObj(raw) || !Array.isArray(raw.cameras)) throw new RecorderError('BAD_REPLY', 'reply: cameras: a list is required');
  return raw.cameras.map((c, i) => {
    if (!isObj(c) || typeof c.id !== 'string' || typeof c.name !== 'string') throw new RecorderError('BAD_REPLY', `reply: cameras.${i}: an id and a name are required`);
    return { id: c.id, name: c.name };
  });
}

const STATES: readonly ExportState[] = ['queued', 'running', 'done', 'failed'];
export function parseExportStatus(raw: unknown): ExportStatus {
  if (!isObj(raw)) throw new RecorderError('BAD_REPLY', 'reply: not an object');
  if (typeof raw.id !== 'string') throw new RecorderError('BAD_REPLY', 'reply: id: a string is required');
  if (!STATES.includes(raw.state as ExportState)) throw new RecorderError('BAD_REPLY', 'reply: state: unknown export state');
  const progress = raw.progress === undefined ? 0 : num(raw.progress, 'progress');
  return {
    id: raw.id,
    state: raw.state as ExportState,
    progress: Math.min(1, Math.max(0, progress)),
    error: typeof raw.error === 'string' ? raw.error : null,
    bytes: typeof raw.bytes === 'number' ? raw.bytes : null,
  };
}

type Fetch = typeof fetch;

export interface StationKeyReply {
  algorithm: 'Ed25519';
  fingerprint: string;
  publicKey: string;
  publicKeyPem: string;
}

export class RecorderApi {
  constructor(
    private readonly base = '',
    private readonly fetchFn: Fetch = (...a) => fetch(...a),
    /** Where exports are made: the station's recorder (`/api`), or a city ward through the centre (`/api/city/<ward>`, see forWard). */
    private readonly exportsAt = '/api',
  ) {}

  /**
   * The same API, but exports are made at a city ward and followed, checked and downloaded through
   * the centre (`/api/city/<ward>/exports…`, the ward's station key at `/api/city/<ward>/station-key`).
   */
  forWard(ward: string): RecorderApi {
    return new RecorderApi(this.base, this.fetchFn, `/api/city/${encodeURIComponent(ward)}`);
  }

  private url(path: string, query?: Record<string, string | number>): string {
    const q = query ? `?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString()}` : '';
    return `${this.base}${path}${q}`;
  }

  private async json(path: string, init?: RequestInit, query?: Record<string, string | number>): Promise<unknown> {
    let res: Response;
    try {
      res = await this.fetchFn(this.url(path, query), { cache: 'no-store', ...init });
    } catch {
      throw new RecorderError('RECORDER_UNAVAILABLE', 'the recorder cannot be reached');
    }
    const body = await readJson(res);
    if (!res.ok) {
      const e = replyError(res, body);
      throw new RecorderError(e.code, e.message, e.status);
    }
    return body;
  }

  /** Cameras with recordings the viewer may play back, including those never shown live (resident cameras shared for recording only). */
  async recordedCameras(): Promise<RecordedCamera[]> {
    return parseRecordedCameras(await this.json('/api/recorder/cameras'));
  }

  /**
   * Cameras of the city's wards the viewer may play back (a command centre: `GET /api/city/cameras`;
   * elsewhere the route does not exist and the list is empty). Their recordings stay at the ward and
   * come through the centre (`recordingsPath`).
   */
  async cityCameras(): Promise<RecordedCamera[]> {
    let raw: unknown;
    try {
      raw = await this.json('/api/city/cameras');
    } catch (e) {
      if (e instanceof RecorderError && (e.status === 404 || e.status === 405)) return [];
      throw e;
    }
    return cityReviewCameras(raw);
  }

  async spans(camera: string, from: number, to: number, signal?: AbortSignal): Promise<SpansReply> {
    return parseSpans(await this.json(`${recordingsPath(camera)}/spans`, signal ? { signal } : undefined, { from: Math.floor(from), to: Math.ceil(to) }));
  }

  /** `live`: an EVENT playlist from `from` that keeps growing with new footage (a window reaching the present). */
  playlistUrl(camera: string, from: number, to: number, live = false): string {
    return this.url(`${recordingsPath(camera)}/playlist.m3u8`, { from: Math.floor(from), to: Math.ceil(to), ...(live ? { live: 1 } : {}) });
  }

  /** Thumbnail of the instant, rounded to `roundMs` so hovering reuses cached pictures. */
  thumbnailUrl(camera: string, at: number, roundMs = 1000): string {
    return this.url(`${recordingsPath(camera)}/thumbnail`, { at: Math.round(at / roundMs) * roundMs });
  }

  async createExport(req: { cameras: string[]; from: number; to: number; exportedBy: string; format?: 'zip' | 'tar' }): Promise<ExportStatus> {
    const raw = await this.json(`${this.exportsAt}/exports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cameras: req.cameras, from: Math.floor(req.from), to: Math.ceil(req.to), exportedBy: req.exportedBy, ...(req.format ? { format: req.format } : {}) }),
    });
    return parseExportStatus({ progress: 0, ...(isObj(raw) ? raw : {}) });
  }

  async exportStatus(id: string): Promise<ExportStatus> {
    return parseExportStatus(await this.json(`${this.exportsAt}/exports/${encodeURIComponent(id)}`));
  }

  /** The signing key (public key and fingerprint) of the station that makes the exports (a ward's: forWard). */
  async stationKey(): Promise<StationKeyReply> {
    const raw = await this.json(this.exportsAt === '/api' ? '/api/recorder/station-key' : `${this.exportsAt}/station-key`);
    if (!isObj(raw) || typeof raw.fingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(raw.fingerprint) || typeof raw.publicKey !== 'string')
      throw new RecorderError('BAD_REPLY', 'reply: fingerprint and publicKey are required');
    return { algorithm: 'Ed25519', fingerprint: raw.fingerprint, publicKey: raw.publicKey, publicKeyPem: typeof raw.publicKeyPem === 'string' ? raw.publicKeyPem : '' };
  }

  /** The recorder's own check of the stored package against its signed manifest. */
  async verifyOnServer(id: string): Promise<PackageVerdict> {
    const raw = await this.json(`${this.exportsAt}/exports/${encodeURIComponent(id)}/verify`);
    if (!isObj(raw) || typeof raw.ok !== 'boolean' || !Array.isArray(raw.files) || !isObj(raw.signature)) throw new RecorderError('BAD_REPLY', 'reply: ok, files and signature are required');
    return { ok: raw.ok, error: typeof raw.error === 'string' ? raw.error : null, files: raw.files as FileCheck[], signature: raw.signature as unknown as SignatureCheck, manifest: null };
  }

  /** The package's bytes as a stream (for writing to disk while verifying). */
  async downloadStream(id: string, signal?: AbortSignal): Promise<{ body: ReadableStream<Uint8Array>; total: number | null }> {
    let res: Response;
    try {
      res = await this.fetchFn(this.downloadUrl(id), signal ? { signal } : {});
    } catch {
      throw new RecorderError('RECORDER_UNAVAILABLE', 'the recorder cannot be reached');
    }
    if (!res.ok || !res.body) throw new RecorderError(`HTTP_${res.status}`, res.statusText, res.status);
    return { body: res.body, total: Number(res.headers.get('content-length')) || null };
  }

  downloadUrl(id: string): string {
    return this.url(`${this.exportsAt}/exports/${encodeURIComponent(id)}/download`);
  }

  /** Downloads an export package, reporting received/total bytes. */
  async download(id: string, onProgress: (received: number, total: number | null) => void, signal?: AbortSignal): Promise<Uint8Array<ArrayBuffer>> {
    let res: Response;
    try {
      res = await this.fetchFn(this.downloadUrl(id), signal ? { signal } : {});
    } catch {
      throw new RecorderError('RECORDER_UNAVAILABLE', 'the recorder cannot be reached');
    }
    if (!res.ok || !res.body) throw new RecorderError(`HTTP_${res.status}`, res.statusText, res.status);
    const total = Number(res.headers.get('content-length')) || null;
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      onProgress(received, total);
    }
    const out = new Uint8Array(received);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

/**
 * Where a camera's recordings are: the station's own under `/api/recordings/<camera>`, a ward's
 * camera `<ward>/<camera>` (at a city centre) under `/api/city/<ward>/recordings/<camera>` (the
 * centre proxies to the ward). HLS segments are relative to the playlist, so they follow. Pure.
 */
export function recordingsPath(camera: string): string {
  const remote = parseRemoteCameraId(camera);
  return remote ? `/api/city/${remote.ward}/recordings/${remote.camera}` : `/api/recordings/${encodeURIComponent(camera)}`;
}

/** The ward cameras of a `GET /api/city/cameras` reply the viewer may play back, named "<ward name> · <camera name>". Pure. */
export function cityReviewCameras(raw: unknown): RecordedCamera[] {
  const out: RecordedCamera[] = [];
  const wards = isObj(raw) && Array.isArray(raw.wards) ? raw.wards : [];
  for (const w of wards) {
    if (!isObj(w) || !Array.isArray(w.cameras)) continue;
    for (const c of w.cameras) {
      if (!isObj(c) || typeof c.remoteId !== 'string' || !parseRemoteCameraId(c.remoteId)) continue;
      if (!Array.isArray(c.rights) || !c.rights.includes('playback')) continue;
      const ward = typeof w.name === 'string' ? w.name : String(w.ward);
      out.push({ id: c.remoteId, name: `${ward} · ${typeof c.name === 'string' ? c.name : c.remoteId}`, ward: { name: ward, export: c.rights.includes('export') } });
    }
  }
  return out;
}
