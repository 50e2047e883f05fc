/**
 * WS-Discovery (2005/04, as ONVIF uses it) for finding cameras on the LAN: a Probe for
 * `dn:NetworkVideoTransmitter` sent over UDP to the multicast group 239.255.255.250:3702 and/or
 * to given unicast addresses; the ProbeMatches that answer it (RelatesTo = our MessageID) are
 * collected for a bounded time. The XML builder and reader are pure; `discover` does the I/O.
 *
 * Why not a library: `ws-discovery` on npm is a single 0.0.x release, `node-onvif` has had no
 * maintenance release in years, and the maintained `onvif` package's Discovery is a process-wide
 * EventEmitter that parses with xml2js and cannot bound a reply's size or probe a unicast address
 * next to the group; a probe and its matches are ~150 lines with `dgram` and fast-xml-parser,
 * which the project already uses (docs/cameras.md, "ONVIF discovery").
 *
 * The socket is a client's: an ephemeral port, open only while a discovery runs (at most 10 s),
 * bound to loopback when every target is loopback; a datagram counts only when it is a
 * well-formed ProbeMatches relating to our random MessageID, anything else is dropped.
 */
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { asList, obj, text, xmlEscape, type Xml } from '../ptz/onvif-xml.js';

export const WSD_GROUP = { host: '239.255.255.250', port: 3702 } as const;
const PROBE_ACTION = 'http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe';
const MATCHES_ACTION = 'http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches';
/** A datagram larger than this is dropped unread. */
export const MAX_DATAGRAM = 32 * 1024;

export interface DiscoveredDevice {
  /** The endpoint reference (urn:uuid:…): the device's stable identity. */
  endpoint: string;
  /** Device service addresses (http/https only, at most 4). */
  xaddrs: string[];
  /** From the scopes (onvif://www.onvif.org/name/…, /hardware/…, /location/…), decoded; null when absent. */
  name: string | null;
  hardware: string | null;
  location: string | null;
  types: string[];
  /** The IPv4 address the match came from. */
  from: string;
}

/** The Probe message. Pure. */
export function probeXml(messageId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header><a:Action s:mustUnderstand="1">${PROBE_ACTION}</a:Action><a:MessageID>${xmlEscape(messageId)}</a:MessageID><a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo><a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header><s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>`;
}

// No DOCTYPE entities: a match is plain XML; `processEntities` keeps &amp; and friends only.
const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, parseAttributeValue: false, processEntities: true, htmlEntities: false });

const decode = (s: string): string | null => {
  try {
    const d = decodeURIComponent(s).replace(/[\u0000-\u001f\u007f]/g, ' ').trim(); // eslint-disable-line no-control-regex -- control characters are removed
    return d ? d.slice(0, 120) : null;
  } catch {
    return null;
  }
};

/** name/hardware/location out of ONVIF scope URIs. Pure. */
export function readScopes(scopes: string): Pick<DiscoveredDevice, 'name' | 'hardware' | 'location'> {
  const pick = (kind: string): string[] =>
    scopes
      .split(/\s+/)
      .filter((s) => s.toLowerCase().startsWith(`onvif://www.onvif.org/${kind}/`))
      .map((s) => decode(s.slice(`onvif://www.onvif.org/${kind}/`.length)))
      .filter((s): s is string => s !== null);
  const location = pick('location');
  return { name: pick('name')[0] ?? null, hardware: pick('hardware')[0] ?? null, location: location.length ? location.slice(0, 4).join(', ') : null };
}

/**
 * The devices of a ProbeMatches datagram that relates to `messageId`; null for anything else
 * (malformed XML, another message, a probe, a match to another probe). Never throws. Pure.
 */
export function parseProbeMatches(xml: string, messageId: string, from: string): DiscoveredDevice[] | null {
  if (xml.length > MAX_DATAGRAM || /<!DOCTYPE/i.test(xml)) return null;
  let doc: Xml;
  try {
    doc = parser.parse(xml) as Xml;
  } catch {
    return null;
  }
  const env = obj(doc.Envelope);
  const header = obj(env.Header);
  if (text(header.RelatesTo).trim() !== messageId) return null;
  const action = text(header.Action).trim();
  if (action && action !== MATCHES_ACTION) return null;
  const matches = obj(obj(env.Body).ProbeMatches);
  const out: DiscoveredDevice[] = [];
  for (const raw of asList(matches.ProbeMatch).slice(0, 16)) {
    const m = obj(raw);
    const endpoint = text(obj(m.EndpointReference).Address).trim().slice(0, 256);
    const xaddrs = text(m.XAddrs)
      .split(/\s+/)
      .filter((x) => x.length <= 512 && /^https?:\/\/\S+$/i.test(x) && URL.canParse(x))
      .slice(0, 4);
    if (!endpoint || !xaddrs.length) continue;
    const types = text(m.Types).split(/\s+/).filter(Boolean).slice(0, 8).map((t) => t.slice(0, 120));
    out.push({ endpoint, xaddrs, types, from, ...readScopes(text(m.Scopes).slice(0, 8192)) });
  }
  return out;
}

export interface DiscoverOptions {
  /** Send to the multicast group (default true). */
  multicast?: boolean;
  /** Unicast IPv4 addresses to probe too (cameras on another subnet; tests on loopback). */
  targets?: readonly { host: string; port: number }[];
  /** How long to collect matches (ms). */
  waitMs: number;
  maxDevices?: number;
  /** The group to probe (tests); default 239.255.255.250:3702. */
  group?: { host: string; port: number };
}

export interface DiscoverResult {
  devices: DiscoveredDevice[];
  /** Sends that failed (e.g. no multicast route): where, and the system's code. */
  sendErrors: { to: string; code: string }[];
  /** Datagrams dropped (malformed, unrelated, too large). */
  ignored: number;
}

const isLoopback = (host: string) => isIPv4(host) && host.startsWith('127.');

/** Probes, collects ProbeMatches for `waitMs` (the probe is sent twice, UDP being lossy), dedupes by endpoint. */
export function discover(opts: DiscoverOptions): Promise<DiscoverResult> {
  const multicast = opts.multicast ?? true;
  const group = opts.group ?? WSD_GROUP;
  const targets = [...(multicast ? [group] : []), ...(opts.targets ?? [])];
  const maxDevices = opts.maxDevices ?? 256;
  const messageId = `uuid:${randomUUID()}`;
  const probe = Buffer.from(probeXml(messageId));
  const devices = new Map<string, DiscoveredDevice>();
  const sendErrors: DiscoverResult['sendErrors'] = [];
  let ignored = 0;
  const sock = createSocket({ type: 'udp4' });
  const bindTo = targets.every((t) => isLoopback(t.host)) ? '127.0.0.1' : '0.0.0.0';
  return new Promise<DiscoverResult>((resolve) => {
    let done = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      if (done) return;
      done = true;
      timers.forEach(clearTimeout);
      try {
        sock.close();
      } catch {
        /* already closed */
      }
      resolve({ devices: [...devices.values()], sendErrors, ignored });
    };
    sock.on('error', (e: NodeJS.ErrnoException) => {
      sendErrors.push({ to: 'socket', code: e.code ?? 'ERROR' });
      finish();
    });
    sock.on('message', (msg, rinfo) => {
      const found = msg.length <= MAX_DATAGRAM ? parseProbeMatches(msg.toString('utf8'), messageId, rinfo.address) : null;
      if (!found) {
        ignored++;
        return;
      }
      for (const d of found) if (!devices.has(d.endpoint) && devices.size < maxDevices) devices.set(d.endpoint, d);
    });
    const sendAll = (record: boolean) => {
      for (const t of targets) {
        sock.send(probe, t.port, t.host, (e) => {
          if (e && record) sendErrors.push({ to: t === group ? 'multicast' : `${t.host}:${t.port}`, code: (e as NodeJS.ErrnoException).code ?? 'ERROR' });
        });
      }
    };
    sock.bind(0, bindTo, () => {
      if (multicast) {
        try {
          sock.setMulticastTTL(1);
        } catch {
          /* some systems refuse: the default TTL is 1 */
        }
      }
      sendAll(true);
      timers.push(setTimeout(() => !done && sendAll(false), Math.min(500, opts.waitMs / 3)));
      timers.push(setTimeout(finish, opts.waitMs));
    });
  });
}
