/**
 * The SFU's PTZ routes (sfu/src/ptz): what a camera offers and the commands. Same origin, session
 * cookie; refusals become PtzError with the server's code (FORBIDDEN without the `control` right).
 */
import type { PtzVelocity } from '../core/ptz.js';
import { readJson, replyError } from './json-reply.js';

export class PtzError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
    this.name = 'PtzError';
  }
}

export interface PtzPreset {
  token: string;
  name: string;
}

export interface PtzInfo {
  available: boolean;
  presets: PtzPreset[];
  control: boolean;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parsePtzInfo(raw: unknown): PtzInfo {
  if (!isObj(raw) || typeof raw.available !== 'boolean' || !Array.isArray(raw.presets)) throw new PtzError('BAD_REPLY', 'reply: available and presets are required');
  const presets = raw.presets.filter((p): p is PtzPreset => isObj(p) && typeof p.token === 'string' && typeof p.name === 'string').map((p) => ({ token: p.token, name: p.name }));
  return { available: raw.available, presets, control: raw.control === true };
}

export class PtzApi {
  constructor(private readonly fetchFn: typeof fetch = (...a) => fetch(...a)) {}

  private async call(path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await this.fetchFn(path, body === undefined ? { cache: 'no-store' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), cache: 'no-store' });
    } catch {
      throw new PtzError('DISCONNECTED', 'the server cannot be reached');
    }
    const json = await readJson(res);
    if (!res.ok) {
      const e = replyError(res, json);
      throw new PtzError(e.code, e.message, e.status);
    }
    return json;
  }

  private base(camera: string): string {
    return `/api/cameras/${encodeURIComponent(camera)}/ptz`;
  }

  async info(camera: string): Promise<PtzInfo> {
    return parsePtzInfo(await this.call(this.base(camera)));
  }

  async move(camera: string, v: PtzVelocity): Promise<void> {
    await this.call(`${this.base(camera)}/move`, v);
  }

  async stop(camera: string): Promise<void> {
    await this.call(`${this.base(camera)}/stop`, {});
  }

  async preset(camera: string, token: string): Promise<void> {
    await this.call(`${this.base(camera)}/preset`, { preset: token });
  }
}
