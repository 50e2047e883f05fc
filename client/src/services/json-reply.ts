/**
 * Reading the SFU's and the recorder's JSON replies: the body (null when it is not JSON) and, for a
 * failed reply, the server's coded error `{code, message, retryAfterS?}` — or `HTTP_<status>` and
 * the status text when the reply carries none (a proxy's page, an empty body). One place, so every
 * service reports refusals the same way.
 */
export interface ReplyError {
  code: string;
  message: string;
  status: number;
  /** Seconds until a retry is allowed (body `retryAfterS` or the Retry-After header), else null. */
  retryAfterS: number | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function readJson(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return null;
  }
}

/** The error a failed reply stands for. Pure. */
export function replyError(res: Pick<Response, 'status' | 'statusText' | 'headers'>, body: unknown): ReplyError {
  const b = isObj(body) ? body : {};
  const retry = typeof b.retryAfterS === 'number' ? b.retryAfterS : Number(res.headers.get('retry-after')) || null;
  return {
    code: typeof b.code === 'string' ? b.code : `HTTP_${res.status}`,
    message: typeof b.message === 'string' ? b.message : res.statusText || `HTTP ${res.status}`,
    status: res.status,
    retryAfterS: retry,
  };
}

/**
 * One same-origin JSON call: `body` (when given) sent as JSON, the parsed reply returned; a refused
 * reply throws what `fail` makes of its coded error (each service keeps its own error class).
 */
export async function callJson(fetchFn: typeof fetch, method: string, path: string, body: unknown, fail: (e: ReplyError) => Error): Promise<unknown> {
  const res = await fetchFn(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await readJson(res);
  if (!res.ok) throw fail(replyError(res, json));
  return json;
}
