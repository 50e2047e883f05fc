/**
 * The centre's signed assertion (docs/city.md, "Central users at a ward"): how a ward accepts a
 * central user. The centre signs, with its Ed25519 key, a short-lived token naming the central user,
 * their rights on ONE ward (the audience), what it may be used for (`use`: one HTTP request, or a
 * live watch of one camera) and a single-use id; the ward verifies the signature with the centre's
 * public key pinned in its config, the audience, the use, the expiry (with a clock-skew tolerance)
 * and that the id was not seen before. Pure apart from node:crypto (sign/verify take the keys and
 * the clock).
 *
 * Wire form: `wwa1.<base64url(JSON claims)>.<base64url(Ed25519 signature over "wwa1.<claims>")>`.
 */
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { CAMERA_PERMISSIONS, type CameraPermission } from '@wardwall/common';

export const ASSERTION_HEADER = 'x-wardwall-centre-assertion';
const PREFIX = 'wwa1';
/** The longest life an assertion may have (iat..exp); longer ones are refused by the ward. */
export const MAX_ASSERTION_MS = 5 * 60_000;
/** What the centre signs: 60 s is enough for one request or one watch. */
export const DEFAULT_ASSERTION_MS = 60_000;
/** Ward and centre clocks may differ by this much. */
export const CLOCK_SKEW_MS = 30_000;
const MAX_TOKEN = 4096;

const WARD = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const CAMERA = /^(\*|[a-z0-9][a-z0-9_-]{0,63})$/;

const claimsSchema = z
  .object({
    v: z.literal(1),
    /** The central user's login name (the ward audits `centre:<sub>`). */
    sub: z.string().regex(/^[a-z0-9._-]{1,64}$/),
    /** Display name (watermark, information). */
    name: z.string().max(120),
    /** The ward this assertion is for. */
    aud: z.string().regex(WARD),
    /** Rights per camera of that ward; `*` = every camera of the ward not named. */
    rights: z.record(z.string().regex(CAMERA), z.array(z.enum(CAMERA_PERMISSIONS)).max(3)).refine((r) => Object.keys(r).length <= 1000, 'too many cameras'),
    /** Earliest footage the user may see (ms since epoch), null = unlimited. */
    floor: z.number().int().nullable(),
    /** `watch <camera>` or `<METHOD> <path?query>` as the ward receives it. */
    use: z.string().min(1).max(2048),
    iat: z.number().int().nonnegative(),
    exp: z.number().int().nonnegative(),
    jti: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  })
  .strict();
export type AssertionClaims = z.infer<typeof claimsSchema>;

export type AssertionRefusal = 'malformed' | 'bad_signature' | 'expired' | 'not_yet_valid' | 'too_long' | 'wrong_audience' | 'wrong_use' | 'replayed';
export type AssertionCheck = { ok: true; claims: AssertionClaims } | { ok: false; reason: AssertionRefusal };

/** The audit name of a central user at a ward. */
export const centralUserName = (sub: string): string => `centre:${sub}`;

export interface AssertionInput {
  sub: string;
  name: string;
  aud: string;
  rights: Record<string, CameraPermission[]>;
  floor: number | null;
  use: string;
}

export function signAssertion(key: KeyObject, input: AssertionInput, now: number, lifeMs = DEFAULT_ASSERTION_MS): string {
  const claims: AssertionClaims = { v: 1, ...input, iat: now, exp: now + Math.min(lifeMs, MAX_ASSERTION_MS), jti: randomBytes(18).toString('base64url') };
  const body = `${PREFIX}.${Buffer.from(JSON.stringify(claimsSchema.parse(claims))).toString('base64url')}`;
  return `${body}.${sign(null, Buffer.from(body), key).toString('base64url')}`;
}

/**
 * Checks form, signature, audience, use and times. `seen` (a `SeenAssertions`) refuses a second use
 * of the same id; it is consulted only after everything else passed, so junk cannot fill it.
 */
export function verifyAssertion(publicKey: KeyObject, token: string, want: { audience: string; use: string; now: number; seen?: SeenAssertions }): AssertionCheck {
  if (token.length > MAX_TOKEN) return { ok: false, reason: 'malformed' };
  const m = /^(wwa1\.([A-Za-z0-9_-]+))\.([A-Za-z0-9_-]{86})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  let good: boolean;
  try {
    good = verify(null, Buffer.from(m[1]!), publicKey, Buffer.from(m[3]!, 'base64url'));
  } catch {
    good = false;
  }
  if (!good) return { ok: false, reason: 'bad_signature' };
  let claims: AssertionClaims;
  try {
    const parsed = claimsSchema.safeParse(JSON.parse(Buffer.from(m[2]!, 'base64url').toString('utf8')));
    if (!parsed.success) return { ok: false, reason: 'malformed' };
    claims = parsed.data;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (claims.exp - claims.iat > MAX_ASSERTION_MS || claims.exp <= claims.iat) return { ok: false, reason: 'too_long' };
  if (claims.iat > want.now + CLOCK_SKEW_MS) return { ok: false, reason: 'not_yet_valid' };
  if (claims.exp + CLOCK_SKEW_MS <= want.now) return { ok: false, reason: 'expired' };
  if (claims.aud !== want.audience) return { ok: false, reason: 'wrong_audience' };
  if (claims.use !== want.use) return { ok: false, reason: 'wrong_use' };
  if (want.seen && !want.seen.take(claims.jti, claims.exp + CLOCK_SKEW_MS, want.now)) return { ok: false, reason: 'replayed' };
  return { ok: true, claims };
}

/** The rights an assertion gives on a camera of its ward: the camera's own entry, else `*`. */
export function assertionRights(claims: AssertionClaims, camera: string): CameraPermission[] {
  return claims.rights[camera] ?? claims.rights['*'] ?? [];
}

/**
 * Ids of assertions already used, kept until they expire (bounded: when full of unexpired ids, new
 * ones are refused — fails closed). Pure apart from the clock passed in.
 */
export class SeenAssertions {
  private readonly until = new Map<string, number>();
  constructor(private readonly max = 100_000) {}
  /** True the first time `jti` is offered (and remembers it until `expiresAt`), false afterwards or when full. */
  take(jti: string, expiresAt: number, now: number): boolean {
    if (this.until.has(jti)) return false;
    // Expired ids go now and then (every 1024 new ones), and at once when the table is full.
    if (this.until.size >= this.max || (this.until.size & 1023) === 1023) this.prune(now);
    if (this.until.size >= this.max) return false;
    this.until.set(jti, expiresAt);
    return true;
  }
  prune(now: number): void {
    for (const [k, t] of this.until) if (t <= now) this.until.delete(k);
  }
  get size(): number {
    return this.until.size;
  }
}

/** The public key as text for a config file: base64url of the raw 32 bytes, `ed25519:` prefixed. */
export function publicKeyText(key: KeyObject): string {
  const jwk = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' });
  return `ed25519:${jwk.x}`;
}

/** Reads `ed25519:<base64url>` (the form `publicKeyText` writes); throws with a clear message otherwise. */
export function parsePublicKeyText(text: string): KeyObject {
  const m = /^ed25519:([A-Za-z0-9_-]{43})$/.exec(text.trim());
  if (!m) throw new Error('a centre key is "ed25519:" followed by 43 base64url characters');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: m[1]! }, format: 'jwk' });
}

export function privateKeyFromPem(pem: string): KeyObject {
  const k = createPrivateKey(pem);
  if (k.asymmetricKeyType !== 'ed25519') throw new Error('the centre key file does not hold an Ed25519 key');
  return k;
}
