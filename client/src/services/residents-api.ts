/**
 * The resident camera registry's REST API (administrators), same origin as the wall. Replies are
 * checked before use; failures become `ResidentsError` with the server's code. No DOM.
 */
import type { ResidentReveal, ResidentStatus, ResidentView, SharingMode } from '@wardwall/common';
import { readJson, replyError } from './json-reply.js';

export class ResidentsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ResidentsError';
  }
}

/** The editable fields, as the admin form sends them. */
export interface ResidentFields {
  name: string;
  ownerName: string;
  ownerContact: string;
  address: string;
  position: { x: number; y: number } | null;
  consent: boolean;
  consentDate: string | null;
  sharing: SharingMode;
  retentionDays: number;
  note: string;
}

export type NewResident = ResidentFields & { id?: string; source: { type: 'push' } | { type: 'pull'; url: string } };
export type ResidentPatch = Partial<ResidentFields> & { url?: string };

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function view(v: unknown): ResidentView {
  if (!isObj(v) || typeof v.id !== 'string' || typeof v.name !== 'string' || typeof v.status !== 'string') throw new ResidentsError('BAD_REPLY', 'reply: camera is malformed');
  return v as unknown as ResidentView;
}

export class ResidentsApi {
  constructor(
    private readonly base = '/api/residents',
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await this.fetchFn(this.base + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch {
      throw new ResidentsError('DISCONNECTED', 'the server does not answer');
    }
    const data = await readJson(res);
    if (!res.ok) {
      const e = replyError(res, data);
      throw new ResidentsError(e.code, e.message);
    }
    return data;
  }

  async list(): Promise<ResidentView[]> {
    const data = await this.call('GET', '');
    if (!isObj(data) || !Array.isArray(data.cameras)) throw new ResidentsError('BAD_REPLY', 'reply: cameras must be a list');
    return data.cameras.map(view);
  }

  private async reveal(p: Promise<unknown>): Promise<ResidentReveal> {
    const data = await p;
    if (!isObj(data)) throw new ResidentsError('BAD_REPLY', 'reply: not an object');
    return { ...(data as unknown as ResidentReveal), camera: view(data.camera) };
  }

  create(input: NewResident): Promise<ResidentReveal> {
    return this.reveal(this.call('POST', '', input));
  }

  async update(id: string, patch: ResidentPatch): Promise<ResidentView> {
    const data = await this.call('PATCH', `/${encodeURIComponent(id)}`, patch);
    return view(isObj(data) ? data.camera : null);
  }

  async setStatus(id: string, status: ResidentStatus): Promise<ResidentView> {
    const data = await this.call('POST', `/${encodeURIComponent(id)}/status`, { status });
    return view(isObj(data) ? data.camera : null);
  }

  rotateKey(id: string): Promise<ResidentReveal> {
    return this.reveal(this.call('POST', `/${encodeURIComponent(id)}/rotate-key`));
  }

  newOwnerLink(id: string): Promise<ResidentReveal> {
    return this.reveal(this.call('POST', `/${encodeURIComponent(id)}/owner-link`));
  }

  async remove(id: string): Promise<void> {
    await this.call('DELETE', `/${encodeURIComponent(id)}`);
  }
}
