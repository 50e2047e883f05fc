/**
 * Keeps the live camera registry in step with the resident registry: approved cameras that share
 * live are ingested like any camera, paused ones are listed as held ('paused', no ingest), every
 * other one (pending, revoked, recorded only, on request, removed) is not on the wall at all.
 * Runs after each registry write; runs are serialised.
 */
import type { Logger } from 'pino';
import { onWall, type CameraConfig } from '@wardwall/common';
import { residentCameraConfig, type ResidentSourceRow } from '@wardwall/common/node';
import type { CameraExtras, CameraRegistry } from '../media/camera-registry.js';

export interface WallEntry {
  config: CameraConfig;
  extras: CameraExtras;
}

/** The wall's resident cameras for these rows (pure). */
export function wallEntries(rows: readonly ResidentSourceRow[], endpoint: { host: string; rtspPort: number }): WallEntry[] {
  const out: WallEntry[] = [];
  for (const row of rows) {
    if (!onWall(row)) continue;
    const config = residentCameraConfig(row, endpoint);
    if (!config) continue;
    out.push({ config, extras: { resident: { owner: row.ownerName, sharing: row.sharing }, ...(row.status === 'paused' ? { hold: 'paused' as const } : {}) } });
  }
  return out;
}

export class ResidentWallSync {
  /** Resident cameras in the registry, with the fingerprint they were added with. */
  private readonly present = new Map<string, string>();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly cameras: CameraRegistry,
    private readonly rows: () => ResidentSourceRow[],
    private readonly endpoint: { host: string; rtspPort: number },
    private readonly log: Logger,
  ) {}

  /** Brings the registry in line with the rows; resolves when done. */
  sync(): Promise<void> {
    this.chain = this.chain.then(() => this.run()).catch((e) => this.log.error({ err: e }, 'resident cameras: wall sync failed'));
    return this.chain;
  }

  private async run(): Promise<void> {
    if (this.closed) return;
    const wanted = new Map(wallEntries(this.rows(), this.endpoint).map((e) => [e.config.id, e]));
    for (const id of [...this.present.keys()]) {
      if (wanted.has(id)) continue;
      this.present.delete(id);
      await this.cameras.remove(id);
      this.log.info({ camera: id }, 'resident camera left the wall');
    }
    for (const [id, entry] of wanted) {
      const fp = JSON.stringify(entry);
      if (this.present.get(id) === fp) continue;
      if (!this.present.has(id) && this.cameras.has(id)) continue; // a config camera owns this id
      this.present.set(id, fp);
      await this.cameras.upsert(entry.config, entry.extras);
      this.log.info({ camera: id, held: entry.extras.hold ?? null }, 'resident camera on the wall');
    }
  }

  close(): void {
    this.closed = true;
  }
}
