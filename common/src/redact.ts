/**
 * Camera URLs carry credentials (rtsp://user:pass@host/...). Nothing outside the ingest process
 * arguments may see them: logs use these helpers, browsers never get URLs at all.
 */
const URL_WITH_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@]*@)/gi;

/** Replaces the user-info part of every URL in `text` with `***@`. */
export function redactCredentials(text: string): string {
  return text.replace(URL_WITH_USERINFO, '$1***@');
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
