/**
 * GET /api/openapi.json on a running SFU (accounts on, the recorder behind the proxy): the document
 * is OpenAPI 3.1 in structure, describes every route of the live table with its access, and a
 * route's body schema agrees with what the route itself accepts and refuses.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pathTemplates } from '@wardwall/server-kit';
import { randomUUID } from 'node:crypto';
import { startTestSystem, wsClient, type TestSystem } from '@wardwall/testing/system';
import { checkOpenApiDocument, satisfies } from '@wardwall/testing/openapi-check';

let sys: TestSystem;
let admin: string;
before(async () => {
  sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, recorder: true, auth: true });
  admin = await sys.signIn();
});
after(async () => {
  await sys?.close();
});

const get = (path: string, cookie?: string) => fetch(new URL(path.slice(1), sys.url), { headers: cookie ? { cookie } : {} });

test('the SFU serves its description to a session only; every route of the table is in it, with its access', async () => {
  assert.equal((await get('/api/openapi.json')).status, 401);
  const r = await get('/api/openapi.json', admin);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /application\/json/);
  const doc = (await r.json()) as Record<string, any>;
  const routes = sys.sfu.router.list();
  assert.ok(routes.length >= 40, `routes: ${routes.length}`);
  const ops = checkOpenApiDocument(doc, routes);
  assert.deepEqual(doc.components.securitySchemes.session, { type: 'apiKey', in: 'cookie', name: 'ww_session' });
  const seen = new Set<string>();
  for (const route of routes) {
    for (const template of pathTemplates(route.path).templates) {
      const key = `${route.method} ${template}`;
      if (seen.has(key)) continue; // shadowed: the router runs the first
      seen.add(key);
      assert.deepEqual(ops.get(key)!['x-access'], route.access, `${key}: its access`);
      assert.equal(ops.get(key)!.security.length, route.access === 'public' ? 0 : 1, `${key}: security`);
    }
  }
  assert.deepEqual(ops.get('GET /api/cameras/{id}/still')!['x-access'], { permission: 'live', camera: 'id' });
  assert.deepEqual(ops.get('POST /api/auth/login')!.security, []);
  assert.deepEqual(ops.get('DELETE /api/admin/users/{id}')!.security, [{ session: [] }]);
  // Proxied recorder routes are in the table and so in the document (their bodies: the recorder's own).
  assert.ok(ops.get('GET /api/recordings/{camera}/{rest}'));
  assert.ok(ops.get('GET /api/exports/{id}/verify'));
  // Bodies from the zod schemas the handlers parse with.
  const login = ops.get('POST /api/auth/login')!.requestBody.content['application/json'].schema;
  assert.deepEqual([...login.required].sort(), ['password', 'username']);
  assert.equal(ops.get('POST /api/residents/{id}/rotate-key')!.requestBody, undefined);
});

test("a body schema in the document agrees with the route: samples it accepts pass, samples it refuses get 400", async () => {
  const doc = (await (await get('/api/openapi.json', admin)).json()) as Record<string, any>;
  const schema = doc.paths['/api/presets'].post.requestBody.content['application/json'].schema;
  const samples: unknown[] = [
    { name: 'Cổng chính', layout: '2x2', tiles: [null] },
    { name: 'x', layout: '1', tiles: [] },
    { name: 'x', layout: '2x2' },
    { name: '', layout: '2x2', tiles: [] },
    { name: 'x', layout: 'nine', tiles: [] },
    { name: 'x', layout: '2x2', tiles: ['Not An Id'] },
    { name: 'x', layout: '2x2', tiles: [], extra: 1 },
    { name: 'x', layout: '2x2', tiles: Array(17).fill(null) },
  ];
  let accepted = 0;
  for (const body of samples) {
    const r = await fetch(new URL('api/presets', sys.url), { method: 'POST', headers: { cookie: admin, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const byRoute = r.status === 200;
    assert.ok(byRoute || r.status === 400, `${JSON.stringify(body)}: ${r.status}`);
    assert.equal(satisfies(schema, body), byRoute, `${JSON.stringify(body)}: the route answered ${r.status}`);
    if (byRoute) accepted++;
  }
  assert.equal(accepted, 2);
});

test('the reply schemas of the bookmark lists describe what the routes answer', async () => {
  const doc = (await (await get('/api/openapi.json', admin)).json()) as Record<string, any>;
  const ws = await wsClient(sys.url, admin);
  try {
    assert.equal((await ws.request({ type: 'hello' })).type, 'response');
    const incident = randomUUID();
    const t0 = Date.now();
    const r = (await ws.request({
      type: 'bookmarksPush',
      changes: [
        { entity: 'incident', id: incident, fields: { title: 'Va chạm' }, times: {} },
        { entity: 'bookmark', id: randomUUID(), fields: { cameras: ['demo-1'], startMs: t0 - 5000, endMs: t0 - 4000, title: 'Xe máy', tags: ['giao-thong'], incidentId: incident }, times: {} },
      ],
    })) as unknown as { ok: boolean; data: { results: { ok: boolean }[] } };
    assert.ok(r.ok && r.data.results.every((x) => x.ok), JSON.stringify(r));
  } finally {
    ws.ws.close();
  }
  for (const path of ['/api/bookmarks', '/api/incidents']) {
    const schema = doc.paths[path].get.responses['200'].content['application/json'].schema;
    const reply = (await (await get(path, admin)).json()) as Record<string, any[]>;
    const list = reply[path.slice(5)]!;
    assert.equal(list.length, 1, path);
    assert.ok(satisfies(schema, reply), `${path}: ${JSON.stringify(reply)}`);
    // The schema has teeth: a record without its author is not what it describes.
    const { author: _gone, ...rest } = list[0];
    assert.equal(satisfies(schema, { ...reply, [path.slice(5)]: [rest] }), false, path);
  }
});

test("the recorder's own description, through the SFU's proxy: its bodies and queries", async () => {
  assert.equal((await get('/api/recorder/openapi.json')).status, 401);
  const r = await get('/api/recorder/openapi.json', admin);
  assert.equal(r.status, 200);
  const doc = (await r.json()) as Record<string, any>;
  const ops = checkOpenApiDocument(doc, []);
  assert.match(doc.info.title, /recorder/);
  const hold = ops.get('POST /api/holds')!;
  assert.ok(hold.responses['201']);
  const holdSchema = hold.requestBody.content['application/json'].schema;
  assert.deepEqual([...holdSchema.required].sort(), ['from', 'reason', 'to']);
  assert.equal(holdSchema.additionalProperties, false);
  assert.ok(ops.get('POST /api/exports')!.requestBody.content['application/json'].schema.anyOf);
  assert.deepEqual(ops.get('GET /api/recordings/{camera}/thumbnail')!.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`), ['path:camera', 'query:at']);
  // Every recorder route the SFU proxies by name is one the recorder describes.
  for (const name of ['health', 'cameras', 'station-key']) assert.ok(ops.get(`GET /api/${name}`), name);
  for (const path of ['/api/holds/{hold}', '/api/exports/{id}/download', '/api/recordings/{camera}/spans', '/api/recordings/{camera}/playlist.m3u8']) {
    assert.ok(Object.keys(doc.paths).includes(path), path);
  }
});
