/**
 * Test helpers for generated OpenAPI documents: a structural check of OpenAPI 3.1 (the fields the
 * specification requires, path parameters matching their templates, unique operation ids, security
 * schemes that exist) against the route table, and a small JSON Schema validator (the keywords
 * z.toJSONSchema emits) to compare a schema's verdict on sample payloads with zod's. No JSON Schema
 * validator is a dependency of the project, hence this subset.
 */
import assert from 'node:assert/strict';
import { pathTemplates, type Route } from '@wardwall/server-kit';

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Fails with the first structural problem; returns the operations by "METHOD template". */
export function checkOpenApiDocument(doc: Json, routes: readonly Route[]): Map<string, Json> {
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(typeof doc.info?.title, 'string');
  assert.equal(typeof doc.info?.version, 'string');
  assert.equal(typeof doc.paths, 'object');
  const schemes = Object.keys(doc.components?.securitySchemes ?? {});
  const ops = new Map<string, Json>();
  const ids = new Set<string>();
  for (const [template, item] of Object.entries(doc.paths as Record<string, Json>)) {
    assert.match(template, /^\//, `${template}: a path starts with /`);
    const placeholders = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!).sort();
    for (const [method, op] of Object.entries(item)) {
      assert.ok(METHODS.includes(method), `${template}: ${method} is not an HTTP method`);
      const where = `${method.toUpperCase()} ${template}`;
      assert.equal(typeof op.operationId, 'string', `${where}: operationId`);
      assert.ok(!ids.has(op.operationId), `${where}: operationId ${op.operationId} repeats`);
      ids.add(op.operationId);
      assert.ok(op.responses && Object.keys(op.responses).length > 0, `${where}: responses`);
      for (const [status, r] of Object.entries(op.responses as Record<string, Json>)) {
        assert.match(status, /^(default|[1-5]\d\d)$/, `${where}: response key ${status}`);
        assert.equal(typeof r.description, 'string', `${where} ${status}: description is required`);
      }
      const params = (op.parameters ?? []) as Json[];
      const inPath = params.filter((p) => p.in === 'path');
      assert.deepEqual(inPath.map((p) => p.name).sort(), placeholders, `${where}: path parameters match the template`);
      for (const p of params) {
        assert.ok(['path', 'query', 'header', 'cookie'].includes(p.in), `${where}: parameter ${p.name} in ${p.in}`);
        if (p.in === 'path') assert.equal(p.required, true, `${where}: path parameter ${p.name} is required`);
        assert.ok(p.schema && typeof p.schema === 'object', `${where}: parameter ${p.name} has a schema`);
      }
      if (op.requestBody) assert.ok(Object.keys(op.requestBody.content ?? {}).length > 0, `${where}: requestBody.content`);
      for (const req of op.security ?? []) for (const name of Object.keys(req)) assert.ok(schemes.includes(name), `${where}: security scheme ${name} is defined`);
      ops.set(where, op);
    }
  }
  for (const route of routes) {
    for (const template of pathTemplates(route.path).templates) {
      const op = ops.get(`${route.method} ${template}`);
      assert.ok(op, `route ${route.method} ${String(route.path)} is described as ${route.method} ${template}`);
    }
  }
  return ops;
}

/** Whether `value` satisfies `schema` (the subset of draft 2020-12 that z.toJSONSchema writes). */
export function satisfies(schema: Json, value: unknown): boolean {
  if (schema.$ref || schema.$defs) throw new Error('references are not supported by this checker');
  if (schema.anyOf && !(schema.anyOf as Json[]).some((s) => satisfies(s, value))) return false;
  if (schema.oneOf && (schema.oneOf as Json[]).filter((s) => satisfies(s, value)).length !== 1) return false;
  if (schema.allOf && !(schema.allOf as Json[]).every((s) => satisfies(s, value))) return false;
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) return false;
  if (schema.enum && !(schema.enum as unknown[]).some((e) => JSON.stringify(e) === JSON.stringify(value))) return false;
  if (schema.type !== undefined) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeOk(t, value))) return false;
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && [...value].length < schema.minLength) return false;
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) return false;
    if (schema.pattern !== undefined && !patternOf(schema.pattern).test(value)) return false;
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) return false;
    if (schema.maximum !== undefined && value > schema.maximum) return false;
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) return false;
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) return false;
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) return false;
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return false;
    if (schema.items && !value.every((v) => satisfies(schema.items, v))) return false;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Json>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in obj)) return false;
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) {
        if (!satisfies(props[k], v)) return false;
      } else if (schema.additionalProperties === false) return false;
      else if (typeof schema.additionalProperties === 'object' && !satisfies(schema.additionalProperties, v)) return false;
    }
  }
  return true;
}

function patternOf(source: string): RegExp {
  try {
    return new RegExp(source, 'u');
  } catch {
    return new RegExp(source);
  }
}

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'null':
      return v === null;
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    default:
      return typeof v === t;
  }
}
