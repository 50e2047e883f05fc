/** One entry of the hash-chained audit trail, as stored and as served by `GET /api/audit`. */
export interface AuditEntry {
  seq: number;
  at: number;
  user: string;
  action: string;
  camera: string | null;
  detail: Record<string, unknown>;
  hash: string;
  prevHash: string;
}
