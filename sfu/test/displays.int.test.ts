/**
 * Displays on the real SFU: signaling messages (register, push, tour) with their errors, pushes to
 * every session, REST presets/tours/rules with zod errors naming the field, a rule fired through the
 * injected event source, and the one-port WebRtcServer (every browser transport's candidates on the
 * configured port, UDP and TCP, also after the edge worker is killed and replaced).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DisplayState, ServerMessage } from '@wardwall/common';
import { connectSignaling, startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';

let sys: TestSystem;
before(async () => {
  sys = await startTestSystem({ demoCount: 2, withSub: 0, workers: 2 });
});
after(async () => {
  await sys?.close();
});

type Ok = Extract<ServerMessage, { type: 'response'; ok: true }>;
type Fail = Extract<ServerMessage, { type: 'response'; ok: false }>;

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sys.sfu.url}${path.slice(1)}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test('register, push and tour over signaling; errors have codes and name the field; every session sees the change', async () => {
  const display = await connectSignaling(sys.sfu.url);
  const commander = await connectSignaling(sys.sfu.url);
  for (const c of [display, commander]) assert.equal((await c.request({ type: 'hello' })).type, 'response');
  const expectError = async (c: typeof display, m: Record<string, unknown>, code: string, field?: RegExp) => {
    const r = (await c.request(m)) as Fail;
    assert.equal(r.ok, false, JSON.stringify(m));
    assert.equal(r.error.code, code, JSON.stringify(r));
    if (field) assert.match(r.error.message, field);
  };
  await expectError(display, { type: 'displayRegister', name: '' }, 'BAD_MESSAGE', /^name:/);
  await expectError(display, { type: 'displayRegister', name: 'x'.repeat(61) }, 'BAD_MESSAGE', /^name:/);
  await expectError(commander, { type: 'displayPush', name: 'Nope', content: { kind: 'camera', cameraId: 'demo-1' } }, 'NOT_FOUND', /name/);
  await expectError(commander, { type: 'displayPush', name: 'W', content: { kind: 'movie', cameraId: 'demo-1' } }, 'BAD_MESSAGE', /^content/);

  const reg = (await display.request({ type: 'displayRegister', name: 'W' })) as Ok;
  assert.equal((reg.data as { display: DisplayState }).display.online, true);
  await expectError(commander, { type: 'displayPush', name: 'W', content: { kind: 'camera', cameraId: 'ghost' } }, 'UNKNOWN_CAMERA', /ghost/);
  await expectError(commander, { type: 'displayTour', name: 'W', action: 'pause' }, 'BAD_REQUEST', /no tour/);
  const pushed = (await commander.request({ type: 'displayPush', name: 'W', content: { kind: 'incident', title: 'Trộm tượng', cameraIds: ['demo-1', 'demo-2'] } })) as Ok;
  assert.deepEqual((pushed.data as { display: DisplayState }).display.tiles, ['demo-1', 'demo-2', null, null]);
  await waitFor('push reached the display session', () =>
    display.pushes.some((m) => m.type === 'displayState' && m.display.name === 'W' && m.display.source.label === 'Trộm tượng' && m.display.changedBy === 'local'),
  );
  const list = (await commander.request({ type: 'displayList' })) as Ok;
  assert.deepEqual((list.data as { displays: DisplayState[] }).displays.map((d) => [d.name, d.online]), [['W', true]]);
  // Closing the display's socket marks it offline for everyone.
  display.ws.close();
  await waitFor('offline pushed', () => commander.pushes.some((m) => m.type === 'displayState' && m.display.name === 'W' && !m.display.online));
  commander.ws.close();
});

test('REST presets, tours and rules: validated, conflicts refused; a camera alert rule pushes to its display', async () => {
  const bad = await api('POST', '/api/presets', { name: 'A', layout: '5x5', tiles: [] });
  assert.equal(bad.status, 400);
  assert.match(String(bad.json.message), /^layout:/);
  assert.equal((await api('POST', '/api/presets', { name: 'A', layout: '1', tiles: ['demo-1'], extra: 1 })).status, 400);
  const ok = await api('POST', '/api/presets', { name: 'Gates', layout: '2x2', tiles: ['demo-1', null, 'demo-2'] });
  assert.equal(ok.status, 200);
  const dup = await api('POST', '/api/presets', { name: 'Gates', layout: '1', tiles: [] });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.code, 'CONFLICT');
  const badTour = await api('POST', '/api/tours', { name: 'T', intervalSec: 1, steps: [{ kind: 'camera', cameraId: 'demo-1' }] });
  assert.match(String(badTour.json.message), /^intervalSec:/);
  assert.equal((await api('POST', '/api/tours', { name: 'T', intervalSec: 5, steps: [] })).status, 400);
  assert.equal((await api('DELETE', '/api/presets/nope')).status, 404);

  const rule = await api('POST', '/api/display-rules', { trigger: 'camera_alert', display: 'W', cameraIds: ['demo-2'] });
  assert.equal(rule.status, 200);
  const watcher = await connectSignaling(sys.sfu.url);
  await watcher.request({ type: 'hello' });
  sys.sfu.displays.rules.onCameraAlert('demo-1'); // not in the rule's cameras
  sys.sfu.displays.rules.onCameraAlert('demo-2');
  await waitFor('rule pushed demo-2', () => watcher.pushes.some((m) => m.type === 'displayState' && m.display.name === 'W' && m.display.tiles.join() === 'demo-2' && m.display.changedBy === 'rule:camera_alert'));
  assert.equal(watcher.pushes.filter((m) => m.type === 'displayState').length, 1);
  const rules = await api('GET', '/api/display-rules');
  assert.equal((rules.json.rules as unknown[]).length, 1);
  watcher.ws.close();
});

test('every browser transport is on the one configured port (UDP and TCP), also after the edge worker is replaced', async () => {
  const port = sys.sfu.pool.webRtcPort!;
  assert.ok(port > 0);
  const check = async () => {
    const c = await connectSignaling(sys.sfu.url);
    await c.request({ type: 'hello' });
    const cands: { port: number; protocol: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const t = (await c.request({ type: 'createTransport' })) as Ok;
      cands.push(...(t.data as { iceCandidates: { port: number; protocol: string }[] }).iceCandidates);
    }
    c.ws.close();
    assert.deepEqual([...new Set(cands.map((x) => x.port))], [port]);
    assert.deepEqual([...new Set(cands.map((x) => x.protocol))].sort(), ['tcp', 'udp']);
  };
  await check();
  const oldPid = sys.sfu.pool.edge().worker.pid;
  process.kill(oldPid, 'SIGKILL');
  await waitFor('edge worker replaced', () => sys.sfu.pool.edge().worker.pid !== oldPid && !!sys.sfu.pool.edge().webRtcServer, 15000);
  await check();
});

test('an urgent bookmark fires the urgent-bookmark rule once: on being marked urgent, not on later edits, not when not urgent', async () => {
  const rule = await api('POST', '/api/display-rules', { trigger: 'urgent_bookmark', display: 'U', cameraIds: [] });
  assert.equal(rule.status, 200);
  // A registered display (a rule's pushes to unknown displays are dropped).
  const display = await connectSignaling(sys.sfu.url);
  await display.request({ type: 'hello' });
  assert.equal(((await display.request({ type: 'displayRegister', name: 'U' })) as Ok).ok, true);
  const c = await connectSignaling(sys.sfu.url);
  await c.request({ type: 'hello' });
  const t = Date.now();
  const push = async (id: string, fields: Record<string, unknown>) => {
    const times = Object.fromEntries(Object.keys(fields).map((k) => [k, Date.now()]));
    const r = (await c.request({ type: 'bookmarksPush', changes: [{ entity: 'bookmark', id, fields, times }] })) as Ok;
    const res = (r.data as { results: { ok: boolean; error?: unknown }[] }).results[0]!;
    assert.ok(res.ok, JSON.stringify(res));
  };
  const pushesTo = (cams: string) => c.pushes.filter((m) => m.type === 'displayState' && m.display.name === 'U' && m.display.changedBy === 'rule:urgent_bookmark' && m.display.tiles.filter(Boolean).join() === cams).length;
  await push('plain-bookmark-1', { cameras: ['demo-1'], startMs: t - 5000, endMs: t - 5000, title: 'thường' });
  await push('urgent-bookmark-1', { cameras: ['demo-2', 'demo-1'], startMs: t - 3000, endMs: t - 1000, title: 'khẩn', urgent: true });
  await waitFor('urgent bookmark pushed its cameras to U', () => pushesTo('demo-2,demo-1') === 1);
  await push('urgent-bookmark-1', { note: 'thêm ghi chú' });
  // A plain bookmark later marked urgent fires too (its own cameras).
  await push('plain-bookmark-1', { urgent: true });
  await waitFor('marked urgent later: pushed', () => pushesTo('demo-1') === 1);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(pushesTo('demo-2,demo-1'), 1, 'an edit of an urgent bookmark does not fire again');
  const stored = (await (await fetch(`${sys.sfu.url}api/bookmarks`)).json()) as { bookmarks: { id: string; urgent: boolean }[] };
  assert.deepEqual(stored.bookmarks.map((b) => [b.id, b.urgent]).sort(), [['plain-bookmark-1', true], ['urgent-bookmark-1', true]]);
  const bad = (await c.request({ type: 'bookmarksPush', changes: [{ entity: 'bookmark', id: 'bad-urgent-1', fields: { cameras: ['demo-1'], startMs: t, endMs: t, urgent: 'yes' }, times: {} }] })) as Ok;
  const badRes = (bad.data as { results: { ok: boolean; error?: { code: string; message: string } }[] }).results[0]!;
  assert.equal(badRes.ok, false);
  assert.match(badRes.error!.message, /urgent/);
  c.ws.close();
  display.ws.close();
});
