/**
 * An OpenAPI 3.1 description of a route table, generated from the routes themselves: method, path
 * (RegExp -> template, see route-path.ts), path parameters, the access each route needs, and the
 * request body / query / reply schemas the routes declare (`Route.doc`, zod schemas turned into
 * JSON Schema by zod's own `z.toJSONSchema`). Nothing is written by hand, so the description cannot
 * drift from the table. Served by `openApiRoute` at GET /api/openapi.json.
 */
import { z } from 'zod';
import type { Route, RouteAccess } from './router.js';
import { pathTemplates } from './route-path.js';

export const OPENAPI_PATH = '/api/openapi.json';

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
  /** The session cookie's name; routes that need a session name it as their security scheme. */
  sessionCookie?: string;
}

type Json = Record<string, unknown>;

/** A zod schema as a JSON Schema (draft 2020-12, OpenAPI 3.1's dialect) without the `$schema` key. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  return rest;
}

const ERROR_SCHEMA: Json = {
  type: 'object',
  properties: { code: { type: 'string', description: 'A stable error code (common/src/errors.ts).' }, message: { type: 'string' } },
  required: ['code', 'message'],
};

/** 204 and redirects carry no body. */
const noContent = (status: number | undefined) => status === 204 || (status !== undefined && status >= 300 && status < 400);

/** In words, for the operation's description. */
export function accessText(access: RouteAccess): string {
  if (access === 'public') return 'No session needed.';
  if (access === 'session') return 'Needs a signed-in session.';
  const camera = access.camera ? ` for the camera named by path parameter \`${access.camera}\`` : '';
  return `Needs permission \`${access.permission}\`${camera}.`;
}

function operationId(method: string, template: string, taken: Set<string>): string {
  const words = template.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1));
  const base = method.toLowerCase() + words.join('');
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}${n}`;
  taken.add(id);
  return id;
}

/** The query schema's top-level properties as query parameters. */
function queryParameters(schema: z.ZodType): Json[] {
  const js = jsonSchemaOf(schema, 'input');
  const props = (js.properties ?? {}) as Record<string, Json>;
  const required = new Set((js.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({ name, in: 'query', required: required.has(name), schema: s }));
}

/** The OpenAPI 3.1 document of `routes`. A route whose method and path repeat an earlier one is shadowed (the router runs the first) and left out. */
export function openApiDocument(routes: readonly Route[], info: OpenApiInfo): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const ids = new Set<string>();
  const session = info.sessionCookie !== undefined;
  for (const route of routes) {
    const { templates, params } = pathTemplates(route.path);
    for (const template of templates) {
      const method = route.method.toLowerCase();
      const item = (paths[template] ??= {});
      if (item[method]) continue;
      const used = params.filter((p) => template.includes(`{${p.name}}`));
      const parameters: Json[] = used.map((p) => ({
        name: p.name,
        in: 'path',
        required: true,
        schema: { type: 'string', pattern: p.pattern },
        ...(p.multiSegment ? { description: 'One or more path segments ("/" included, not percent-encoded).' } : {}),
      }));
      if (route.doc?.query) parameters.push(...queryParameters(route.doc.query));
      const doc = route.doc;
      const okContent = doc?.replyType
        ? { [doc.replyType]: { schema: {} } }
        : { 'application/json': { schema: doc?.reply ? jsonSchemaOf(doc.reply, 'output') : {} } };
      const op: Json = {
        operationId: operationId(route.method, template, ids),
        ...(doc?.summary ? { summary: doc.summary } : {}),
        description: accessText(route.access),
        ...(parameters.length ? { parameters } : {}),
        ...(doc?.body ? { requestBody: { required: true, content: { [doc.bodyType ?? 'application/json']: { schema: jsonSchemaOf(doc.body, 'input') } } } } : {}),
        responses: {
          [String(doc?.status ?? 200)]: noContent(doc?.status) ? { description: doc!.status! >= 300 ? 'Redirect (Location header)' : 'Done' } : { description: 'Done', content: okContent },
          default: { description: 'An error: `{code, message}` with the HTTP status of its kind.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        },
        security: route.access === 'public' || !session ? [] : [{ session: [] }],
        'x-access': route.access,
      };
      item[method] = op;
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, ...(info.description ? { description: info.description } : {}) },
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      ...(session ? { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: info.sessionCookie } } } : {}),
    },
  };
}

/**
 * GET /api/openapi.json: the description of `routes()` (read per request, so routes added later
 * appear). Needs a session, like the rest of the API.
 */
export function openApiRoute(routes: () => readonly Route[], info: OpenApiInfo): Route {
  let cached: { count: number; doc: Json } | null = null;
  return {
    method: 'GET',
    path: OPENAPI_PATH,
    access: 'session',
    doc: { summary: 'This description (OpenAPI 3.1).' },
    handle: () => {
      const list = routes();
      if (!cached || cached.count !== list.length) cached = { count: list.length, doc: openApiDocument(list, info) };
      return cached.doc;
    },
  };
}
