import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { jsonSchemaOf, openApiDocument, openApiRoute, pathTemplates, type Route } from '../src/index.js';
import { checkOpenApiDocument, satisfies } from '@wardwall/testing/openapi-check';

test('route paths become OpenAPI templates with their parameters', () => {
  assert.deepEqual(pathTemplates('/api/health'), { templates: ['/api/health'], params: [] });
  const still = pathTemplates(/^\/api\/cameras\/(?<id>[^/]+)\/still$/);
  assert.deepEqual(still.templates, ['/api/cameras/{id}/still']);
  assert.deepEqual(still.params, [{ name: 'id', pattern: '^(?:[^/]+)$', multiSegment: false }]);
  assert.deepEqual(pathTemplates(/^\/api\/alerts\/(?<id>\d{1,15})\/ack$/).params[0]!.pattern, '^(?:\\d{1,15})$');
  assert.deepEqual(pathTemplates(/^\/api\/exports\/[^/]+(?:\/download|\/verify)?$/).templates, ['/api/exports/{id}', '/api/exports/{id}/download', '/api/exports/{id}/verify']);
  assert.deepEqual(pathTemplates(/^\/api\/recorder\/(?:health|cameras|station-key)$/).templates, ['/api/recorder/health', '/api/recorder/cameras', '/api/recorder/station-key']);
  const rest = pathTemplates(/^\/api\/recordings\/(?<camera>[^/]+)\/.+$/);
  assert.deepEqual(rest.templates, ['/api/recordings/{camera}/{rest}']);
  assert.equal(rest.params[1]!.multiSegment, true);
  assert.deepEqual(pathTemplates(/^\/api\/recordings\/(?<camera>[^/]+)\/media\/(?<segment>[^/]+)\.mp4$/).templates, ['/api/recordings/{camera}/media/{segment}.mp4']);
  assert.deepEqual(pathTemplates(new RegExp('^/api/presets/(?<id>[a-z0-9-]{1,64})$')).templates, ['/api/presets/{id}']);
  assert.deepEqual(pathTemplates(/^\/a\/[^/]+\/b\/[^/]+$/).templates, ['/a/{id}/b/{id2}']);
  // What a template cannot say is refused, not misstated.
  for (const bad of [/\/api\/x$/, /^\/api\/x/, /^\/api\/x+$/, /^\/api\/(?:a|b)+$/, /^\/api\/x$/i, /^\/api\/(a)$/]) assert.throws(() => pathTemplates(bad), /route path/, String(bad));
});

const itemBody = z.object({ name: z.string().trim().min(1).max(20), count: z.number().int().min(0).max(10).default(1), tags: z.array(z.enum(['a', 'b'])).max(2).optional(), note: z.string().nullable().optional() }).strict();
const listQuery = z.object({ from: z.string().regex(/^\d+$/), limit: z.string().optional() }).strict();
const routes: Route[] = [
  { method: 'GET', path: '/api/health', access: 'public', handle: () => ({}) },
  { method: 'GET', path: '/api/items', access: 'session', doc: { summary: 'List items.', query: listQuery }, handle: () => ({}) },
  { method: 'POST', path: '/api/items', access: { permission: 'edit' }, doc: { body: itemBody, status: 201 }, handle: () => ({}) },
  { method: 'DELETE', path: /^\/api\/items\/(?<id>[a-z0-9]{1,8})$/, access: { permission: 'edit' }, handle: () => ({}) },
  { method: 'GET', path: /^\/api\/cams\/(?<cam>[^/]+)\/still$/, access: { permission: 'live', camera: 'cam' }, doc: { replyType: 'image/jpeg' }, handle: () => ({}) },
  { method: 'GET', path: /^\/api\/exports\/[^/]+(?:\/download|\/verify)?$/, access: { permission: 'export' }, handle: () => ({}) },
  { method: 'GET', path: '/api/me', access: 'session', doc: { reply: z.object({ name: z.string() }) }, handle: () => ({}) },
  { method: 'POST', path: '/form', access: 'public', doc: { body: z.object({ a: z.enum(['x']) }), bodyType: 'application/x-www-form-urlencoded', status: 303 }, handle: () => ({}) },
];

test('the document is OpenAPI 3.1 in structure and describes every route of the table', () => {
  const doc = openApiDocument(routes, { title: 'T', version: '1', sessionCookie: 'ww_session' }) as Record<string, any>;
  const ops = checkOpenApiDocument(doc, routes);
  assert.equal(ops.size, 10);
  const form = ops.get('POST /form')!;
  assert.deepEqual(Object.keys(form.requestBody.content), ['application/x-www-form-urlencoded']);
  assert.deepEqual(form.responses['303'], { description: 'Redirect (Location header)' });
  assert.deepEqual(doc.components.securitySchemes.session, { type: 'apiKey', in: 'cookie', name: 'ww_session' });
  // Access: public needs no session; others name the scheme and carry the rule.
  assert.deepEqual(ops.get('GET /api/health')!.security, []);
  assert.deepEqual(ops.get('POST /api/items')!.security, [{ session: [] }]);
  assert.deepEqual(ops.get('GET /api/cams/{cam}/still')!['x-access'], { permission: 'live', camera: 'cam' });
  assert.match(ops.get('GET /api/cams/{cam}/still')!.description, /permission `live` for the camera named by path parameter `cam`/);
  assert.ok(ops.get('GET /api/cams/{cam}/still')!.responses['200'].content['image/jpeg']);
  assert.deepEqual(ops.get('DELETE /api/items/{id}')!.parameters, [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^(?:[a-z0-9]{1,8})$' } }]);
  assert.ok(ops.get('GET /api/exports/{id}/verify'));
  // Without a body schema: no requestBody, still described.
  assert.equal(ops.get('DELETE /api/items/{id}')!.requestBody, undefined);
  assert.ok(ops.get('POST /api/items')!.responses['201']);
  assert.deepEqual(ops.get('GET /api/me')!.responses['200'].content['application/json'].schema, jsonSchemaOf(z.object({ name: z.string() }), 'output'));
  const q = ops.get('GET /api/items')!.parameters as Record<string, any>[];
  assert.deepEqual(q.map((p) => [p.name, p.in, p.required]), [['from', 'query', true], ['limit', 'query', false]]);
});

test("a route's body schema says what its zod schema says on sample payloads", () => {
  const doc = openApiDocument(routes, { title: 'T', version: '1' }) as Record<string, any>;
  const schema = doc.paths['/api/items'].post.requestBody.content['application/json'].schema;
  assert.equal(schema.$schema, undefined);
  const samples: unknown[] = [
    { name: 'x' },
    { name: 'x', count: 3, tags: ['a', 'b'], note: null },
    { name: 'x', note: 'n' },
    {},
    { name: '' },
    { name: 'x'.repeat(21) },
    { name: 'x', count: 1.5 },
    { name: 'x', count: 11 },
    { name: 'x', tags: ['c'] },
    { name: 'x', tags: ['a', 'a', 'b'] },
    { name: 'x', other: 1 },
    { name: 3 },
    [],
    null,
    'x',
  ];
  let accepted = 0;
  for (const s of samples) {
    const byZod = itemBody.safeParse(s).success;
    assert.equal(satisfies(schema, s), byZod, `${JSON.stringify(s)}: zod says ${byZod}`);
    if (byZod) accepted++;
  }
  assert.equal(accepted, 3);
});

test('GET /api/openapi.json is itself a route of the table, needs a session, and follows routes added later', async () => {
  const table: Route[] = [...routes];
  const route = openApiRoute(() => table, { title: 'T', version: '1', sessionCookie: 'ww_session' });
  table.push(route);
  assert.equal(route.access, 'session');
  const first = (await route.handle({} as never)) as Record<string, any>;
  checkOpenApiDocument(first, table);
  assert.ok(first.paths['/api/openapi.json'].get);
  table.push({ method: 'PUT', path: '/api/later', access: 'session', handle: () => ({}) });
  const second = (await route.handle({} as never)) as Record<string, any>;
  assert.ok(second.paths['/api/later'].put);
});

test('a route shadowed by an earlier one with the same method and path is described once (the router runs the first)', () => {
  const doc = openApiDocument([routes[0]!, { ...routes[0]!, doc: { summary: 'never runs' } }], { title: 'T', version: '1' }) as Record<string, any>;
  assert.equal(doc.paths['/api/health'].get.summary, undefined);
});
