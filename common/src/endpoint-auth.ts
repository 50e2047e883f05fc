/**
 * How the project's own pulls (SFU ingest, recorder) prove themselves to the embedded RTSP/RTMP
 * endpoint: the endpoint serves plays only to holders of an internal read secret, which they present
 * as RTSP Basic credentials in the URL's user-info (rtspsrc and ffmpeg answer the 401 challenge with
 * them). Pure and browser-safe; the secret itself lives in a 0600 file read by each process
 * (endpoint/src/endpoint-secret.ts) and never reaches a browser or a log line (log lines drop
 * URL user-info, see redact.ts).
 */

/** The credentials the endpoint accepts for plays (user name is fixed, the password is the secret). */
export interface EndpointReadAuth {
  user: string;
  password: string;
}

/** The RTSP user name of the internal pulls. */
export const ENDPOINT_PULL_USER = 'wardwall-pull';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Whether `url` points at the embedded endpoint's RTSP port (its host, or loopback). */
export function targetsEndpoint(url: string, endpoint: { host: string; rtspPort: number }): boolean {
  if (!URL.canParse(url)) return false;
  const u = new URL(url);
  if (u.protocol !== 'rtsp:') return false;
  const port = u.port === '' ? 554 : Number(u.port);
  if (port !== endpoint.rtspPort) return false;
  return LOOPBACK_NAMES.has(u.hostname) || u.hostname === endpoint.host || (endpoint.host === '0.0.0.0' && LOOPBACK_NAMES.has(u.hostname));
}

/**
 * The URL a pull opens: a URL on the embedded endpoint gets the internal read credentials as its
 * user-info (replacing any there); every other URL is returned unchanged. `auth` null: no endpoint.
 */
export function endpointPullUrl(url: string, endpoint: { host: string; rtspPort: number }, auth: EndpointReadAuth | null): string {
  if (!auth || !targetsEndpoint(url, endpoint)) return url;
  const u = new URL(url);
  u.username = encodeURIComponent(auth.user);
  u.password = encodeURIComponent(auth.password);
  return u.toString();
}
