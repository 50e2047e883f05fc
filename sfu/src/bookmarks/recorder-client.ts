/**
 * A small JSON client for the recorder's own HTTP API (holds, exports), used server-side by the
 * bookmarks feature. Errors: RecorderCallError with the recorder's status and code when it sent one;
 * status 0 when it did not answer.
 */
import type { ServiceActor } from '@wardwall/accounts';

export interface RecorderTarget {
  host: string;
  port: number;
  /** Credentials of the SFU's own calls (the service token when access control is on), made for `actor` when given. */
  headers?: (actor?: ServiceActor) => Record<string, string>;
}

export class RecorderCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'RecorderCallError';
  }
}

/** `actor`: the user the call is made for (the recorder audits it under their name). */
export async function recorderJson(target: RecorderTarget, method: string, path: string, body?: unknown, okStatuses: readonly number[] = [], actor?: ServiceActor): Promise<unknown> {
  const host = target.host === '0.0.0.0' ? '127.0.0.1' : target.host;
  let res: Response;
  try {
    res = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${target.port}${path}`, {
      method,
      headers: { ...(target.headers?.(actor) ?? {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10000),
    });
  } catch (e) {
    throw new RecorderCallError(`recorder does not answer (${e instanceof Error ? e.message : String(e)})`, 0, null);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? (JSON.parse(text) as unknown) : null;
  } catch {
    throw new RecorderCallError('recorder: reply is not JSON', res.status, null);
  }
  if (!res.ok && !okStatuses.includes(res.status)) {
    const o = (json ?? {}) as { code?: unknown; message?: unknown };
    const where = path.split('?')[0]!.split('/').slice(0, 3).join('/');
    throw new RecorderCallError(`recorder: ${method} ${where}: ${res.status} ${typeof o.message === 'string' ? o.message.slice(0, 200) : ''}`, res.status, typeof o.code === 'string' ? o.code : null);
  }
  return json;
}
