import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientMessage } from '../src/protocol.js';

const MAX = 65536;
const cases: [string, string, string | null, number | null][] = [
  ['not JSON', '{oops', 'BAD_MESSAGE', null],
  ['array', '[1,2]', 'BAD_MESSAGE', null],
  ['no type', '{"id":3}', 'BAD_MESSAGE', 3],
  ['unknown type', '{"id":4,"type":"explode"}', 'UNKNOWN_TYPE', 4],
  ['missing field', '{"id":5,"type":"consume","transportId":"t"}', 'BAD_MESSAGE', 5],
  ['bad camera id', '{"id":6,"type":"consume","transportId":"t","cameraId":"../etc","stream":"main","rtpCapabilities":{}}', 'BAD_MESSAGE', 6],
  ['bad stream', '{"id":7,"type":"consume","transportId":"t","cameraId":"c1","stream":"hd","rtpCapabilities":{}}', 'BAD_MESSAGE', 7],
  ['extra field', '{"id":8,"type":"ping","x":1}', 'BAD_MESSAGE', 8],
  ['negative id', '{"id":-1,"type":"ping"}', 'BAD_MESSAGE', null],
  ['oversized', JSON.stringify({ id: 9, type: 'ping', pad: 'x'.repeat(MAX) }), 'MESSAGE_TOO_LARGE', null],
];
for (const [name, raw, code, id] of cases) {
  test(`rejects ${name} with ${code}`, () => {
    const r = parseClientMessage(raw, MAX);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, code);
      assert.equal(r.id, id);
      assert.ok(r.error.message.length > 0);
    }
  });
}

test('accepts a valid consume', () => {
  const r = parseClientMessage(JSON.stringify({ id: 1, type: 'consume', transportId: 't1', cameraId: 'demo-1', stream: 'sub', rtpCapabilities: { codecs: [] } }), MAX);
  assert.ok(r.ok);
  if (r.ok) assert.equal(r.message.type, 'consume');
});
