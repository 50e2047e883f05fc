/** Which registry rows the recorder records, and which stay reviewable (pure). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResidentSourceRow } from '@wardwall/common/node';
import { recordingPlan } from '../src/residents.js';

function row(id: string, over: Partial<ResidentSourceRow> = {}): ResidentSourceRow {
  return {
    id, name: id.toUpperCase(), ownerName: 'o', sharing: 'live_recorded', status: 'approved', source: 'pull', pullUrl: `rtsp://u:p@192.0.2.1/${id}`, streamToken: null,
    retentionDays: 2, mapX: null, mapY: null, mapHeading: null, updatedAt: 1, ...over,
  };
}

test('approved live or recorded-only cameras are recorded with their retention; paused, pending, revoked are not', () => {
  const rows = [
    row('live'),
    row('rec', { sharing: 'recorded_only', retentionDays: 0.5 }),
    row('paused', { status: 'paused' }),
    row('pending', { status: 'pending' }),
    row('revoked', { status: 'revoked' }),
    row('asked', { sharing: 'on_request' }),
    row('pushed', { source: 'push', pullUrl: null, streamToken: `rs_${'t'.repeat(32)}` }),
    row('cfg'),
  ];
  const plan = recordingPlan(rows, { host: '0.0.0.0', rtspPort: 8554 }, new Set(['cfg']));
  assert.deepEqual([...plan.record.keys()], ['live', 'rec', 'pushed']);
  assert.equal(plan.record.get('pushed')!.main, `rtsp://127.0.0.1:8554/live/rs_${'t'.repeat(32)}`);
  // Footage of paused, pending and revoked cameras stays reviewable under their retention.
  assert.deepEqual([...plan.known.keys()], ['live', 'rec', 'paused', 'pending', 'revoked', 'pushed']);
  assert.equal(plan.known.get('rec')!.maxAgeMs, 0.5 * 86400000);
});
