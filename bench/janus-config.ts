/**
 * The configuration of the reference Janus the latency bench runs (bench/janus-reference.ts), as
 * file texts (pure: no I/O). Janus gets only what the bench needs and listens only on loopback:
 * - the HTTP transport on 127.0.0.1:<port>, every request needing the API secret; no admin API,
 *   no HTTPS, every other transport, event handler and logger disabled;
 * - the streaming plugin alone (every other plugin disabled), with an admin key so that its API
 *   cannot create or change mountpoints, and one RTSP mountpoint pulling the bench's demo camera
 *   with the endpoint's internal read credentials (so they are in a 0600 file, never on a command
 *   line; the watch API does not return them);
 * - ICE gathering only on the loopback interface, RTP sockets bound to 127.0.0.1.
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
  mountpoint: { id: number; url: string; user: string; password: string };
  /** Janus's log verbosity (0-7). */
  debugLevel?: number;
}

export const JANUS_STREAMING = 'libjanus_streaming.so';
export const JANUS_HTTP = 'libjanus_http.so';

/** The files of Janus's config folder: name → text. */
export function janusConfigFiles(o: JanusConfigOptions): Record<string, string> {
  for (const [k, v] of Object.entries({ apiSecret: o.apiSecret, adminSecret: o.adminSecret, streamingAdminKey: o.streamingAdminKey })) {
    if (v.length < 16) throw new Error(`janus config: ${k} is too short`);
  }
  if (!Number.isInteger(o.httpPort) || o.httpPort < 1 || o.httpPort > 65535) throw new Error(`janus config: bad HTTP port ${o.httpPort}`);
  const url = new URL(o.mountpoint.url);
  if (url.protocol !== 'rtsp:' || url.username || url.password) throw new Error('janus config: the mountpoint URL must be rtsp:// without credentials (they go in rtsp_user/rtsp_pwd)');
  if (url.hostname !== '127.0.0.1') throw new Error('janus config: the mountpoint must pull from 127.0.0.1');
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
  ice_enforce_list = "lo"
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
  type = "rtsp"
  id = ${m.id}
  description = "wardwall bench camera"
  audio = false
  video = true
  url = ${s(m.url)}
  rtsp_user = ${s(m.user)}
  rtsp_pwd = ${s(m.password)}
  rtspiface = "127.0.0.1"
  rtsp_failcheck = false
  rtsp_reconnect_delay = 2
}
`;
  return { 'janus.jcfg': janus, 'janus.transport.http.jcfg': http, 'janus.plugin.streaming.jcfg': streaming };
}
