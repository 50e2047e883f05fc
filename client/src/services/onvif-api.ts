/**
 * ONVIF discovery for the admin page over REST (same origin, `admin` permission):
 * POST /api/admin/onvif/discover, /profiles and /add (docs/cameras.md, "ONVIF discovery").
 * Replies are checked before use; refusals become `OnvifApiError` with the server's code. The
 * password typed for a device goes to /profiles once; /add names the returned grant instead. No DOM.
 */
import { callJson } from './json-reply.js';

export class OnvifApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'OnvifApiError';
  }
}

export interface OnvifDevice {
  endpoint: string;
  xaddrs: string[];
  name: string | null;
  hardware: string | null;
  location: string | null;
  from: string;
}

export interface OnvifProfile {
  token: string;
  name: string;
  encoding: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  bitrateKbps: number | null;
  /** With the password masked. */
  uri: string | null;
}

export interface OnvifProfiles {
  host: string;
  profiles: OnvifProfile[];
  suggested: { main: string | null; sub: string | null };
  grant: string;
  expiresInS: number;
}

type J = Record<string, unknown>;
const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const bad = () => new OnvifApiError('BAD_REPLY', 'unexpected reply');

/** The devices of a discover reply. Pure. */
export function parseDevices(json: unknown): OnvifDevice[] {
  if (!isObj(json) || !Array.isArray(json.devices)) throw bad();
  return json.devices.filter(isObj).flatMap((d) => {
    const endpoint = str(d.endpoint);
    const xaddrs = Array.isArray(d.xaddrs) ? d.xaddrs.filter((x): x is string => typeof x === 'string') : [];
    if (!endpoint || !xaddrs.length) return [];
    return [{ endpoint, xaddrs, name: str(d.name), hardware: str(d.hardware), location: str(d.location), from: str(d.from) ?? '' }];
  });
}

/** A profiles reply. Pure. */
export function parseProfiles(json: unknown): OnvifProfiles {
  if (!isObj(json) || !Array.isArray(json.profiles) || typeof json.grant !== 'string' || !isObj(json.suggested)) throw bad();
  const profiles = json.profiles.filter(isObj).flatMap((p) => {
    const token = str(p.token);
    if (!token) return [];
    return [{ token, name: str(p.name) ?? token, encoding: str(p.encoding), width: num(p.width), height: num(p.height), fps: num(p.fps), bitrateKbps: num(p.bitrateKbps), uri: str(p.uri) }];
  });
  return { host: str(json.host) ?? '', profiles, suggested: { main: str(json.suggested.main), sub: str(json.suggested.sub) }, grant: json.grant, expiresInS: num(json.expiresInS) ?? 0 };
}

/** `a.b.c.d` or `a.b.c.d:port` as a discovery target; the server checks the address. Pure. */
export function discoveryTarget(address: string): { host: string; port?: number } {
  const m = /^\s*([^:\s]+)(?::(\d{1,5}))?\s*$/.exec(address);
  if (!m) return { host: address.trim() };
  return m[2] ? { host: m[1]!, port: Number(m[2]) } : { host: m[1]! };
}

export class OnvifApi {
  constructor(private readonly fetchFn: typeof fetch = (...a) => fetch(...a)) {}

  private call(path: string, body: unknown): Promise<unknown> {
    return callJson(this.fetchFn, 'POST', path, body, (e) => new OnvifApiError(e.code, e.message));
  }

  /** Probes the LAN (multicast) and, when given, one IPv4 address `a.b.c.d[:port]` (a camera on another subnet). */
  async discover(address?: string): Promise<OnvifDevice[]> {
    const target = address ? discoveryTarget(address) : null;
    return parseDevices(await this.call('/api/admin/onvif/discover', target ? { targets: [target] } : {}));
  }

  async profiles(xaddr: string, username: string, password: string): Promise<OnvifProfiles> {
    return parseProfiles(await this.call('/api/admin/onvif/profiles', { xaddr, username, password }));
  }

  /** Adds the camera; returns its id. */
  async add(grant: string, name: string, main: string, sub: string | null): Promise<string> {
    const json = await this.call('/api/admin/onvif/add', { grant, name, main, sub });
    const id = isObj(json) && isObj(json.camera) ? str(json.camera.id) : null;
    if (!id) throw bad();
    return id;
  }
}
