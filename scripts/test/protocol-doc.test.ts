import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CLIENT_MESSAGE_TYPES, clientMessageSchema } from '@wardwall/common';
import { brief, PUSHED_TYPES, renderProtocolDoc } from '../protocol-doc.js';
import { PROTOCOL_DOC } from '../docs-protocol.js';

test('docs/protocol.md is what `npm run docs:protocol` writes from the current schemas', () => {
  const committed = readFileSync(PROTOCOL_DOC, 'utf8');
  assert.ok(committed === renderProtocolDoc(), 'docs/protocol.md is out of date: run `npm run docs:protocol` and commit it');
});

test('every request type is documented with the JSON Schema zod makes of it', () => {
  const doc = renderProtocolDoc();
  for (const type of CLIENT_MESSAGE_TYPES) assert.match(doc, new RegExp(`^### ${type}$`, 'm'), type);
  const consume = clientMessageSchema.options.find((o) => o.shape.type.value === 'consume')!;
  const { $schema: _drop, ...schema } = z.toJSONSchema(consume, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  assert.ok(doc.includes(JSON.stringify(schema, null, 2)));
  assert.match(doc, /\| `stream` \| yes \| "main" \\\| "sub" \|/);
  assert.match(doc, /\| `media` \| no \| "video" \\\| "audio" \\\| "bridge" \|/);
});

test('the pushed message types are those of the ServerMessage type', () => {
  const src = readFileSync(fileURLToPath(new URL('../../common/src/protocol.ts', import.meta.url)), 'utf8');
  const block = /export type ServerMessage =([\s\S]*?);\n/.exec(src)![1]!;
  const types = [...new Set([...block.matchAll(/\{ type: '(\w+)'/g)].map((m) => m[1]!))].filter((t) => t !== 'response');
  assert.deepEqual([...types].sort(), [...PUSHED_TYPES].sort());
});

test('brief: a schema in a few words', () => {
  assert.equal(brief({ type: 'string', minLength: 1, maxLength: 64 }), 'string (1–64 chars)');
  assert.equal(brief({ type: 'integer', minimum: 0 }), 'integer (≥ 0)');
  assert.equal(brief({ anyOf: [{ type: 'string' }, { type: 'null' }] }), 'string \\| null');
  assert.equal(brief({ type: 'array', items: { type: 'string' }, maxItems: 3 }), 'array of string (at most 3)');
  assert.equal(brief({}), 'any JSON');
});
