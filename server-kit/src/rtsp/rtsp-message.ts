/**
 * RTSP/1.0 message heads as a client reads them (RFC 2326 §6/§7): a status line (or, rarely, a
 * request the server sends) and headers. Pure: the caller has already cut the head at the blank line.
 */

/** Headers by lower-case name; a name may repeat (WWW-Authenticate), so each holds every value in order. */
export type RtspHeaders = Map<string, string[]>;

export interface RtspResponse {
  status: number;
  reason: string;
  headers: RtspHeaders;
  body: Buffer;
}

/** A request the server sent us (e.g. SET_PARAMETER, ANNOUNCE): answered 501, otherwise ignored. */
export interface RtspServerRequest {
  method: string;
  headers: RtspHeaders;
}

export type RtspHead =
  | { kind: 'response'; status: number; reason: string; headers: RtspHeaders }
  | { kind: 'request'; method: string; headers: RtspHeaders };

const STATUS_LINE = /^RTSP\/1\.0 ([1-5]\d\d)(?: ([^\r\n]*))?$/;
const REQUEST_LINE = /^([A-Z_]{1,32}) (\S{1,2048}) RTSP\/1\.0$/;
const HEADER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]{1,64})[ \t]*:[ \t]*(.*)$/;
const MAX_HEADERS = 64;

/** Parses a message head (status/request line and headers, without the blank line). Null when malformed. */
export function parseHead(head: string): RtspHead | null {
  const lines = head.split(/\r?\n/);
  const first = lines[0] ?? '';
  let result: RtspHead;
  const s = STATUS_LINE.exec(first);
  if (s) {
    result = { kind: 'response', status: Number(s[1]), reason: s[2] ?? '', headers: new Map() };
  } else {
    const r = REQUEST_LINE.exec(first);
    if (!r) return null;
    result = { kind: 'request', method: r[1]!, headers: new Map() };
  }
  if (lines.length - 1 > MAX_HEADERS) return null;
  let last: string[] | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    // eslint-disable-next-line no-control-regex -- control characters in a header are malformed input
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(line)) return null;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // An obsolete folded continuation of the previous header's value.
      if (!last) return null;
      last[last.length - 1] += ' ' + line.trim();
      continue;
    }
    const h = HEADER.exec(line);
    if (!h) return null;
    const name = h[1]!.toLowerCase();
    let values = result.headers.get(name);
    if (!values) result.headers.set(name, (values = []));
    values.push(h[2]!.trim());
    last = values;
  }
  return result;
}

/** The first value of a header, or undefined. */
export function header(headers: RtspHeaders, name: string): string | undefined {
  return headers.get(name)?.[0];
}

/** Content-Length: 0 when absent, null when not a plain decimal number. */
export function contentLength(headers: RtspHeaders): number | null {
  const v = header(headers, 'content-length');
  if (v === undefined) return 0;
  if (!/^\d{1,9}$/.test(v)) return null;
  return Number(v);
}

export interface RtspSessionHeader {
  id: string;
  /** Seconds; 60 when the header names none (RFC 2326 §12.37). */
  timeoutS: number;
}

/** `Session: <id>[;timeout=<s>]`. Null when malformed. */
export function parseSessionHeader(value: string): RtspSessionHeader | null {
  const [id, ...params] = value.split(';').map((p) => p.trim());
  if (!id || !/^[A-Za-z0-9$\-_.+]{1,128}$/.test(id)) return null;
  let timeoutS = 60;
  for (const p of params) {
    const m = /^timeout\s*=\s*(\d{1,6})$/i.exec(p);
    if (m && Number(m[1]) > 0) timeoutS = Number(m[1]);
  }
  return { id, timeoutS };
}

/** The `interleaved=a-b` channels of a Transport header (first transport spec), or null. */
export function parseInterleaved(transport: string): { rtp: number; rtcp: number; tcp: boolean } | null {
  const spec = transport.split(',')[0]!;
  const parts = spec.split(';').map((p) => p.trim());
  const tcp = /^RTP\/AVP(?:\/TCP)$/i.test(parts[0] ?? '');
  for (const p of parts) {
    const m = /^interleaved=(\d{1,3})(?:-(\d{1,3}))?$/i.exec(p);
    if (m) {
      const rtp = Number(m[1]);
      const rtcp = m[2] === undefined ? rtp + 1 : Number(m[2]);
      if (rtp > 255 || rtcp > 255) return null;
      return { rtp, rtcp, tcp };
    }
  }
  return null;
}

/** The methods of a Public header, upper case. */
export function publicMethods(value: string | undefined): Set<string> {
  return new Set((value ?? '').split(',').map((m) => m.trim().toUpperCase()).filter(Boolean));
}
