/**
 * The signed chain head: the last entry's seq and hash, with the seq the keyed chain starts at,
 * signed with the chain's Ed25519 key and written outside the database (a file beside the data
 * dir, optionally POSTed to a webhook) at intervals. Rows deleted from the end, or rewritten from
 * some row onward with recomputed hashes, no longer match the last head written: `audit:verify`
 * reports it. The file holds nothing secret (hashes and the public key).
 */
import { sign, verify, createPublicKey } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Config } from '@wardwall/common';
import type { ChainKey } from './chain-key.js';

export const HEAD_FORMAT = 'wardwall-audit-head/1';

export interface ChainHead {
  format: typeof HEAD_FORMAT;
  /** Last entry's seq (0 for an empty trail) and hash. */
  seq: number;
  hash: string;
  keyedFrom: number;
  /** When the head was signed, ms since the epoch. */
  at: number;
  /** Ed25519 public key, base64 SPKI DER. */
  publicKey: string;
  /** base64 Ed25519 signature over the canonical payload. */
  signature: string;
}

const headSchema = z
  .object({
    format: z.literal(HEAD_FORMAT),
    seq: z.number().int().min(0),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    keyedFrom: z.number().int().min(1),
    at: z.number().int(),
    publicKey: z.string().max(200),
    signature: z.string().max(200),
  })
  .strict();

export function headFilePath(config: Readonly<Config>): string {
  if (config.audit.headFile) return config.audit.headFile;
  const data = resolve(config.sfu.dataDir);
  return join(dirname(data), `${basename(data)}.audit-head.json`);
}

const payload = (h: Pick<ChainHead, 'seq' | 'hash' | 'keyedFrom' | 'at'>): Buffer => Buffer.from(JSON.stringify([HEAD_FORMAT, h.seq, h.hash, h.keyedFrom, h.at]));

export function signHead(key: ChainKey, h: { seq: number; hash: string; keyedFrom: number; at: number }): ChainHead {
  return { format: HEAD_FORMAT, ...h, publicKey: key.publicKey, signature: sign(null, payload(h), key.signing).toString('base64') };
}

/** Whether the head's signature is valid for this key (the key's own public key, never the one in the file). */
export function headSignedBy(key: ChainKey, h: ChainHead): boolean {
  try {
    return verify(null, payload(h), key.verifying, Buffer.from(h.signature, 'base64'));
  } catch {
    return false;
  }
}

/** Verifies a head against a public key given alone (base64 SPKI DER), as a webhook receiver would. */
export function headSignedByPublicKey(publicKey: string, h: ChainHead): boolean {
  try {
    return verify(null, payload(h), createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' }), Buffer.from(h.signature, 'base64'));
  } catch {
    return false;
  }
}

/** Reads the head file: null when it does not exist; throws on a malformed one. */
export function readHead(file: string): ChainHead | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const r = headSchema.safeParse(JSON.parse(text));
  if (!r.success) throw new Error(`the audit head file ${file} is malformed (${r.error.issues[0]!.path.join('.')})`);
  return r.data as ChainHead;
}

export interface HeadWriterDeps {
  tail: () => { seq: number; hash: string } | null;
  keyedFrom: number;
  key: ChainKey;
  file: string;
  everyMs: number;
  webhook: string | null;
  log: Logger | null;
  now?: () => number;
  /**
   * Makes the entries the head names durable before it is written (the SFU checkpoints its WAL:
   * with synchronous=NORMAL a power cut could otherwise lose commits a head already names).
   */
  sync?: () => void;
}

/** Writes the signed head when the chain grew: at start, every `everyMs`, and at close. */
export class HeadWriter {
  private timer: NodeJS.Timeout | null = null;
  private lastSeq = -1;
  private closed = false;
  /** The last write error (null when the last write worked). */
  lastError: string | null = null;

  constructor(private readonly d: HeadWriterDeps) {}

  start(): void {
    this.writeNow();
    this.timer = setInterval(() => this.writeNow(), this.d.everyMs);
    this.timer.unref();
  }

  /** Writes the head if the chain moved since the last write; returns the head written, if any. */
  writeNow(): ChainHead | null {
    let tail: { seq: number; hash: string } | null;
    try {
      tail = this.d.tail();
    } catch (e) {
      this.fail(e);
      return null;
    }
    const seq = tail?.seq ?? 0;
    if (seq === this.lastSeq) return null;
    const head = signHead(this.d.key, { seq, hash: tail?.hash ?? '0'.repeat(64), keyedFrom: this.d.keyedFrom, at: (this.d.now ?? Date.now)() });
    try {
      this.d.sync?.();
      mkdirSync(dirname(this.d.file), { recursive: true });
      const tmp = `${this.d.file}.${process.pid}.tmp`;
      const fd = openSync(tmp, 'w', 0o644);
      try {
        writeSync(fd, `${JSON.stringify(head)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.d.file);
      this.lastSeq = seq;
      this.lastError = null;
    } catch (e) {
      this.fail(e);
      return null;
    }
    if (this.d.webhook) void this.post(head);
    return head;
  }

  private fail(e: unknown): void {
    this.lastError = e instanceof Error ? e.message : String(e);
    this.d.log?.error({ err: this.lastError, file: this.d.file }, 'audit head not written');
  }

  private async post(head: ChainHead): Promise<void> {
    try {
      const r = await fetch(this.d.webhook!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(head), signal: AbortSignal.timeout(5000) });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      await r.arrayBuffer();
    } catch (e) {
      this.d.log?.warn({ err: (e as Error).message }, 'audit head webhook failed');
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.writeNow();
  }
}
