/**
 * A service's connection to its NATS server (a centre service to the hub, a ward service to its
 * leaf): user and password from the service's config (never logged), reconnecting forever, since the
 * server may restart under a long-running service.
 */
import { connect, type NatsConnection } from 'nats';

export interface NatsConnectOptions {
  /** host:port of the client port. */
  server: string;
  user: string;
  password: string;
  /** Shown in the server's connection list, e.g. "wardwall-sfu w1". */
  name?: string;
  /** Between reconnection attempts, ms. */
  reconnectWaitMs?: number;
}

export class NatsConnectError extends Error {
  constructor(
    readonly code: 'NATS_UNREACHABLE' | 'NATS_AUTH',
    message: string,
  ) {
    super(message);
  }
}

export async function connectNats(opts: NatsConnectOptions): Promise<NatsConnection> {
  try {
    return await connect({ servers: opts.server, user: opts.user, pass: opts.password, name: opts.name, maxReconnectAttempts: -1, reconnectTimeWait: opts.reconnectWaitMs ?? 1000 });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'AUTHORIZATION_VIOLATION') throw new NatsConnectError('NATS_AUTH', `NATS at ${opts.server} refused user "${opts.user}"`);
    throw new NatsConnectError('NATS_UNREACHABLE', `NATS at ${opts.server} cannot be reached (${code ?? (e as Error).message})`);
  }
}
