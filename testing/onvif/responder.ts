/**
 * An ONVIF PTZ camera of our own for tests (dev only), on loopback: a small node:http server that
 * answers SOAP 1.2 on /onvif/device_service (GetSystemDateAndTime, GetCapabilities,
 * GetDeviceInformation), /onvif/media_service (GetProfiles) and /onvif/ptz_service (ContinuousMove,
 * Stop, GetPresets, GotoPreset), checks WS-Security UsernameToken digests the way cameras do
 * (user, SHA-1 digest, `Created` within 5 minutes of its own clock, no nonce twice) and records
 * every command it got, refused ones too.
 *
 * For ONVIF discovery (docs/cameras.md): GetProfiles names each profile's video encoder (main
 * 1920×1080 H.264 25 fps, sub 640×360 H.264 15 fps, a 640×480 JPEG one), GetStreamUri answers
 * the RTSP URIs given in `streams` (a JPEG profile's from `streams.jpeg`); with `discovery` a UDP
 * socket on loopback answers WS-Discovery Probes for NetworkVideoTransmitter with a ProbeMatch
 * (its scopes from the options) and ignores anything else, counted in `discoveryStats`.
 *
 * Options: `reportHost` makes the service addresses it reports name another host (as a camera
 * behind NAT does) — a client must still only talk to the address it was configured with;
 * `clockOffsetMs` sets the camera's clock off (a client learns it from GetSystemDateAndTime).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { XMLParser } from 'fast-xml-parser';

export interface ResponderCommand {
  at: number;
  op: string;
  /** false: refused (credentials, unknown preset, unknown operation). */
  ok: boolean;
  user?: string;
  profile?: string;
  pan?: number;
  tilt?: number;
  zoom?: number;
  timeout?: string;
  preset?: string;
  reason?: string;
}

export interface ResponderOptions {
  user?: string;
  password?: string;
  presets?: { token: string; name: string }[];
  reportHost?: string;
  clockOffsetMs?: number;
  /** Answer nothing about PTZ (a fixed camera). */
  noPtz?: boolean;
  /** RTSP URIs GetStreamUri answers per profile (default rtsp://127.0.0.1:554/<profile>). */
  streams?: { main?: string; sub?: string; jpeg?: string };
  /** Answer WS-Discovery probes on a loopback UDP port. */
  discovery?: {
    name?: string;
    hardware?: string;
    location?: string;
    /**
     * Also answer probes sent to the WS-Discovery group 239.255.255.250 on this port (a socket bound
     * to the group address, member on the default interface: a host's own multicast loops back to it).
     */
    multicastPort?: number;
    /** Datagrams sent to the prober before the real ProbeMatch (malformed or unrelated replies). */
    junkFirst?: (messageId: string) => string[];
  };
}

export interface DiscoveryStats {
  answered: number;
  ignored: number;
}

export interface OnvifResponder {
  /** The device service URL to configure (`onvif.url`). */
  url: string;
  port: number;
  commands: ResponderCommand[];
  /** Commands of one operation. */
  ops(op: string): ResponderCommand[];
  /** The WS-Discovery UDP port on 127.0.0.1 (0 without `discovery`). */
  discoveryPort: number;
  discoveryStats: DiscoveryStats;
  /** The endpoint reference the ProbeMatch carries. */
  endpoint: string;
  close(): Promise<void>;
}

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false });
type Xml = Record<string, unknown>;
const obj = (v: unknown): Xml => (typeof v === 'object' && v !== null ? (v as Xml) : {});
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof obj(v)['#text'] === 'string' ? (obj(v)['#text'] as string) : '');

const ENV = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl" xmlns:ter="http://www.onvif.org/ver10/error"><SOAP-ENV:Body>${body}</SOAP-ENV:Body></SOAP-ENV:Envelope>`;
const FAULT = (subcode: string, reason: string) =>
  ENV(`<SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:Sender</SOAP-ENV:Value><SOAP-ENV:Subcode><SOAP-ENV:Value>${subcode}</SOAP-ENV:Value></SOAP-ENV:Subcode></SOAP-ENV:Code><SOAP-ENV:Reason><SOAP-ENV:Text xml:lang="en">${reason}</SOAP-ENV:Text></SOAP-ENV:Reason></SOAP-ENV:Fault>`);

export async function startOnvifResponder(opts: ResponderOptions = {}): Promise<OnvifResponder> {
  const user = opts.user ?? 'ptzadmin';
  const password = opts.password ?? 'ptz-secret';
  const presets = opts.presets ?? [
    { token: '1', name: 'Cổng chính' },
    { token: '2', name: 'Ngã tư' },
  ];
  const commands: ResponderCommand[] = [];
  const nonces = new Set<string>();
  const now = () => Date.now() + (opts.clockOffsetMs ?? 0);
  let port = 0;

  /** null when the UsernameToken is good, else why not. */
  const checkAuth = (header: Xml): string | null => {
    const tok = obj(obj(header.Security).UsernameToken);
    const name = text(tok.Username);
    const digest = text(tok.Password);
    const nonce = text(tok.Nonce);
    const created = text(tok.Created);
    if (!name || !digest || !nonce || !created) return 'no UsernameToken';
    if (name !== user) return 'unknown user';
    const t = Date.parse(created);
    if (!Number.isFinite(t) || Math.abs(t - now()) > 5 * 60_000) return 'Created is too far from the camera clock';
    if (nonces.has(nonce)) return 'nonce replayed';
    const want = createHash('sha1').update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created), Buffer.from(password)])).digest('base64');
    if (want !== digest) return 'wrong password digest';
    nonces.add(nonce);
    return null;
  };

  const base = () => `http://${opts.reportHost ?? `127.0.0.1:${port}`}`;

  const answer = (path: string, op: string, body: Xml, userName: string): { status: number; xml: string; rec: Partial<ResponderCommand> } => {
    const o = obj(body[op]);
    const profile = text(o.ProfileToken);
    if (path === '/onvif/device_service' && op === 'GetCapabilities') {
      const ptz = opts.noPtz ? '' : `<tt:PTZ><tt:XAddr>${base()}/onvif/ptz_service</tt:XAddr></tt:PTZ>`;
      return { status: 200, xml: ENV(`<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>${base()}/onvif/device_service</tt:XAddr></tt:Device><tt:Media><tt:XAddr>${base()}/onvif/media_service</tt:XAddr></tt:Media>${ptz}</tds:Capabilities></tds:GetCapabilitiesResponse>`), rec: {} };
    }
    if (path === '/onvif/device_service' && op === 'GetDeviceInformation') {
      return { status: 200, xml: ENV(`<tds:GetDeviceInformationResponse><tds:Manufacturer>Wardwall</tds:Manufacturer><tds:Model>Test PTZ responder</tds:Model><tds:FirmwareVersion>1</tds:FirmwareVersion><tds:SerialNumber>0001</tds:SerialNumber><tds:HardwareId>1</tds:HardwareId></tds:GetDeviceInformationResponse>`), rec: {} };
    }
    if (path === '/onvif/media_service' && op === 'GetProfiles') {
      const ptzConf = opts.noPtz ? '' : `<tt:PTZConfiguration token="ptzconf"><tt:Name>PTZ</tt:Name><tt:NodeToken>node</tt:NodeToken></tt:PTZConfiguration>`;
      const enc = (token: string, encoding: string, w: number, h: number, fps: number, kbps: number) =>
        `<tt:VideoEncoderConfiguration token="${token}"><tt:Name>${token}</tt:Name><tt:Encoding>${encoding}</tt:Encoding><tt:Resolution><tt:Width>${w}</tt:Width><tt:Height>${h}</tt:Height></tt:Resolution><tt:Quality>4</tt:Quality><tt:RateControl><tt:FrameRateLimit>${fps}</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>${kbps}</tt:BitrateLimit></tt:RateControl></tt:VideoEncoderConfiguration>`;
      return {
        status: 200,
        xml: ENV(
          `<trt:GetProfilesResponse><trt:Profiles token="prof-sub" fixed="true"><tt:Name>sub</tt:Name>${enc('enc-sub', 'H264', 640, 360, 15, 512)}</trt:Profiles><trt:Profiles token="prof-main" fixed="true"><tt:Name>main</tt:Name>${enc('enc-main', 'H264', 1920, 1080, 25, 4096)}${ptzConf}</trt:Profiles><trt:Profiles token="prof-jpeg"><tt:Name>jpeg</tt:Name>${enc('enc-jpeg', 'JPEG', 640, 480, 5, 1024)}</trt:Profiles></trt:GetProfilesResponse>`,
        ),
        rec: {},
      };
    }
    if (path === '/onvif/media_service' && op === 'GetStreamUri') {
      const streams: Record<string, string | undefined> = { 'prof-main': opts.streams?.main, 'prof-sub': opts.streams?.sub, 'prof-jpeg': opts.streams?.jpeg };
      if (!(profile in streams)) return { status: 400, xml: FAULT('ter:NoProfile', 'no such profile'), rec: { ok: false, profile, reason: 'profile' } };
      const uri = streams[profile] ?? `rtsp://127.0.0.1:554/${profile}`;
      return { status: 200, xml: ENV(`<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>${uri.replace(/&/g, '&amp;')}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`), rec: { profile } };
    }
    if (path === '/onvif/ptz_service' && !opts.noPtz) {
      if (profile !== 'prof-main') return { status: 400, xml: FAULT('ter:NoProfile', 'no such profile'), rec: { ok: false, profile, reason: 'profile' } };
      if (op === 'ContinuousMove') {
        const v = obj(o.Velocity);
        const pt = obj(v.PanTilt);
        const z = obj(v.Zoom);
        return { status: 200, xml: ENV('<tptz:ContinuousMoveResponse/>'), rec: { profile, pan: Number(pt['@x'] ?? 0), tilt: Number(pt['@y'] ?? 0), zoom: Number(z['@x'] ?? 0), timeout: text(o.Timeout) } };
      }
      if (op === 'Stop') return { status: 200, xml: ENV('<tptz:StopResponse/>'), rec: { profile } };
      if (op === 'GetPresets') {
        return { status: 200, xml: ENV(`<tptz:GetPresetsResponse>${presets.map((p) => `<tptz:Preset token="${p.token}"><tt:Name>${p.name}</tt:Name></tptz:Preset>`).join('')}</tptz:GetPresetsResponse>`), rec: { profile } };
      }
      if (op === 'GotoPreset') {
        const token = text(o.PresetToken);
        if (!presets.some((p) => p.token === token)) return { status: 400, xml: FAULT('ter:NoToken', 'no such preset'), rec: { ok: false, preset: token, reason: 'preset' } };
        return { status: 200, xml: ENV('<tptz:GotoPresetResponse/>'), rec: { profile, preset: token } };
      }
    }
    void userName;
    return { status: 400, xml: FAULT('ter:ActionNotSupported', `${op} is not supported here`), rec: { ok: false, reason: 'unsupported' } };
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let n = 0;
      req.on('data', (b: Buffer) => {
        n += b.length;
        if (n > 1 << 20) req.destroy();
        else chunks.push(b);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const server: Server = createServer((req, res) => {
    void (async () => {
      const send = (status: number, xml: string) => res.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8' }).end(xml);
      if (req.method !== 'POST') return send(405, FAULT('ter:ActionNotSupported', 'POST only'));
      let doc: Xml;
      try {
        doc = parser.parse(await readBody(req)) as Xml;
      } catch {
        return send(400, FAULT('ter:WellFormed', 'malformed XML'));
      }
      const env = obj(doc.Envelope);
      const body = obj(env.Body);
      const op = Object.keys(body).find((k) => !k.startsWith('@')) ?? '';
      const path = (req.url ?? '').split('?')[0]!;
      if (op === 'GetSystemDateAndTime') {
        const d = new Date(now());
        return send(
          200,
          ENV(`<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings><tt:UTCDateTime><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time><tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`),
        );
      }
      const refused = checkAuth(obj(env.Header));
      if (refused) {
        commands.push({ at: Date.now(), op, ok: false, reason: refused });
        return send(400, FAULT('ter:NotAuthorized', `Sender not authorized (${refused})`));
      }
      const a = answer(path, op, body, user);
      commands.push({ at: Date.now(), op, ok: true, user, ...a.rec });
      send(a.status, a.xml);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as { port: number }).port;

  const endpoint = `urn:uuid:${randomUUID()}`;
  const discoveryStats: DiscoveryStats = { answered: 0, ignored: 0 };
  let udp: Socket | null = null;
  let group: Socket | null = null;
  if (opts.discovery) {
    const d = opts.discovery;
    const scope = (kind: string, v: string | undefined) => (v ? ` onvif://www.onvif.org/${kind}/${encodeURIComponent(v)}` : '');
    const sock = createSocket('udp4');
    udp = sock;
    const onProbe = (msg: Buffer, rinfo: { address: string; port: number }) => {
      let messageId: string;
      try {
        const env = obj(obj(parser.parse(msg.toString('utf8')) as Xml).Envelope);
        const action = text(obj(env.Header).Action).trim();
        const probe = obj(env.Body).Probe;
        const types = text(obj(probe).Types);
        messageId = text(obj(env.Header).MessageID).trim();
        if (action !== 'http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe' || probe === undefined || !messageId || messageId.length > 200) throw new Error('not a probe');
        if (types && !/(^|\s|:)NetworkVideoTransmitter(\s|$)/.test(types)) throw new Error('another type');
      } catch {
        discoveryStats.ignored++;
        return;
      }
      discoveryStats.answered++;
      const match = `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><SOAP-ENV:Header><wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID><wsa:RelatesTo>${messageId.replace(/[<&]/g, '')}</wsa:RelatesTo><wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header><SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>${endpoint}</wsa:Address></wsa:EndpointReference><d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types><d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/Profile/Streaming${scope('name', d.name)}${scope('hardware', d.hardware)}${scope('location', d.location)}</d:Scopes><d:XAddrs>http://127.0.0.1:${port}/onvif/device_service</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>`;
      for (const junk of d.junkFirst?.(messageId) ?? []) sock.send(Buffer.from(junk), rinfo.port, rinfo.address);
      sock.send(Buffer.from(match), rinfo.port, rinfo.address);
    };
    sock.on('message', onProbe);
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
    if (d.multicastPort) {
      const g = createSocket({ type: 'udp4', reuseAddr: true });
      group = g;
      g.on('message', onProbe);
      await new Promise<void>((resolve, reject) => {
        g.once('error', reject);
        g.bind(d.multicastPort, '239.255.255.250', () => resolve());
      });
      g.addMembership('239.255.255.250');
    }
  }
  return {
    url: `http://127.0.0.1:${port}/onvif/device_service`,
    port,
    commands,
    ops: (op) => commands.filter((c) => c.op === op && c.ok),
    discoveryPort: udp ? udp.address().port : 0,
    discoveryStats,
    endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        udp?.close();
        group?.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
