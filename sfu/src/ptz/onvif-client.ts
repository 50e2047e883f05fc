/**
 * A small ONVIF client for pan/tilt/zoom: SOAP 1.2 over HTTP(S) with a WS-Security UsernameToken
 * (password digest, the camera's clock offset applied to `Created`), for the seven operations the
 * wall needs: GetSystemDateAndTime, GetCapabilities, GetProfiles, ContinuousMove, Stop, GetPresets,
 * GotoPreset; and for ONVIF discovery (sfu/src/onvif/) the media profiles with GetStreamUri.
 * Replies are parsed by fast-xml-parser (namespace prefixes dropped).
 *
 * Why not the `onvif` npm package: its `Cam` connects with a chain of requests we do not need
 * (device information, video sources, services, scopes, …), any of which failing fails the
 * connection on many cheap cameras; it gives no request timeout or size limit of our choosing and
 * logs/throws the camera's URL. Here every request has a timeout and a reply-size limit, the
 * service addresses a camera reports are only used for their path (requests always go to the host
 * and port configured: a camera cannot send the SFU elsewhere), and no error carries credentials.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { XMLParser } from 'fast-xml-parser';
import { asList, obj, text, xmlEscape, type Xml } from './onvif-xml.js';
import { parseProfiles, parseStreamUri, streamUriRequest, type MediaProfile } from './onvif-media.js';

export class OnvifError extends Error {
  constructor(
    message: string,
    /** 'unreachable' | 'auth' | 'fault' | 'bad_reply' | 'no_ptz' */
    readonly kind: 'unreachable' | 'auth' | 'fault' | 'bad_reply' | 'no_ptz',
  ) {
    super(message);
    this.name = 'OnvifError';
  }
}

export interface OnvifTarget {
  url: string;
  user?: string | undefined;
  password?: string | undefined;
  profile?: string | undefined;
}

export interface PtzPreset {
  token: string;
  name: string;
}

export interface Velocity {
  pan: number;
  tilt: number;
  zoom: number;
}

const NS = {
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tptz: 'http://www.onvif.org/ver20/ptz/wsdl',
  tt: 'http://www.onvif.org/ver10/schema',
};

/** The PasswordDigest of WS-Security's UsernameToken profile: Base64(SHA-1(nonce + created + password)). Pure. */
export function passwordDigest(nonce: Buffer, created: string, password: string): string {
  return createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')])).digest('base64');
}

/** A SOAP 1.2 envelope with an optional UsernameToken header. Pure apart from the nonce given. */
export function envelope(body: string, auth?: { user: string; password: string; created: string; nonce: Buffer }): string {
  const header = auth
    ? `<s:Header><wsse:Security s:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken><wsse:Username>${xmlEscape(auth.user)}</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${passwordDigest(auth.nonce, auth.created, auth.password)}</wsse:Password><wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${auth.nonce.toString('base64')}</wsse:Nonce><wsu:Created>${auth.created}</wsu:Created></wsse:UsernameToken></wsse:Security></s:Header>`
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="${NS.tds}" xmlns:trt="${NS.trt}" xmlns:tptz="${NS.tptz}" xmlns:tt="${NS.tt}">${header}<s:Body>${body}</s:Body></s:Envelope>`;
}

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, parseAttributeValue: false });


/** Parses a SOAP reply into its Body, or throws OnvifError for a Fault. Pure. */
export function soapBody(xml: string): Xml {
  let doc: Xml;
  try {
    doc = parser.parse(xml) as Xml;
  } catch {
    throw new OnvifError('the camera answered with malformed XML', 'bad_reply');
  }
  const body = obj(obj(doc.Envelope).Body);
  if (!doc.Envelope || !obj(doc.Envelope).Body) throw new OnvifError('the camera did not answer with a SOAP envelope', 'bad_reply');
  if (body.Fault) {
    const f = obj(body.Fault);
    const codes = JSON.stringify(f.Code ?? f.faultcode ?? '');
    const reason = text(obj(f.Reason).Text) || text(f.faultstring) || 'SOAP fault';
    const auth = /NotAuthorized|FailedAuthentication|InvalidSecurity|Sender.*Auth/i.test(codes + reason);
    throw new OnvifError(`the camera refused: ${reason.slice(0, 200)}`, auth ? 'auth' : 'fault');
  }
  return body;
}

const num = (v: unknown) => Number(text(v));

/** The device's UTC clock from a GetSystemDateAndTime reply. Pure. */
export function deviceUtcMs(body: Xml): number | null {
  const u = obj(obj(obj(body.GetSystemDateAndTimeResponse).SystemDateAndTime).UTCDateTime);
  const d = obj(u.Date);
  const t = obj(u.Time);
  const ms = Date.UTC(num(d.Year), num(d.Month) - 1, num(d.Day), num(t.Hour), num(t.Minute), num(t.Second));
  return Number.isFinite(ms) ? ms : null;
}

/** Velocity clamped to ONVIF's generic space [-1, 1], as the attribute text. Pure. */
export function velocityXml(v: Velocity): string {
  const c = (x: number) => (Number.isFinite(x) ? Math.max(-1, Math.min(1, x)) : 0).toFixed(3);
  return `<tptz:Velocity><tt:PanTilt x="${c(v.pan)}" y="${c(v.tilt)}"/><tt:Zoom x="${c(v.zoom)}"/></tptz:Velocity>`;
}

export interface OnvifClientOptions {
  timeoutMs?: number;
  maxReplyBytes?: number;
  now?: () => number;
}

export class OnvifClient {
  private readonly origin: URL;
  private clockOffsetMs = 0;
  private ptzPath: string | null = null;
  private mediaPath: string | null = null;
  private profileToken: string | null = null;
  private readonly timeoutMs: number;
  private readonly maxReplyBytes: number;
  private readonly now: () => number;

  constructor(
    private readonly target: OnvifTarget,
    opts: OnvifClientOptions = {},
  ) {
    this.origin = new URL(target.url);
    this.timeoutMs = opts.timeoutMs ?? 4000;
    this.maxReplyBytes = opts.maxReplyBytes ?? 1 << 20;
    this.now = opts.now ?? Date.now;
  }

  /** Learns the clock offset and the service paths (GetSystemDateAndTime, GetCapabilities). Idempotent. */
  private async services(): Promise<void> {
    if (this.mediaPath) return;
    const devicePath = this.origin.pathname + this.origin.search;
    try {
      const t = deviceUtcMs(await this.call(devicePath, `<tds:GetSystemDateAndTime/>`, false));
      if (t !== null) this.clockOffsetMs = t - this.now();
    } catch (e) {
      if (e instanceof OnvifError && e.kind === 'unreachable') throw e;
      // Some cameras want authentication even here: go on with our own clock.
    }
    const caps = obj(obj(await this.call(devicePath, `<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>`)).GetCapabilitiesResponse);
    const c = obj(caps.Capabilities);
    const ptz = text(obj(c.PTZ).XAddr);
    const media = text(obj(c.Media).XAddr);
    if (!media) throw new OnvifError('the camera offers no media service', 'bad_reply');
    this.ptzPath = ptz ? this.pathOf(ptz) : null;
    this.mediaPath = this.pathOf(media);
  }

  /** Learns the clock offset, the PTZ and media services and the profile to steer. Idempotent. */
  async connect(): Promise<void> {
    if (this.profileToken) return;
    await this.services();
    if (!this.ptzPath) throw new OnvifError('the camera offers no PTZ service', 'no_ptz');
    const profiles = asList(obj(obj(await this.call(this.mediaPath!, `<trt:GetProfiles/>`)).GetProfilesResponse).Profiles).map(obj);
    const chosen = this.target.profile
      ? profiles.find((p) => p['@token'] === this.target.profile)
      : profiles.find((p) => p.PTZConfiguration !== undefined);
    if (!chosen || typeof chosen['@token'] !== 'string') throw new OnvifError(this.target.profile ? `the camera has no profile "${this.target.profile}"` : 'no media profile of the camera has a PTZ configuration', 'no_ptz');
    this.profileToken = chosen['@token'];
  }

  /**
   * The media profiles with their video encoding and the RTSP URI of each (GetProfiles, then
   * GetStreamUri per profile with a video encoder; a profile whose URI the camera refuses keeps
   * `uri: null`). At most 16 profiles.
   */
  async mediaProfiles(): Promise<MediaProfile[]> {
    await this.services();
    const profiles = parseProfiles(await this.call(this.mediaPath!, `<trt:GetProfiles/>`)).slice(0, 16);
    // A profile steers nothing without the device's PTZ service.
    if (!this.ptzPath) for (const p of profiles) p.ptz = false;
    for (const p of profiles) {
      if (!p.encoding) continue;
      try {
        p.uri = parseStreamUri(await this.call(this.mediaPath!, streamUriRequest(p.token)));
      } catch (e) {
        if (e instanceof OnvifError && (e.kind === 'auth' || e.kind === 'unreachable')) throw e;
        p.uri = null;
      }
    }
    return profiles;
  }

  /** Only the path of a service address the camera reports: requests stay on the configured host. */
  private pathOf(xaddr: string): string {
    try {
      const u = new URL(xaddr.trim().split(/\s+/)[0]!);
      return u.pathname + u.search;
    } catch {
      throw new OnvifError('the camera reported a malformed service address', 'bad_reply');
    }
  }

  private profileXml(): string {
    return `<tptz:ProfileToken>${xmlEscape(this.profileToken!)}</tptz:ProfileToken>`;
  }

  async continuousMove(v: Velocity, timeoutS: number): Promise<void> {
    await this.connect();
    await this.call(this.ptzPath!, `<tptz:ContinuousMove>${this.profileXml()}${velocityXml(v)}<tptz:Timeout>PT${Math.max(0.1, timeoutS).toFixed(1)}S</tptz:Timeout></tptz:ContinuousMove>`);
  }

  async stop(): Promise<void> {
    await this.connect();
    await this.call(this.ptzPath!, `<tptz:Stop>${this.profileXml()}<tptz:PanTilt>true</tptz:PanTilt><tptz:Zoom>true</tptz:Zoom></tptz:Stop>`);
  }

  async presets(): Promise<PtzPreset[]> {
    await this.connect();
    const r = obj(obj(await this.call(this.ptzPath!, `<tptz:GetPresets>${this.profileXml()}</tptz:GetPresets>`)).GetPresetsResponse);
    return asList(r.Preset)
      .map(obj)
      .filter((p) => typeof p['@token'] === 'string')
      .map((p) => ({ token: p['@token'] as string, name: text(p.Name) || (p['@token'] as string) }))
      .slice(0, 256);
  }

  async gotoPreset(token: string): Promise<void> {
    await this.connect();
    await this.call(this.ptzPath!, `<tptz:GotoPreset>${this.profileXml()}<tptz:PresetToken>${xmlEscape(token)}</tptz:PresetToken></tptz:GotoPreset>`);
  }

  private call(path: string, body: string, authenticate = true): Promise<Xml> {
    const user = this.target.user;
    const auth =
      authenticate && user
        ? { user, password: this.target.password ?? '', created: new Date(this.now() + this.clockOffsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z'), nonce: randomBytes(16) }
        : undefined;
    const xml = envelope(body, auth);
    const secure = this.origin.protocol === 'https:';
    const req = secure ? httpsRequest : httpRequest;
    return new Promise<Xml>((resolve, reject) => {
      const r = req(
        {
          host: this.origin.hostname,
          port: this.origin.port || (secure ? 443 : 80),
          path,
          method: 'POST',
          headers: { 'content-type': 'application/soap+xml; charset=utf-8', 'content-length': Buffer.byteLength(xml) },
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (b: Buffer) => {
            size += b.length;
            if (size > this.maxReplyBytes) {
              r.destroy();
              reject(new OnvifError('the camera answered too much', 'bad_reply'));
              return;
            }
            chunks.push(b);
          });
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              if (res.statusCode === 401 || res.statusCode === 403) throw new OnvifError(`the camera refused our credentials (HTTP ${res.statusCode})`, 'auth');
              const b = soapBody(text);
              if ((res.statusCode ?? 500) >= 400) throw new OnvifError(`the camera answered HTTP ${res.statusCode}`, 'fault');
              resolve(b);
            } catch (e) {
              if (e instanceof OnvifError) reject(e);
              else reject(new OnvifError('the camera answered with something else than SOAP', 'bad_reply'));
            }
          });
          res.on('error', () => reject(new OnvifError('the camera closed the connection', 'unreachable')));
        },
      );
      r.on('timeout', () => r.destroy(new Error('timeout')));
      r.on('error', (e: NodeJS.ErrnoException) => reject(new OnvifError(`the camera cannot be reached (${e.code ?? e.message})`, 'unreachable')));
      r.end(xml);
    });
  }
}
