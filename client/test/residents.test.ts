/** The admin page's form mapping and the registry API client (injected fetch, real JSON). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResidentView } from '@wardwall/common';
import { EMPTY_FORM, fieldsOf, valuesOf } from '../src/core/resident-form.js';
import { ResidentsApi, ResidentsError } from '../src/services/residents-api.js';

const CAM: ResidentView = {
  id: 'r1', name: 'N', ownerName: 'O', ownerContact: 'C', address: 'A', position: { x: 1, y: 2 }, consent: true, consentDate: '2026-01-02',
  sharing: 'recorded_only', retentionDays: 3, status: 'approved', statusBy: 'admin', statusAt: 1, source: 'push', pullHost: null, note: '', createdAt: 1, updatedAt: 1,
};

test('form values map to request fields and back', () => {
  const cases: [Partial<typeof EMPTY_FORM>, Partial<ReturnType<typeof fieldsOf>>][] = [
    [{ x: '', y: '' }, { position: null }],
    [{ x: '10', y: '' }, { position: null }],
    [{ x: '10', y: '20' }, { position: { x: 10, y: 20 } }],
    [{ consentDate: '' }, { consentDate: null }],
    [{ consentDate: '2026-02-03', consent: true }, { consentDate: '2026-02-03', consent: true }],
    [{ retentionDays: '0.5' }, { retentionDays: 0.5 }],
  ];
  for (const [input, want] of cases) {
    const got = fieldsOf({ ...EMPTY_FORM, ...input });
    for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof typeof got], v, `${JSON.stringify(input)} ${k}`);
  }
  const back = fieldsOf(valuesOf(CAM));
  assert.deepEqual(back, { name: 'N', ownerName: 'O', ownerContact: 'C', address: 'A', position: { x: 1, y: 2 }, consent: true, consentDate: '2026-01-02', sharing: 'recorded_only', retentionDays: 3, note: '' });
});

test('the API client sends JSON, checks replies and turns errors into codes', async () => {
  const calls: { url: string; init: RequestInit }[] = [];
  const replies: [number, unknown][] = [
    [200, { cameras: [CAM] }],
    [409, { code: 'CONFLICT', message: 'id: a camera "r1" exists already' }],
    [200, { camera: CAM, pushKey: 'rk_x', pushUrls: { rtmp: 'rtmp://h/live/rk_x', rtsp: 'rtsp://h/live/rk_x' } }],
    [200, { nope: true }],
    [500, 'not json'],
  ];
  const api = new ResidentsApi('/api/residents', async (url, init) => {
    calls.push({ url: String(url), init: init ?? {} });
    const [status, body] = replies.shift()!;
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  });
  assert.deepEqual(await api.list(), [CAM]);
  await assert.rejects(api.setStatus('r1', 'approved'), (e: unknown) => e instanceof ResidentsError && e.code === 'CONFLICT' && /exists already/.test(e.message));
  assert.equal(calls[1]!.url, '/api/residents/r1/status');
  assert.equal(calls[1]!.init.body, JSON.stringify({ status: 'approved' }));
  const r = await api.rotateKey('r 1');
  assert.equal(r.pushKey, 'rk_x');
  assert.equal(calls[2]!.url, '/api/residents/r%201/rotate-key');
  await assert.rejects(api.list(), (e: unknown) => e instanceof ResidentsError && e.code === 'BAD_REPLY');
  await assert.rejects(api.remove('r1'), (e: unknown) => e instanceof ResidentsError && e.code === 'HTTP_500');
  const offline = new ResidentsApi('/api/residents', async () => {
    throw new TypeError('fetch failed');
  });
  await assert.rejects(offline.list(), (e: unknown) => e instanceof ResidentsError && e.code === 'DISCONNECTED');
});
