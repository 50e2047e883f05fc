/**
 * The resident camera registry in the SFU's database: the table, its migrations and every write.
 * Secrets: the pull URL and the internal stream name are kept in clear (the services need them);
 * the push key and the owner link token are kept only as SHA-256 and shown once when generated.
 * `ResidentView` is what an administrator sees: no URL, no key, no token.
 */
import { randomBytes } from 'node:crypto';
import { AppError, CAMERA_ID, describeUrl, ErrorCode, statusChangeAllowed, type ResidentSource, type ResidentStatus, type ResidentView, type SharingMode } from '@wardwall/common';

export type { ResidentView };
import { hashSecret, readResidentRows, RESIDENT_TABLE, type ResidentSourceRow } from '@wardwall/common/node';
import { migrate, type AppDb } from '@wardwall/server-kit';
import type { CreateResident, UpdateResident } from './schema.js';

export const RESIDENT_MIGRATIONS = [
  `CREATE TABLE ${RESIDENT_TABLE} (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    owner_name TEXT NOT NULL,
    owner_contact TEXT NOT NULL,
    address TEXT NOT NULL,
    map_x REAL, map_y REAL, map_heading REAL,
    consent INTEGER NOT NULL,
    consent_date TEXT,
    sharing TEXT NOT NULL CHECK (sharing IN ('live_recorded', 'recorded_only', 'on_request')),
    retention_days REAL NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'paused', 'revoked')),
    status_by TEXT NOT NULL DEFAULT 'admin',
    source TEXT NOT NULL CHECK (source IN ('pull', 'push')),
    pull_url TEXT UNIQUE,
    push_key_hash TEXT UNIQUE,
    stream_token TEXT UNIQUE,
    owner_token_hash TEXT NOT NULL UNIQUE,
    note TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    status_at INTEGER NOT NULL,
    CHECK ((source = 'pull') = (pull_url IS NOT NULL)),
    CHECK ((source = 'push') = (push_key_hash IS NOT NULL AND stream_token IS NOT NULL))
  )`,
  // Owner links expire (links made before this version: 90 days after the camera's last change).
  `ALTER TABLE ${RESIDENT_TABLE} ADD COLUMN owner_token_expires_at INTEGER;
   UPDATE ${RESIDENT_TABLE} SET owner_token_expires_at = updated_at + 7776000000;`,
];

/** Secrets shown once, right after they are generated. */
export interface OneTimeSecrets {
  pushKey?: string;
  ownerToken?: string;
}

interface Row {
  id: string;
  name: string;
  owner_name: string;
  owner_contact: string;
  address: string;
  map_x: number | null;
  map_y: number | null;
  map_heading: number | null;
  consent: number;
  consent_date: string | null;
  sharing: SharingMode;
  retention_days: number;
  status: ResidentStatus;
  status_by: 'admin' | 'owner';
  source: ResidentSource;
  pull_url: string | null;
  note: string;
  created_at: number;
  updated_at: number;
  status_at: number;
  owner_token_expires_at: number | null;
}

export const newPushKey = (): string => `rk_${randomBytes(32).toString('base64url')}`;
export const newStreamToken = (): string => `rs_${randomBytes(24).toString('base64url')}`;
export const newOwnerToken = (): string => `ro_${randomBytes(32).toString('base64url')}`;

function toView(r: Row): ResidentView {
  return {
    id: r.id,
    name: r.name,
    ownerName: r.owner_name,
    ownerContact: r.owner_contact,
    address: r.address,
    position: r.map_x !== null && r.map_y !== null ? { x: r.map_x, y: r.map_y, ...(r.map_heading !== null ? { heading: r.map_heading } : {}) } : null,
    consent: r.consent === 1,
    consentDate: r.consent_date,
    sharing: r.sharing,
    retentionDays: r.retention_days,
    status: r.status,
    statusBy: r.status_by,
    statusAt: r.status_at,
    ownerLinkExpiresAt: r.owner_token_expires_at,
    source: r.source,
    pullHost: r.pull_url ? describeUrl(r.pull_url) : null,
    note: r.note,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class ResidentStore {
  constructor(
    private readonly db: AppDb,
    /** Ids taken by cameras of the config (a resident camera may not reuse one). */
    private readonly reservedIds: () => ReadonlySet<string>,
    private readonly defaults: { retentionDays: number; ownerLinkMs?: number },
    private readonly now: () => number = Date.now,
  ) {
    migrate(db, 'residents', RESIDENT_MIGRATIONS);
  }

  list(): ResidentView[] {
    return (this.db.prepare(`SELECT * FROM ${RESIDENT_TABLE} ORDER BY created_at, id`).all() as Row[]).map(toView);
  }

  get(id: string): ResidentView | null {
    const r = this.db.prepare(`SELECT * FROM ${RESIDENT_TABLE} WHERE id = ?`).get(id) as Row | undefined;
    return r ? toView(r) : null;
  }

  private require(id: string): ResidentView {
    const v = CAMERA_ID.test(id) ? this.get(id) : null;
    if (!v) throw new AppError(ErrorCode.NOT_FOUND, `no resident camera "${id.slice(0, 64)}"`, 404);
    return v;
  }

  /** The rows the services run from (with their secrets: server side only). */
  sourceRows(): ResidentSourceRow[] {
    return readResidentRows(this.db);
  }

  create(input: CreateResident): { camera: ResidentView; secrets: OneTimeSecrets } {
    const id = input.id ?? this.freeId();
    if (this.reservedIds().has(id) || this.get(id)) throw new AppError(ErrorCode.CONFLICT, `id: a camera "${id}" exists already`, 409);
    if (input.source.type === 'pull') this.assertUrlFree(input.source.url, null);
    const now = this.now();
    const ownerToken = newOwnerToken();
    const pushKey = input.source.type === 'push' ? newPushKey() : null;
    this.db
      .prepare(
        `INSERT INTO ${RESIDENT_TABLE} (id, name, owner_name, owner_contact, address, map_x, map_y, map_heading, consent, consent_date, sharing,
          retention_days, status, source, pull_url, push_key_hash, stream_token, owner_token_hash, note, created_at, updated_at, status_at, owner_token_expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.name,
        input.ownerName,
        input.ownerContact,
        input.address,
        input.position?.x ?? null,
        input.position?.y ?? null,
        input.position?.heading ?? null,
        input.consent ? 1 : 0,
        input.consentDate ?? null,
        input.sharing,
        input.retentionDays ?? this.defaults.retentionDays,
        input.source.type,
        input.source.type === 'pull' ? input.source.url : null,
        pushKey ? hashSecret(pushKey) : null,
        pushKey ? newStreamToken() : null,
        hashSecret(ownerToken),
        input.note ?? '',
        now,
        now,
        now,
        now + this.ownerLinkMs,
      );
    return { camera: this.require(id), secrets: { ownerToken, ...(pushKey ? { pushKey } : {}) } };
  }

  update(id: string, patch: UpdateResident): ResidentView {
    const cur = this.require(id);
    if (patch.url !== undefined) {
      if (cur.source !== 'pull') throw new AppError(ErrorCode.INVALID_FIELD, 'url: only pull cameras have a URL (push cameras rotate their key)');
      this.assertUrlFree(patch.url, id);
    }
    const sets: string[] = [];
    const args: unknown[] = [];
    const set = (col: string, v: unknown) => {
      sets.push(`${col} = ?`);
      args.push(v);
    };
    if (patch.name !== undefined) set('name', patch.name);
    if (patch.ownerName !== undefined) set('owner_name', patch.ownerName);
    if (patch.ownerContact !== undefined) set('owner_contact', patch.ownerContact);
    if (patch.address !== undefined) set('address', patch.address);
    if (patch.position !== undefined) {
      set('map_x', patch.position?.x ?? null);
      set('map_y', patch.position?.y ?? null);
      set('map_heading', patch.position?.heading ?? null);
    }
    if (patch.consent !== undefined) set('consent', patch.consent ? 1 : 0);
    if (patch.consentDate !== undefined) set('consent_date', patch.consentDate);
    if (patch.sharing !== undefined) set('sharing', patch.sharing);
    if (patch.retentionDays !== undefined) set('retention_days', patch.retentionDays);
    if (patch.note !== undefined) set('note', patch.note);
    if (patch.url !== undefined) set('pull_url', patch.url);
    // Withdrawing consent withdraws the camera.
    if (patch.consent === false && (cur.status === 'approved' || cur.status === 'paused')) {
      set('status', 'pending');
      set('status_at', this.now());
    }
    set('updated_at', this.now());
    this.db.prepare(`UPDATE ${RESIDENT_TABLE} SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
    return this.require(id);
  }

  setStatus(id: string, status: ResidentStatus, by: 'admin' | 'owner'): ResidentView {
    const cur = this.require(id);
    if (!statusChangeAllowed(cur.status, status, by, cur.statusBy)) {
      const why = by === 'owner' && cur.statusBy === 'admin' && cur.status === 'paused' ? ' (the station paused it; only the station can resume it)' : '';
      throw new AppError(ErrorCode.BAD_STATE, `status: cannot change from ${cur.status} to ${status}${why}`, 409);
    }
    if (status === 'approved' && (!cur.consent || !cur.consentDate)) throw new AppError(ErrorCode.BAD_STATE, 'consent: the owner\'s consent and its date are required before approval', 409);
    if (cur.status === status) return cur;
    const now = this.now();
    this.db.prepare(`UPDATE ${RESIDENT_TABLE} SET status = ?, status_by = ?, status_at = ?, updated_at = ? WHERE id = ?`).run(status, by, now, now, id);
    return this.require(id);
  }

  /** A new push key (the old one stops working at once) and a new internal stream name. */
  rotateKey(id: string): { camera: ResidentView; secrets: OneTimeSecrets } {
    const cur = this.require(id);
    if (cur.source !== 'push') throw new AppError(ErrorCode.BAD_STATE, 'source: only push cameras have a stream key', 409);
    const pushKey = newPushKey();
    this.db.prepare(`UPDATE ${RESIDENT_TABLE} SET push_key_hash = ?, stream_token = ?, updated_at = ? WHERE id = ?`).run(hashSecret(pushKey), newStreamToken(), this.now(), id);
    return { camera: this.require(id), secrets: { pushKey } };
  }

  /** A new owner link (the old one stops working). */
  rotateOwnerToken(id: string): { camera: ResidentView; secrets: OneTimeSecrets } {
    this.require(id);
    const ownerToken = newOwnerToken();
    this.db.prepare(`UPDATE ${RESIDENT_TABLE} SET owner_token_hash = ?, owner_token_expires_at = ?, updated_at = ? WHERE id = ?`).run(hashSecret(ownerToken), this.now() + this.ownerLinkMs, this.now(), id);
    return { camera: this.require(id), secrets: { ownerToken } };
  }

  private get ownerLinkMs(): number {
    return this.defaults.ownerLinkMs ?? 90 * 86_400_000;
  }

  /** The camera an owner link opens (while the link has not expired), or null. */
  byOwnerToken(token: string): ResidentView | null {
    const r = this.db.prepare(`SELECT * FROM ${RESIDENT_TABLE} WHERE owner_token_hash = ? AND owner_token_expires_at > ?`).get(hashSecret(token), this.now()) as Row | undefined;
    return r ? toView(r) : null;
  }

  remove(id: string): void {
    this.require(id);
    this.db.prepare(`DELETE FROM ${RESIDENT_TABLE} WHERE id = ?`).run(id);
  }

  private assertUrlFree(url: string, exceptId: string | null): void {
    const other = this.db.prepare(`SELECT id FROM ${RESIDENT_TABLE} WHERE pull_url = ? AND id IS NOT ?`).get(url, exceptId) as { id: string } | undefined;
    if (other) throw new AppError(ErrorCode.CONFLICT, `url: resident camera "${other.id}" has this URL already`, 409);
  }

  private freeId(): string {
    for (;;) {
      const id = `res-${randomBytes(4).toString('hex')}`;
      if (!this.get(id) && !this.reservedIds().has(id)) return id;
    }
  }
}
