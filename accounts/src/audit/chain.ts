/**
 * The audit trail's hash chain. Each entry's hash covers its canonical content and the previous
 * entry's hash, so altering or removing an entry breaks every link after it. From `keyedFrom` on
 * (every entry of a trail created since the chain key exists) the hash is an HMAC-SHA256 with the
 * chain key, which only the SFU reads: whoever rewrites rows without the key cannot recompute
 * valid hashes. Older entries keep their plain SHA-256. Pure.
 */
import { createHash, createHmac } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainEntry {
  seq: number;
  at: number;
  user: string;
  action: string;
  camera: string | null;
  /** The detail as stored (canonical JSON text). */
  detail: string;
  prevHash: string;
  hash: string;
}

/** The chain's keying: entries with seq >= keyedFrom are HMACs with `key`. */
export interface ChainKeying {
  key: Buffer;
  keyedFrom: number;
}

export function entryHash(e: Omit<ChainEntry, 'hash'>, keying?: ChainKeying | null): string {
  const canonical = JSON.stringify([e.seq, e.at, e.user, e.action, e.camera, e.detail, e.prevHash]);
  if (keying && e.seq >= keying.keyedFrom) return createHmac('sha256', keying.key).update(canonical).digest('hex');
  return createHash('sha256').update(canonical).digest('hex');
}

export type ChainBreak = { seq: number; problem: 'missing' | 'altered' | 'relinked' };

/**
 * Checks entries in seq order; returns the first broken link, or null when the chain is intact.
 * 'missing': entries before `seq` were removed; 'altered': the entry's content no longer matches
 * its hash; 'relinked': its prevHash is not the previous entry's hash.
 */
export function firstBreak(entries: Iterable<ChainEntry>, keying?: ChainKeying | null): ChainBreak | null {
  let prev: ChainEntry | null = null;
  for (const e of entries) {
    const expectedSeq = prev ? prev.seq + 1 : 1;
    if (e.seq !== expectedSeq) return { seq: expectedSeq, problem: 'missing' };
    if (e.prevHash !== (prev ? prev.hash : GENESIS_HASH)) return { seq: e.seq, problem: 'relinked' };
    if (entryHash(e, keying) !== e.hash) return { seq: e.seq, problem: 'altered' };
    prev = e;
  }
  return null;
}
