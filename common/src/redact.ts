/**
 * Camera URLs carry credentials (rtsp://user:pass@host/...). Nothing outside the ingest process
 * arguments may see them: logs use these helpers, browsers never get URLs at all.
 */
const URL_WITH_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@]*@)/gi;

/**
 * Resident camera secrets (common/src/residents.ts): push keys `rk_…`, the internal stream names
 * `rs_…` of pushed streams on the embedded endpoint and owner link tokens `ro_…`. Recognisable by their prefix so
 * every log line can drop them, wherever they appear (URL paths, library messages). Also the embedded
 * endpoint's publish keys `pk_…` of plain paths (sfu/src/endpoint/endpoint-secret.ts).
 */
const STREAM_SECRET = /\b(r[kso]_|pk_)[A-Za-z0-9_-]{8,}/g;

/** Replaces the user-info part of every URL in `text` with `***@`, and stream secrets with `rk_***`/`rs_***`. */
export function redactCredentials(text: string): string {
  return text.replace(URL_WITH_USERINFO, '$1***@').replace(STREAM_SECRET, '$1***');
}

/** A URL reduced to scheme, host and port, for log lines that need to say which camera host failed. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '<invalid url>';
  }
}
