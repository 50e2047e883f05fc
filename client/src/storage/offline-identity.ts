/**
 * Who was signed in on this browser, kept so that a reload while the server cannot be reached
 * still opens the wall (with what this browser saved: bookmarks, trails, layout) instead of a login
 * page that cannot work. It holds no secret (the session cookie stays httpOnly) and grants nothing:
 * the server checks every request when it is back, and a refused session ends the wall there.
 * Forgotten at sign-out and when the server ends the session.
 */
import { parseMe, type Me } from '../core/access.js';
import { wallDb, type WallDatabase } from './db.js';

export class OfflineIdentity {
  constructor(private readonly open: () => Promise<WallDatabase> = wallDb) {}

  async load(): Promise<Me | null> {
    try {
      const rec = await (await this.open()).get('prefs', 'me');
      return rec ? parseMe(rec.value) : null;
    } catch (err) {
      console.warn('[storage] no usable saved sign-in', err);
      return null;
    }
  }

  async save(me: Me): Promise<void> {
    try {
      await (await this.open()).put('prefs', { key: 'me', value: me, updatedAt: Date.now() });
    } catch (err) {
      console.warn('[storage] cannot keep the sign-in for offline start', err);
    }
  }

  async forget(): Promise<void> {
    try {
      await (await this.open()).delete('prefs', 'me');
    } catch (err) {
      console.warn('[storage] cannot forget the saved sign-in', err);
    }
  }
}
