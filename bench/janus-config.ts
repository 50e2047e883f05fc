/**
 * The configuration of the reference Janus the latency bench runs (bench/janus-reference.ts), as
 * file texts (pure: no I/O). Janus gets only what the bench needs and listens only on loopback:
 * - the HTTP transport on 127.0.0.1:<port>, every request needing the API secret; no admin API,
 *   no HTTPS, every other transport, event handler and logger disabled;
 * - the streaming plugin alone (every other plugin disabled), with an admin key so that its API
 *   cannot create or change mountpoints, and one RTP mountpoint (H.264) whose socket binds
 *   127.0.0.1, fed by bench/janus-relay.py. Not an RTSP mountpoint: Janus 1.1.2 binds those
 *   mountpoints' RTP/RTCP sockets to every interface, whatever `rtspiface` says (seen with `ss`);
 * - ICE: NOT confined to loopback. Janus 1.1.2 skips loopback addresses when it lists the
 *   interfaces for ICE, and when no address is left (`ice_enforce_list = "lo"` or "127.0.0.1", or
 *   every other interface in `ice_ignore_list`) libnice gathers on every interface: during a watch,
 *   Janus has one UDP socket per non-loopback address (seen with `ss`), answering only STUN with the
 *   session's random ICE credentials, then DTLS-SRTP. They live as long as the viewer.
 */

/** A libconfig (jcfg) string literal. */
export function jcfgString(s: string): string {
  if ([...s].some((c) => c.charCodeAt(0) < 0x20)) throw new Error(`jcfg: control character in ${JSON.stringify(s)}`);
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The comma-separated `disable` list of a module folder: every shared object except `keep`. */
export function disableList(files: readonly string[], keep: readonly string[]): string {
  return files
    .filter((f) => f.endsWith('.so') && !keep.includes(f))
    .sort()
    .join(',');
}

export interface JanusConfigOptions {
  /** Where these files are written (Janus reads its plugins' files from there too). */
  configDir: string;
  pluginsDir: string;
  transportsDir: string;
  eventsDir: string;
  loggersDir: string;
  /** File names in each folder, to disable all but the ones the bench uses. */
  files: { plugins: readonly string[]; transports: readonly string[]; events: readonly string[]; loggers: readonly string[] };
  httpPort: number;
  apiSecret: string;
  adminSecret: string;
  streamingAdminKey: string;
  /** The RTP mountpoint: its id and the UDP port (on 127.0.0.1) the relay sends H.264 to. */
  mountpoint: { id: number; rtpPort: number };
  /** Janus's log verbosity (0-7). */
  debugLevel?: number;
}

export const JANUS_STREAMING = 'libjanus_streaming.so';
export const JANUS_HTTP = 'libjanus_http.so';
/** The payload type the relay sends and the mountpoint expects (bench/janus-relay.py: pt=96). */
export const JANUS_RTP_PT = 96;

/** The files of Janus's config folder: name → text. */
export function janusConfigFiles(o: JanusConfigOptions): Record<string, string> {
  for (const [k, v] of Object.entries({ apiSecret: o.apiSecret, adminSecret: o.adminSecret, streamingAdminKey: o.streamingAdminKey })) {
    if (v.length < 16) throw new Error(`janus config: ${k} is too short`);
  }
  for (const [k, v] of Object.entries({ httpPort: o.httpPort, rtpPort: o.mountpoint.rtpPort })) {
    if (!Number.isInteger(v) || v < 1 || v > 65535) throw new Error(`janus config: bad ${k} ${v}`);
  }
  const s = jcfgString;
  const janus = `general: {
  configs_folder = ${s(o.configDir)}
  plugins_folder = ${s(o.pluginsDir)}
  transports_folder = ${s(o.transportsDir)}
  events_folder = ${s(o.eventsDir)}
  loggers_folder = ${s(o.loggersDir)}
  debug_level = ${o.debugLevel ?? 3}
  server_name = "wardwall-bench-janus"
  session_timeout = 60
  api_secret = ${s(o.apiSecret)}
  admin_secret = ${s(o.adminSecret)}
}
certificates: {
}
media: {
  ipv6 = false
}
nat: {
  nice_debug = false
  full_trickle = false
  ignore_mdns = true
}
plugins: {
  disable = ${s(disableList(o.files.plugins, [JANUS_STREAMING]))}
}
transports: {
  disable = ${s(disableList(o.files.transports, [JANUS_HTTP]))}
}
loggers: {
  disable = ${s(disableList(o.files.loggers, []))}
}
events: {
  broadcast = false
  disable = ${s(disableList(o.files.events, []))}
}
`;
  const http = `general: {
  json = "compact"
  base_path = "/janus"
  http = true
  ip = "127.0.0.1"
  port = ${o.httpPort}
  https = false
}
admin: {
  admin_http = false
  admin_https = false
}
cors: {
}
`;
  const m = o.mountpoint;
  const streaming = `general: {
  admin_key = ${s(o.streamingAdminKey)}
  events = false
}
wardwall-bench: {
  type = "rtp"
  id = ${m.id}
  description = "wardwall bench camera"
  audio = false
  video = true
  videoport = ${m.rtpPort}
  videoiface = "127.0.0.1"
  videopt = ${JANUS_RTP_PT}
  videocodec = "h264"
  videofmtp = "profile-level-id=42e01f;packetization-mode=1"
}
`;
  return { 'janus.jcfg': janus, 'janus.transport.http.jcfg': http, 'janus.plugin.streaming.jcfg': streaming };
}
