/**
 * The station's cameras, managed live: the stored list (camera-store.ts) is the truth; every
 * change is validated, written together with its audit entry (one transaction: not audited, not
 * done), then applied to the running registry. Only the changed camera's ingest restarts: the
 * registry keeps the others' streams (and their viewers' consumers) as they are. The recorder
 * follows the same table on its own (recorder/src/station-cameras.ts).
 *
 * `create({name, main, sub})` is the entry point for other features that add cameras (ONVIF
 * discovery): the id is derived from the name.
 */
import type { Logger } from 'pino';
import { AppError, cameraConfigSchema, CAMERA_ID, describeUrl, diffCameraLists, ErrorCode, keepStoredPassword, PASSWORD_MASK, resolveNeighbours, type CameraConfig } from '@wardwall/common';
import { stationCameraConfig } from '@wardwall/common/node';
import type { AuditLog } from '@wardwall/accounts';
import type { CameraRegistry } from '../media/camera-registry.js';
import { CameraStore, fieldsOf, type CameraFields } from './camera-store.js';
import { cameraIdFor, runningCameras, seedPlan } from './camera-plan.js';
import { demoView, stationView, type CameraView } from './camera-view.js';

type Actor = Parameters<AuditLog['record']>[0];

export interface NewCamera {
  /** Derived from the name when absent. */
  id?: string | undefined;
  name: string;
  main: string;
  sub?: string | null | undefined;
  transcode?: boolean | 'auto' | undefined;
  audio?: boolean | null | undefined;
  enabled?: boolean | undefined;
  /** Pan/tilt/zoom through ONVIF (an ONVIF-discovered camera with a PTZ profile; never shown back). */
  onvif?: CameraConfig['onvif'];
}

export type CameraPatch = Partial<Omit<NewCamera, 'id' | 'onvif'>>;

export interface CameraManagerDeps {
  store: CameraStore;
  registry: CameraRegistry;
  /** The config's demo cameras (listed, not stored, not editable). */
  demo: readonly CameraConfig[];
  audit: AuditLog;
  log: Logger;
  neighbourDistance: number;
  /** Ids used by other camera kinds (resident cameras): refused for new cameras. */
  reservedIds: () => readonly string[];
}

export class CameraManager {
  private applied: CameraConfig[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: CameraManagerDeps) {}

  /** First start seeds the list from the config (once); then the stored list runs. */
  async start(configCameras: readonly CameraConfig[]): Promise<void> {
    const { store, log } = this.deps;
    const plan = seedPlan(store.seeded() ? store.list().map(stationCameraConfig) : null, configCameras);
    if (plan.seed) {
      store.seed(plan.seed);
      log.info({ cameras: plan.seed.map((c) => c.id) }, 'camera list seeded from the config file (first start)');
    } else if (plan.ignored.length) {
      log.warn({ cameras: plan.ignored }, 'config file cameras differ from the stored camera list: the stored list is used (manage cameras in the admin page; docs/cameras.md)');
    }
    await this.sync();
  }

  /** What runs now: enabled stored cameras, then the demo cameras. */
  running(): CameraConfig[] {
    return runningCameras(
      this.deps.store.list().filter((r) => r.enabled === 1).map(stationCameraConfig),
      this.deps.demo,
    );
  }

  list(): CameraView[] {
    const status = (id: string) => (this.deps.registry.has(id) ? (this.deps.registry.stream(id, 'main')?.status ?? null) : null);
    const stored = this.deps.store.list();
    const ids = new Set(stored.map((r) => r.id));
    return [...stored.map((r) => stationView(r, status(r.id))), ...this.deps.demo.filter((c) => !ids.has(c.id)).map((c) => demoView(c, status(c.id)))];
  }

  view(id: string): CameraView {
    const v = this.list().find((c) => c.id === id);
    if (!v) throw new AppError(ErrorCode.UNKNOWN_CAMERA, `no camera ${id}`, 404);
    return v;
  }

  /** Adds a camera (admin page, ONVIF discovery) and starts it when enabled. */
  async create(by: Actor, input: NewCamera): Promise<CameraView> {
    const { store, audit } = this.deps;
    const taken = this.takenIds();
    const id = input.id ?? cameraIdFor(input.name, taken);
    if (!CAMERA_ID.test(id)) throw new AppError(ErrorCode.INVALID_FIELD, 'id: lower-case letters, digits, "-" or "_", at most 64', 400);
    if (taken.has(id)) throw new AppError(ErrorCode.CONFLICT, `camera ${id} exists already`, 409);
    if ([input.main, input.sub].some((u) => u && hasMask(u))) throw new AppError(ErrorCode.BAD_URL, `a new camera's URL cannot carry the password mask ${PASSWORD_MASK}`, 400);
    const fields: CameraFields = { name: input.name, main: input.main, sub: input.sub ?? undefined, transcode: input.transcode ?? 'auto', audio: input.audio ?? undefined, enabled: input.enabled ?? true };
    validate(id, fields, undefined, input.onvif);
    store.db.transaction(() => {
      store.insert(id, fields, input.onvif ? { onvif: input.onvif } : {});
      audit.record(by, 'camera_add', id, { name: fields.name, host: describeUrl(fields.main), sub: fields.sub !== undefined, transcode: fields.transcode, enabled: fields.enabled, ...(input.onvif ? { ptz: true } : {}) });
    })();
    await this.sync();
    return this.view(id);
  }

  /** Edits a stored camera; a URL with the mask keeps the stored password. */
  async update(by: Actor, id: string, patch: CameraPatch): Promise<CameraView> {
    const { store, audit } = this.deps;
    const row = store.get(id);
    if (!row) throw this.notStored(id);
    const old = stationCameraConfig(row);
    const before = { ...fieldsOf(old, row.enabled === 1) };
    const main = patch.main === undefined ? old.main : keepStoredPassword(patch.main, old.main);
    const sub = patch.sub === undefined ? old.sub : patch.sub === null ? undefined : keepStoredPassword(patch.sub, old.sub ?? undefined);
    if ([main, sub].some((u) => u && hasMask(u))) throw new AppError(ErrorCode.BAD_URL, `the password mask ${PASSWORD_MASK} stands for a stored password: this URL has none (type the password)`, 400);
    const after: CameraFields = {
      name: patch.name ?? old.name,
      main,
      sub,
      transcode: patch.transcode ?? old.transcode,
      audio: patch.audio === undefined ? old.audio : (patch.audio ?? undefined),
      enabled: patch.enabled ?? row.enabled === 1,
    };
    validate(id, after, old);
    const changed = changedFields(before, after);
    if (!changed.length) return this.view(id);
    const action = changed.length === 1 && changed[0] === 'enabled' ? (after.enabled ? 'camera_enable' : 'camera_disable') : 'camera_edit';
    store.db.transaction(() => {
      store.update(id, after);
      // Field names only: URLs (credentials) never go into the trail; a URL change names the host.
      audit.record(by, action, id, { name: after.name, fields: changed, ...(changed.includes('main') ? { host: describeUrl(after.main) } : {}), enabled: after.enabled });
    })();
    await this.sync();
    return this.view(id);
  }

  async remove(by: Actor, id: string): Promise<void> {
    const { store, audit } = this.deps;
    const row = store.get(id);
    if (!row) throw this.notStored(id);
    store.db.transaction(() => {
      store.remove(id);
      audit.record(by, 'camera_remove', id, { name: row.name });
    })();
    await this.sync();
  }

  /** The stored URL of a camera's stream (for the Test of an edited URL that keeps the password). */
  storedUrl(id: string, stream: 'main' | 'sub'): string | undefined {
    const row = this.deps.store.get(id);
    return row ? ((stream === 'main' ? row.main : row.sub) ?? undefined) : undefined;
  }

  /** Applies the stored list to the registry: only added, changed and removed cameras are touched. */
  sync(): Promise<void> {
    const run = this.chain.then(() => this.apply());
    this.chain = run.catch((e: unknown) => this.deps.log.error({ err: e }, 'applying the camera list failed'));
    return run;
  }

  private async apply(): Promise<void> {
    const { registry, log } = this.deps;
    const want = this.running();
    const d = diffCameraLists(this.applied, want);
    for (const id of d.removed) await registry.remove(id);
    for (const c of [...d.added, ...d.changed]) await registry.upsert(c);
    this.applied = want;
    registry.setNeighbours(resolveNeighbours(want, this.deps.neighbourDistance));
    if (d.added.length || d.changed.length || d.removed.length) {
      log.info({ added: d.added.map((c) => c.id), changed: d.changed.map((c) => c.id), removed: d.removed }, 'camera list applied');
    }
  }

  private takenIds(): Set<string> {
    return new Set([...this.deps.store.list().map((r) => r.id), ...this.deps.demo.map((c) => c.id), ...this.deps.registry.ids(), ...this.deps.reservedIds()]);
  }

  private notStored(id: string): AppError {
    if (this.deps.demo.some((c) => c.id === id)) return new AppError(ErrorCode.BAD_STATE, `camera ${id} is a demo camera of the config file (demo.enabled): not editable here`, 409);
    return new AppError(ErrorCode.UNKNOWN_CAMERA, `no camera ${id}`, 404);
  }
}

function hasMask(url: string): boolean {
  try {
    return new URL(url).password === PASSWORD_MASK;
  } catch {
    return false;
  }
}

/** The full camera must pass the config's own schema (URL forms, lengths). */
function validate(id: string, f: CameraFields, old?: CameraConfig, onvif?: CameraConfig['onvif']): void {
  const r = cameraConfigSchema.safeParse({
    id,
    name: f.name,
    main: f.main,
    ...(f.sub ? { sub: f.sub } : {}),
    transcode: f.transcode,
    ...(f.audio === undefined ? {} : { audio: f.audio }),
    ...(old?.position ? { position: old.position } : {}),
    ...(onvif ? { onvif } : {}),
  });
  if (r.success) return;
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'body';
  const code = field === 'main' || field === 'sub' ? ErrorCode.BAD_URL : ErrorCode.INVALID_FIELD;
  throw new AppError(code, `${field}: ${issue.message}`, 400);
}

/** The names of the fields that differ (pure; URLs compared as stored, never returned). */
export function changedFields(before: CameraFields, after: CameraFields): (keyof CameraFields)[] {
  return (['name', 'main', 'sub', 'transcode', 'audio', 'enabled'] as const).filter((k) => before[k] !== after[k]);
}
