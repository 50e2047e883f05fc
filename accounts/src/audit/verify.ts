/** Checks a trail (already walked and intact) against the last signed head. */
import type { AuditLog } from './audit-log.js';
import type { ChainKey } from './chain-key.js';
import { headSignedBy, type ChainHead } from './head.js';

/** null when the trail matches the head; else what is wrong. */
export function checkAgainstHead(audit: Pick<AuditLog, 'tail' | 'entryHashAt' | 'keyedFrom'>, key: ChainKey, head: ChainHead | null, entries: number): string | null {
  if (!head) return entries > 0 ? 'the signed chain head is missing (deleted?): the end of the trail cannot be checked' : null;
  if (!headSignedBy(key, head)) return 'the chain head is not signed by this trail\'s chain key (forged or replaced)';
  if (head.keyedFrom !== audit.keyedFrom) return `the keyed chain starts at seq ${audit.keyedFrom} in the database but at ${head.keyedFrom} in the signed head (the start was moved)`;
  const last = audit.tail()?.seq ?? 0;
  if (last < head.seq) return `entries ${last + 1}..${head.seq} are missing: the signed head of ${new Date(head.at).toISOString()} names seq ${head.seq} but the trail ends at ${last} (rows deleted from the end)`;
  if (head.seq > 0 && audit.entryHashAt(head.seq) !== head.hash) return `entry ${head.seq} differs from the signed head of ${new Date(head.at).toISOString()} (the trail was rewritten up to or after it)`;
  return null;
}
