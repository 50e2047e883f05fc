/**
 * Who may publish to the embedded endpoint. Three kinds of path (`live/<name>`):
 * - a resident camera's push key (`live/rk_…`): admitted only while that camera is approved; the
 *   stream is renamed to the camera's internal name (`live/rs_…`), which the SFU and the recorder
 *   pull (the key itself is stored only hashed, so nobody can pull by key);
 * - an internal name (`live/rs_…`): never published directly;
 * - any other name: only the open paths, those the configured cameras (and the demo cameras) pull
 *   from this endpoint, and only with that path's publish key (`pk_…`, derived from the endpoint
 *   secret: endpoint-secret.ts), presented as RTSP Basic credentials or as `?key=` on an RTMP name.
 * Refused publishers are disconnected and logged without their key. Admitted ones are re-checked
 * every `syncMs` and disconnected when their camera is paused, revoked, removed or re-keyed.
 * A publisher admitted on a path that another connection publishes takes it over: the older one is
 * disconnected (only a holder of the path's key gets that far), so two never feed one stream.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { classifyPublishPath, effectiveCameras, ENDPOINT_APP, pushAdmitted, type Config } from '@wardwall/common';
import { rowByPushKey, type ResidentDbReader, type ResidentSourceRow } from '@wardwall/common/node';
import { sameSecret } from './endpoint-secret.js';

export type PublishDecision =
  | { allow: true; rename: null }
  | { allow: true; rename: string; cameraId: string; streamToken: string }
  | { allow: false; reason: 'unknown_key' | 'camera_not_approved' | 'internal_path' | 'not_open' | 'registry_unavailable' | 'key_required' | 'wrong_key'; cameraId?: string };

/** How the publish key presented for a plain path compares with that path's key. */
export type PlainKeyCheck = (path: string) => 'ok' | 'missing' | 'wrong';

/** The decision for a publish on `path` (pure: the key lookup and the plain-path key check are handed in). */
export function decidePublish(path: string, openPaths: ReadonlySet<string>, lookup: (key: string) => ResidentSourceRow | null | undefined, plainKey: PlainKeyCheck = () => 'missing'): PublishDecision {
  const kind = classifyPublishPath(path);
  if (kind.kind === 'internal') return { allow: false, reason: 'internal_path' };
  if (kind.kind === 'plain') {
    if (!openPaths.has(kind.name)) return { allow: false, reason: 'not_open' };
    const k = plainKey(kind.name);
    return k === 'ok' ? { allow: true, rename: null } : { allow: false, reason: k === 'missing' ? 'key_required' : 'wrong_key' };
  }
  const row = lookup(kind.key);
  if (row === undefined) return { allow: false, reason: 'registry_unavailable' };
  if (!row || row.source !== 'push' || !row.streamToken) return { allow: false, reason: 'unknown_key' };
  if (!pushAdmitted(row)) return { allow: false, reason: 'camera_not_approved', cameraId: row.id };
  return { allow: true, rename: row.streamToken, cameraId: row.id, streamToken: row.streamToken };
}

/** Stream paths (`live/<name>`) that the config's cameras pull from the embedded endpoint. */
export function openPublishPaths(config: Readonly<Config>): string[] {
  const ports = new Set([String(config.endpoint.rtspPort)]);
  const hosts = new Set(['127.0.0.1', 'localhost', '[::1]', config.endpoint.host]);
  const out = new Set<string>();
  for (const cam of effectiveCameras(config)) {
    for (const url of [cam.main, cam.sub]) {
      if (!url || !URL.canParse(url)) continue;
      const u = new URL(url);
      if (u.protocol !== 'rtsp:' || !hosts.has(u.hostname) || !ports.has(u.port)) continue;
      out.add(u.pathname.replace(/^\/+/, '').replace(/\/+$/, ''));
    }
  }
  return [...out];
}

/** `live/<name>` of a request path like `/live/<name>/trackID=1` or `live/<name>?x`. */
export function streamPathOf(pathname: string): string {
  const parts = pathname.split('?')[0]!.replace(/^\/+/, '').split('/');
  return parts[0] === ENDPOINT_APP && parts[1] ? `${ENDPOINT_APP}/${parts[1]}` : parts.join('/').replace(/\/+$/, '');
}

interface Publisher {
  socket: Socket;
  cameraId: string;
  streamToken: string;
  protocol: 'rtsp' | 'rtmp';
}

/** What admit() needs to know about one publish attempt. */
export interface PublishAttempt {
  /** `live/<name>` as presented (a key path for residents). */
  path: string;
  socket: Socket;
  protocol: 'rtsp' | 'rtmp';
  /** The publish key presented for a plain path (RTSP Basic password, RTMP `?key=`), if any. */
  key?: string | null;
  /** Leave the socket open on refusal (the caller replies first); default: destroy it. */
  keepSocket?: boolean;
}

export class PublishGate {
  private readonly open: Set<string>;
  private readonly publishers = new Set<Publisher>();
  private readonly timer: NodeJS.Timeout | null;
  /** The connection publishing each stream (`live/<name>` as the library knows it). */
  private readonly live = new Map<string, Socket>();

  constructor(
    openPaths: readonly string[],
    private readonly reader: ResidentDbReader | null,
    private readonly log: Logger,
    syncMs: number,
    /** The publish key of a plain path (null: plain paths cannot be published at all). */
    private readonly keyOf: ((path: string) => string) | null = null,
  ) {
    this.open = new Set(openPaths);
    this.timer = reader ? setInterval(() => this.recheck(), syncMs) : null;
    this.timer?.unref();
  }

  /**
   * Decides a publish attempt; on refusal the socket is destroyed (unless `keepSocket`) and the
   * refusal logged. An admitted publisher takes its stream over from any other connection.
   */
  admit(a: PublishAttempt): PublishDecision {
    const { path, socket, protocol } = a;
    const keyOf = this.keyOf;
    const d = decidePublish(
      path,
      this.open,
      (key) => {
        if (!this.reader) return null;
        const found = this.reader.with((db) => ({ row: rowByPushKey(db, key) }));
        return found ? found.row : undefined;
      },
      (p) => (!a.key ? 'missing' : keyOf && sameSecret(a.key, keyOf(p)) ? 'ok' : 'wrong'),
    );
    if (!d.allow) {
      // The path may be a key: never log it.
      // A first RTSP ANNOUNCE without credentials is the normal start of a Basic challenge.
      this.log[d.reason === 'key_required' && a.keepSocket ? 'debug' : 'warn']({ protocol, remote: socket.remoteAddress, reason: d.reason, camera: d.cameraId ?? null }, 'publish refused');
      if (!a.keepSocket) socket.destroy();
      return d;
    }
    const stream = d.rename === null ? path : `${ENDPOINT_APP}/${d.rename}`;
    const previous = this.live.get(stream);
    if (previous && previous !== socket) {
      this.log.warn({ protocol, remote: socket.remoteAddress, camera: d.rename === null ? path : d.cameraId }, 'publisher replaced by a newer one with the key');
      previous.destroy();
    }
    if (previous !== socket) {
      this.live.set(stream, socket);
      socket.once('close', () => {
        if (this.live.get(stream) === socket) this.live.delete(stream);
      });
    }
    if (d.rename !== null && ![...this.publishers].some((p) => p.socket === socket && p.streamToken === d.streamToken)) {
      const pub: Publisher = { socket, cameraId: d.cameraId, streamToken: d.streamToken, protocol };
      this.publishers.add(pub);
      socket.once('close', () => this.publishers.delete(pub));
      this.log.info({ protocol, camera: d.cameraId, remote: socket.remoteAddress }, 'resident camera publishing');
    }
    return d;
  }

  /** Disconnects publishers whose camera may no longer publish (paused, revoked, removed, re-keyed). */
  recheck(): void {
    if (this.publishers.size === 0 || !this.reader) return;
    const rows = this.reader.rows();
    if (!rows) return;
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const p of this.publishers) {
      const row = byId.get(p.cameraId);
      if (row && pushAdmitted(row) && row.streamToken === p.streamToken) continue;
      this.publishers.delete(p);
      this.log.info({ protocol: p.protocol, camera: p.cameraId, reason: !row ? 'removed' : row.streamToken !== p.streamToken ? 'key_rotated' : row.status }, 'resident camera publisher disconnected');
      p.socket.destroy();
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.reader?.close();
  }
}
