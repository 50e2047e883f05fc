/**
 * The tracks of a DESCRIBE answer: each SDP media section (RFC 4566) with its control URL resolved
 * (RFC 2326 §C.1.1), its first payload type, rtpmap and fmtp. Pure.
 */

export interface RtspTrack {
  /** Position among the SDP's media sections (0-based). */
  index: number;
  /** 'video', 'audio', 'application', … as the m= line says. */
  media: string;
  /** Absolute control URL the SETUP goes to (never with user-info). */
  control: string;
  payloadType: number;
  /** Upper case (H264, H265, PCMA, MPEG4-GENERIC, …); '' when neither rtpmap nor a static type names it. */
  encodingName: string;
  /** Hz; 0 when unknown. */
  clockRate: number;
  channels?: number;
  /** fmtp parameters of the payload type, keys lower case. */
  fmtp: Record<string, string>;
}

/** RFC 3551 static payload types a camera might use without an rtpmap. */
const STATIC_TYPES: Record<number, { name: string; rate: number; channels?: number }> = {
  0: { name: 'PCMU', rate: 8000, channels: 1 },
  8: { name: 'PCMA', rate: 8000, channels: 1 },
  9: { name: 'G722', rate: 8000, channels: 1 },
  14: { name: 'MPA', rate: 90000 },
  26: { name: 'JPEG', rate: 90000 },
  32: { name: 'MPV', rate: 90000 },
  33: { name: 'MP2T', rate: 90000 },
};

/** An absolute URL without its user-info (a Content-Base must not put credentials back on the wire). */
function withoutUserinfo(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search}`;
}

/**
 * The base URL of a DESCRIBE answer (RFC 2326 §C.1.1): Content-Base, else Content-Location, else
 * the request URL. A relative Content-Base/-Location is taken relative to the request URL.
 */
export function describeBase(requestUrl: string, contentBase?: string, contentLocation?: string): string {
  for (const candidate of [contentBase, contentLocation]) {
    if (!candidate) continue;
    try {
      return withoutUserinfo(new URL(candidate, requestUrl));
    } catch {
      // not a URL: try the next
    }
  }
  return requestUrl;
}

/**
 * Resolves an a=control value against a base: `*` or empty is the base itself; an absolute URL
 * stands as is (user-info dropped); a relative one is appended to the base as to a directory
 * (`rtsp://h/live/cam` + `trackID=1` → `rtsp://h/live/cam/trackID=1`), as GStreamer, ffmpeg and
 * live555 do — RFC 3986's merge would drop the base's last segment, which no camera expects.
 */
export function resolveControl(base: string, control: string | undefined): string {
  const c = (control ?? '').trim();
  if (c === '' || c === '*') return base;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(c)) {
    try {
      return withoutUserinfo(new URL(c));
    } catch {
      return c;
    }
  }
  if (c.startsWith('/')) {
    // Absolute path: on the base's host.
    try {
      const b = new URL(base);
      return `${b.protocol}//${b.host}${c}`;
    } catch {
      return base + c;
    }
  }
  return base.endsWith('/') ? base + c : `${base}/${c}`;
}

/** Splits an fmtp parameter list (`a=fmtp:<pt> k=v; k2=v2`) into lower-case keys and values. */
export function parseFmtp(params: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of params.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) out[p.toLowerCase()] = '';
    else out[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
  }
  return out;
}

interface MediaSection {
  media: string;
  formats: string[];
  control?: string;
  rtpmap: Map<string, string>;
  fmtp: Map<string, string>;
}

export interface SdpSession {
  /** The aggregate control URL (session-level a=control resolved, else the base): PLAY goes there. */
  aggregateControl: string;
  tracks: RtspTrack[];
}

/** Parses an SDP into its tracks, control URLs resolved against `base` (see describeBase). Null when it has no media at all. */
export function parseSdp(sdp: string, base: string): SdpSession | null {
  let sessionControl: string | undefined;
  const sections: MediaSection[] = [];
  let cur: MediaSection | null = null;
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length < 2 || line[1] !== '=') continue;
    const type = line[0];
    const value = line.slice(2);
    if (type === 'm') {
      const parts = value.split(/\s+/);
      if (parts.length < 4) return null;
      cur = { media: parts[0]!.toLowerCase(), formats: parts.slice(3), rtpmap: new Map(), fmtp: new Map() };
      sections.push(cur);
      continue;
    }
    if (type !== 'a') continue;
    const colon = value.indexOf(':');
    const attr = (colon < 0 ? value : value.slice(0, colon)).toLowerCase();
    const arg = colon < 0 ? '' : value.slice(colon + 1);
    if (attr === 'control') {
      if (cur) cur.control = arg;
      else sessionControl = arg;
    } else if (cur && (attr === 'rtpmap' || attr === 'fmtp')) {
      const m = /^(\d{1,3})\s+(.*)$/.exec(arg);
      if (m) cur[attr].set(m[1]!, m[2]!);
    }
  }
  if (sections.length === 0) return null;
  const aggregateControl = resolveControl(base, sessionControl);
  // Media controls are relative to the session's control URL when it is absolute, else to the base.
  const mediaBase = sessionControl && sessionControl.trim() !== '*' && /^[a-z][a-z0-9+.-]*:\/\//i.test(sessionControl.trim()) ? aggregateControl : base;
  const tracks: RtspTrack[] = [];
  sections.forEach((s, index) => {
    const fmt = s.formats[0]!;
    const payloadType = /^\d{1,3}$/.test(fmt) ? Number(fmt) : -1;
    if (payloadType < 0 || payloadType > 127) return; // not RTP (e.g. a data channel): not a track
    const map = s.rtpmap.get(fmt);
    const track: RtspTrack = { index, media: s.media, control: resolveControl(mediaBase, s.control), payloadType, encodingName: '', clockRate: 0, fmtp: parseFmtp(s.fmtp.get(fmt) ?? '') };
    const m = map ? /^([^/\s]+)\/(\d+)(?:\/(\d+))?/.exec(map.trim()) : null;
    if (m) {
      track.encodingName = m[1]!.toUpperCase();
      track.clockRate = Number(m[2]);
      if (m[3] !== undefined) track.channels = Number(m[3]);
    } else if (STATIC_TYPES[payloadType]) {
      const st = STATIC_TYPES[payloadType];
      track.encodingName = st.name;
      track.clockRate = st.rate;
      if (st.channels !== undefined) track.channels = st.channels;
    }
    tracks.push(track);
  });
  return { aggregateControl, tracks };
}
