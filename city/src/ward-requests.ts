/**
 * Requests from the centre to a ward over NATS request/reply, on `city.<ward>.req.<op>`. Every op
 * declares zod schemas for its request and reply body; both ends check them. A reply is
 * `{ ok: true, body }` or `{ ok: false, code, message }`, and the asking side turns failures
 * (including no ward answering, a timeout and a reply that does not fit) into a `WardRequestError`
 * with a code. The ward's handler never crashes the ward: a throwing handler answers INTERNAL.
 *
 * Ops now: `cameras.list`; `watch` / `unwatch` (a central viewer starts / stops watching: checked and audited at the ward); `pipe.open` / `pipe.close` (a mediasoup PipeTransport for one camera
 * stream, docs/city-media.md; a refusal of the pipe itself is a normal reply `{error: {code,
 * message}}` so that its PIPE_* code reaches the centre).
 */
import { z } from 'zod';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { redactCredentials } from '@wardwall/common';
import type { Logger } from '@wardwall/server-kit';
import { cameraRecordSchema, decodeJson, encodeJson, wardRequestSubject } from './city-protocol.js';
import { PipeCloseRequestSchema, PipeErrorReplySchema, PipeOpenReplySchema, PipeOpenRequestSchema, WatchReplySchema, WatchRequestSchema } from './pipe-protocol.js';
import { alertsListReplySchema, alertsListRequestSchema } from './ward-events.js';

export const WardRequestCode = {
  /** The request body does not fit the op's schema (the message names the field). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The ward does not know this op (an older ward, or a typo). */
  UNKNOWN_OP: 'UNKNOWN_OP',
  /** The ward's handler failed. */
  INTERNAL: 'INTERNAL',
  /** Nobody answers for this ward (link down or ward stopped), or not in time. */
  WARD_UNREACHABLE: 'WARD_UNREACHABLE',
  /** The ward answered something that does not fit the op's reply schema. */
  BAD_REPLY: 'BAD_REPLY',
} as const;
export type WardRequestCode = (typeof WardRequestCode)[keyof typeof WardRequestCode];

export class WardRequestError extends Error {
  constructor(
    readonly code: WardRequestCode,
    message: string,
  ) {
    super(message);
    this.name = 'WardRequestError';
  }
}

/** The ops a ward answers: request and reply schemas. */
export const wardOps = {
  'cameras.list': {
    request: z.object({}).strict(),
    reply: z.object({ cameras: z.array(cameraRecordSchema) }).strict(),
  },
  'pipe.open': {
    request: PipeOpenRequestSchema,
    reply: z.union([PipeOpenReplySchema, PipeErrorReplySchema]),
  },
  'watch': {
    request: WatchRequestSchema,
    reply: WatchReplySchema,
  },
  /** The same central viewer stopped watching (the ward audits `live_stop`). */
  'unwatch': {
    request: WatchRequestSchema,
    reply: WatchReplySchema,
  },
  'pipe.close': {
    request: PipeCloseRequestSchema,
    reply: z.union([z.object({ closed: z.boolean() }).strict(), PipeErrorReplySchema]),
  },
  /** The ward's open and acknowledged alerts (the centre's resync after the ward came back online). */
  'alerts.list': {
    request: alertsListRequestSchema,
    reply: alertsListReplySchema,
  },
} as const;
export type WardOp = keyof typeof wardOps;
export type WardOpRequest<O extends WardOp> = z.infer<(typeof wardOps)[O]['request']>;
export type WardOpReply<O extends WardOp> = z.infer<(typeof wardOps)[O]['reply']>;
/** The ops this ward serves; an op without a handler is answered UNKNOWN_OP (e.g. no pipes: no SFU). */
export type WardHandlers = { [O in WardOp]?: (body: WardOpRequest<O>) => WardOpReply<O> | Promise<WardOpReply<O>> };

const replySchema = z.union([
  z.object({ ok: z.literal(true), body: z.unknown() }).strict(),
  z.object({ ok: z.literal(false), code: z.string().max(64), message: z.string().max(2000) }).strict(),
]);

const isOp = (op: string): op is WardOp => Object.hasOwn(wardOps, op);

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'invalid';
}

/** The reply a ward sends for a request `data` on op `op`: pure apart from the handler call. */
export async function answerWardRequest(handlers: WardHandlers, op: string, data: Uint8Array): Promise<Uint8Array> {
  const fail = (code: WardRequestCode, message: string) => encodeJson({ ok: false, code, message });
  if (!isOp(op) || !handlers[op]) return fail('UNKNOWN_OP', `unknown op "${op.slice(0, 64)}"`);
  let json: unknown;
  try {
    json = data.length === 0 ? {} : JSON.parse(new TextDecoder().decode(data));
  } catch {
    return fail('BAD_REQUEST', 'the request body is not JSON');
  }
  const spec = wardOps[op];
  const parsed = spec.request.safeParse(json);
  if (!parsed.success) return fail('BAD_REQUEST', describeIssue(parsed.error));
  try {
    const body = await (handlers[op] as (b: unknown) => unknown)(parsed.data);
    // The ward checks its own answer too: a reply that would not fit is its bug, not the centre's.
    const checked = spec.reply.safeParse(body);
    if (!checked.success) return fail('INTERNAL', `the ward's reply does not fit: ${describeIssue(checked.error)}`);
    return encodeJson({ ok: true, body: checked.data });
  } catch (e) {
    // A handler's message may quote what it failed on (a camera URL): scrubbed before it leaves.
    return fail('INTERNAL', e instanceof Error ? redactCredentials(e.message).slice(0, 500) : 'handler failed');
  }
}

/**
 * Answers the requests for `ward` on connection `nc` (the ward's local leaf node, so the ward's own
 * services reach it when the link is down). Returns the subscription; unsubscribe to stop.
 */
export function serveWardRequests(nc: NatsConnection, ward: string, handlers: WardHandlers, log?: Logger): Subscription {
  const prefix = wardRequestSubject(ward, '');
  return nc.subscribe(wardRequestSubject(ward, '>'), {
    queue: `ward-${ward}`,
    callback: (err: Error | null, msg: Msg) => {
      if (err) {
        log?.warn({ err }, 'city: ward request subscription failed');
        return;
      }
      const op = msg.subject.slice(prefix.length);
      void answerWardRequest(handlers, op, msg.data).then(
        (reply) => msg.respond(reply),
        (e) => log?.warn({ err: e, op }, 'city: ward request not answered'),
      );
    },
  });
}

/** Asks `ward` for `op`; the reply body checked by the op's schema. Throws `WardRequestError`. */
export async function requestWard<O extends WardOp>(nc: NatsConnection, ward: string, op: O, body: WardOpRequest<O>, timeoutMs = 3000): Promise<WardOpReply<O>> {
  const spec = wardOps[op];
  const req = spec.request.safeParse(body);
  if (!req.success) throw new WardRequestError('BAD_REQUEST', describeIssue(req.error));
  let msg: Msg;
  try {
    msg = await nc.request(wardRequestSubject(ward, op), encodeJson(req.data), { timeout: timeoutMs });
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new WardRequestError('WARD_UNREACHABLE', code === '503' ? `ward ${ward} is not reachable (no responders)` : `ward ${ward} did not answer within ${timeoutMs} ms`);
  }
  const reply = decodeJson(msg.data, replySchema);
  if (!reply) throw new WardRequestError('BAD_REPLY', `ward ${ward} sent a reply that is not an envelope`);
  if (!reply.ok) {
    const known = Object.values(WardRequestCode) as string[];
    throw new WardRequestError(known.includes(reply.code) ? (reply.code as WardRequestCode) : 'INTERNAL', reply.message);
  }
  const out = spec.reply.safeParse(reply.body);
  if (!out.success) throw new WardRequestError('BAD_REPLY', `ward ${ward}: ${describeIssue(out.error)}`);
  return out.data as WardOpReply<O>;
}
