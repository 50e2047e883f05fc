import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '@wardwall/common';
import { schematicSvg } from '../src/map/schematic.js';
import { loadMapBackground } from '../src/map/install-map.js';

test('schematic: one path per street, names escaped, on the 1000 x 1000 map', () => {
  const svg = schematicSvg(
    [
      { name: 'Lê Lợi', points: [[0, 300], [1000, 300]] },
      { name: 'Hẻm <12> & "x"', points: [[300, 480], [700, 480]] },
    ],
    'Phường',
  );
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 1000 1000"/);
  assert.equal((svg.match(/class="road"/g) ?? []).length, 1);
  assert.equal((svg.match(/class="alley"/g) ?? []).length, 1);
  assert.match(svg, /d="M0 300 L1000 300"/);
  assert.ok(svg.includes('Lê Lợi'));
  assert.ok(!svg.includes('<12>') && svg.includes('&#60;12&#62; &#38; &#34;x&#34;'));
  assert.ok(!/<script/i.test(svg));
});

test('map background: generated for the embedded default, a configured file otherwise; bad files name the key', () => {
  const demo = loadMapBackground(resolveConfig({}));
  assert.equal(demo.type, 'image/svg+xml');
  assert.match(demo.body.toString(), /Nguyễn Trãi/);
  const none = loadMapBackground(resolveConfig({ cameras: [{ id: 'a', name: 'A', main: 'rtsp://h/a' }] }));
  assert.ok(!none.body.toString().includes('Nguyễn Trãi'), 'no demo streets without the demo cameras');

  const dir = mkdtempSync(join(tmpdir(), 'wardwall-map-'));
  const png = join(dir, 'ward.PNG');
  writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  const got = loadMapBackground(resolveConfig({ map: { background: png } }));
  assert.equal(got.type, 'image/png');
  assert.equal(got.body.length, 4);
  assert.throws(() => loadMapBackground(resolveConfig({ map: { background: join(dir, 'missing.svg') } })), /config error: map\.background: cannot read the file \(ENOENT\)/);
  const gif = join(dir, 'ward.gif');
  writeFileSync(gif, 'GIF89a');
  assert.throws(() => loadMapBackground(resolveConfig({ map: { background: gif } })), /config error: map\.background: must be an \.svg/);
});
