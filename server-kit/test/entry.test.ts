import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIST_CONDITION, siblingEntryArgs } from '../src/entry.js';

test('a sibling module runs the way its caller runs: through tsx from source, with the dist condition from the build', () => {
  assert.deepEqual(siblingEntryArgs('file:///app/endpoint/src/embedded-endpoint.ts', 'endpoint-main'), ['--import', 'tsx', '/app/endpoint/src/endpoint-main.ts']);
  assert.deepEqual(siblingEntryArgs('file:///app/endpoint/dist/embedded-endpoint.js', 'endpoint-main'), [`--conditions=${DIST_CONDITION}`, '/app/endpoint/dist/endpoint-main.js']);
  assert.equal(DIST_CONDITION, 'wardwall-dist');
});
