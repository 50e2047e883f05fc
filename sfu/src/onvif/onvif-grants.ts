/**
 * The short-lived server-side grants behind ONVIF "Add": reading a device's profiles with the
 * account the administrator typed leaves the full stream URIs (with that account) here, under a
 * random token given to the browser with the redacted URIs. Adding the camera names the token and
 * the profiles chosen: the browser never gets the password back and cannot point the camera
 * elsewhere than a URI the device gave. A grant belongs to the user who read the profiles, lives
 * 10 minutes and is used up by a successful Add.
 */
import { randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '@wardwall/common';

export interface OnvifGrant {
  userId: string;
  expiresAt: number;
  /** profile token -> the RTSP URI with the account in it. */
  streams: ReadonlyMap<string, string>;
  /** The device's service address and the account that read it (kept for pan/tilt/zoom). */
  device?: { url: string; user?: string | undefined; password?: string | undefined };
  /** Tokens of the profiles pan/tilt/zoom can steer. */
  ptzProfiles?: ReadonlySet<string>;
}

export class OnvifGrants {
  private readonly grants = new Map<string, OnvifGrant>();

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly max = 64,
    private readonly now: () => number = Date.now,
  ) {}

  issue(userId: string, streams: ReadonlyMap<string, string>, device?: Pick<OnvifGrant, 'device' | 'ptzProfiles'>): { token: string; expiresInS: number } {
    this.sweep();
    while (this.grants.size >= this.max) this.grants.delete(this.grants.keys().next().value!);
    const token = `og_${randomBytes(18).toString('base64url')}`;
    this.grants.set(token, { userId, expiresAt: this.now() + this.ttlMs, streams, ...device });
    return { token, expiresInS: Math.round(this.ttlMs / 1000) };
  }

  /** The grant of `token` for `userId`; ONVIF_EXPIRED when unknown, expired or another user's. */
  get(token: string, userId: string): OnvifGrant {
    this.sweep();
    const g = this.grants.get(token);
    if (!g || g.userId !== userId) throw new AppError(ErrorCode.ONVIF_EXPIRED, 'these profiles were read too long ago: read them again', 410);
    return g;
  }

  /** Used up (after a successful Add). */
  drop(token: string): void {
    this.grants.delete(token);
  }

  get size(): number {
    this.sweep();
    return this.grants.size;
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, g] of this.grants) if (g.expiresAt <= t) this.grants.delete(k);
  }
}
