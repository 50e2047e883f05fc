// The centre's own address in a city of namespaces (scripts/city/netns.ts): pure command builders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centreAddress, centreAddressCommand, centreRouteCommand, wardLinkPlan } from '../city/netns.js';

test('centre address: 10.77.0.<slot> on the root loopback, routed from each ward over its own link', () => {
  assert.equal(centreAddress(1), '10.77.0.1');
  assert.equal(centreAddress(254), '10.77.0.254');
  for (const bad of [0, 255, 1.5, Number.NaN]) assert.throws(() => centreAddress(bad), /slot/);
  assert.deepEqual(centreAddressCommand('10.77.0.3', 'add'), { cmd: 'ip', args: ['addr', 'add', '10.77.0.3/32', 'dev', 'lo'] });
  assert.deepEqual(centreAddressCommand('10.77.0.3', 'del').args, ['addr', 'del', '10.77.0.3/32', 'dev', 'lo']);
  const p = wardLinkPlan('wwdemo', 2);
  assert.deepEqual(centreRouteCommand(p, '10.77.0.1'), { cmd: 'ip', args: ['-n', 'wwdemo-ward2', 'route', 'replace', '10.77.0.1/32', 'via', '10.77.2.1', 'dev', 'wwdemo2w'] });
});
