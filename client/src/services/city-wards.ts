/**
 * The command centre's wards (docs/city.md, "The centre's wall"): when the SFU's `hello` says it is a
 * city centre, the first list comes from GET /api/city/cameras (again on every new session: pushes
 * may have been missed meanwhile), then each `cityWards` push replaces it. Also holds where each
 * ward's map lies on the city map (`hello.city.placements`). No DOM.
 */
import type { CityMapPlacement, CityWardInfo } from '@wardwall/common';
import { DEFAULT_NEIGHBOUR_DISTANCE } from '@wardwall/common/neighbours';
import { parseCityWards, parsePlacements } from '../core/city.js';
import { Emitter } from './emitter.js';
import { readJson } from './json-reply.js';
import type { SignalingClient } from './signaling.js';

export interface CityWardsEvents {
  /** The role, the placements or the wards changed. */
  change: [];
}

export class CityWardsService extends Emitter<CityWardsEvents> {
  /** The SFU's city role ('off' until a hello says otherwise). */
  role: 'off' | 'ward' | 'centre' = 'off';
  wards: readonly CityWardInfo[] = [];
  placements: ReadonlyMap<string, CityMapPlacement> = new Map();
  /** The reach of a derived neighbour on the city map (city units; the centre's `map.neighbourDistance`). */
  neighbourDistance = DEFAULT_NEIGHBOUR_DISTANCE;
  /** Whether the first list has arrived (at a centre). */
  loaded = false;
  /** Bumped by every push: a list fetched before a push is older than it. */
  private seq = 0;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    signaling: SignalingClient,
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {
    super();
    this.unsubscribe.push(
      signaling.on('session', (hello) => {
        const city = (hello as { city?: { role?: unknown; placements?: unknown; neighbourDistance?: unknown } }).city;
        const role = city?.role === 'centre' || city?.role === 'ward' ? city.role : 'off';
        this.role = role;
        this.placements = parsePlacements(city?.placements);
        const reach = city?.neighbourDistance;
        this.neighbourDistance = typeof reach === 'number' && Number.isFinite(reach) && reach > 0 ? reach : DEFAULT_NEIGHBOUR_DISTANCE;
        if (role === 'centre') void this.load();
        else this.set([], false);
        this.emit('change');
      }),
      signaling.on('cityWards', (raw) => {
        this.seq++;
        this.set(parseCityWards(raw), true);
      }),
    );
  }

  private set(wards: CityWardInfo[], loaded: boolean): void {
    this.wards = wards;
    this.loaded = loaded;
    this.emit('change');
  }

  private async load(): Promise<void> {
    const seq = this.seq;
    try {
      const res = await this.fetchFn('/api/city/cameras', { headers: { accept: 'application/json' } });
      const body = await readJson(res);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      if (seq !== this.seq) return; // a push came meanwhile: it is newer
      this.set(parseCityWards((body as { wards?: unknown } | null)?.wards), true);
    } catch (err) {
      console.warn('[city] cannot read the wards; the next push brings them', err);
    }
  }

  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.removeAllListeners();
  }
}
