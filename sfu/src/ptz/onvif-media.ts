/**
 * ONVIF media service (ver10) for discovery's "read the profiles": the GetStreamUri request, and
 * the readers of GetProfiles and GetStreamUri replies (given the SOAP Body, see `soapBody`). Pure:
 * a reply missing a piece gives nulls, never a crash; a stream URI that is not rtsp:// is refused.
 */
import { asList, obj, text, xmlEscape, type Xml } from './onvif-xml.js';

export interface MediaProfile {
  token: string;
  name: string;
  /** The video encoder's encoding as the camera names it (H264, H265, JPEG, MPEG4); null without a video encoder. */
  encoding: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  bitrateKbps: number | null;
  /** The RTSP URI of the profile (GetStreamUri), as the camera gave it; null when refused or not asked. */
  uri: string | null;
  /** The profile has a PTZ configuration and the device offers a PTZ service: pan/tilt/zoom can steer it. */
  ptz: boolean;
}

/** A positive integer of at most `max`, or null. */
const int = (v: unknown, max: number): number | null => {
  const n = Number(text(v));
  return Number.isInteger(n) && n > 0 && n <= max ? n : null;
};

/** The GetStreamUri body for RTP over RTSP (unicast). Pure. */
export function streamUriRequest(profileToken: string): string {
  return `<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>${xmlEscape(profileToken)}</trt:ProfileToken></trt:GetStreamUri>`;
}

/** The profiles of a GetProfiles reply body (those without a token are skipped). Pure. */
export function parseProfiles(body: Xml): MediaProfile[] {
  const out: MediaProfile[] = [];
  for (const raw of asList(obj(body.GetProfilesResponse).Profiles)) {
    const p = obj(raw);
    const token = typeof p['@token'] === 'string' ? p['@token'].trim() : '';
    if (!token || token.length > 64) continue;
    const enc = obj(p.VideoEncoderConfiguration);
    const encoding = text(enc.Encoding).trim().toUpperCase().slice(0, 16) || null;
    const res = obj(enc.Resolution);
    const rate = obj(enc.RateControl);
    out.push({
      token,
      name: (text(p.Name).trim() || token).slice(0, 64),
      encoding,
      width: int(res.Width, 16384),
      height: int(res.Height, 16384),
      fps: int(rate.FrameRateLimit, 1000),
      bitrateKbps: int(rate.BitrateLimit, 1_000_000),
      uri: null,
      ptz: p.PTZConfiguration !== undefined,
    });
  }
  return out;
}

/** The RTSP URI of a GetStreamUri reply body; throws a plain Error when there is none or it is not rtsp(s)://. Pure. */
export function parseStreamUri(body: Xml): string {
  const uri = text(obj(obj(body.GetStreamUriResponse).MediaUri).Uri).trim();
  if (!/^rtsps?:\/\/\S+$/i.test(uri) || uri.length > 2048 || !URL.canParse(uri)) throw new Error('the camera gave no RTSP stream URI');
  return uri;
}

/** Pixels of a profile (0 when unknown). */
const area = (p: MediaProfile) => (p.width ?? 0) * (p.height ?? 0);

/** Encodings the ingest can show (passthrough or transcode): H.264 and H.265. */
export const usableEncoding = (p: MediaProfile) => (p.encoding === 'H264' || p.encoding === 'H265') && p.uri !== null;

/**
 * The suggested main (highest resolution, then frame rate) and sub (lowest resolution, when
 * another profile than the main) among profiles with a usable encoding and a URI. Pure.
 */
export function suggestStreams(profiles: readonly MediaProfile[]): { main: string | null; sub: string | null } {
  const usable = profiles.filter(usableEncoding);
  if (!usable.length) return { main: null, sub: null };
  const byBig = [...usable].sort((a, b) => area(b) - area(a) || (b.fps ?? 0) - (a.fps ?? 0));
  const main = byBig[0]!;
  const smallest = byBig[byBig.length - 1]!;
  const sub = smallest.token !== main.token && area(smallest) < area(main) && smallest.uri !== main.uri ? smallest : null;
  return { main: main.token, sub: sub?.token ?? null };
}

/**
 * A stream URI with the ONVIF account as its user-info (percent-encoded), unless the camera put
 * credentials in it already. Pure.
 */
export function withCredentials(uri: string, user: string, password: string): string {
  const u = new URL(uri);
  if (u.username || !user) return uri;
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}
