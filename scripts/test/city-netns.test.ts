import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nfqueueRule, nfqueueNumber, cutCommand, DEFAULT_SHAPE, execInArgs, ownNamespaces, qdiscArgs, restoreCommand, setupCommands, shapeCommands, teardownCommands, wardLinkPlan } from '../city/netns.js';

test('a ward link plan: prefixed names within 15 characters, a /30 of its own', () => {
  const p = wardLinkPlan('wwcity', 12);
  assert.deepEqual(p, { index: 12, ns: 'wwcity-ward12', hostIf: 'wwcity12c', wardIf: 'wwcity12w', hostIp: '10.77.12.1', wardIp: '10.77.12.2', prefixLen: 30 });
  const widest = wardLinkPlan('abcdefghi', 252);
  assert.ok(widest.hostIf.length <= 15 && widest.wardIf.length <= 15);
  assert.notEqual(wardLinkPlan('wwcity', 1).hostIp, wardLinkPlan('wwcity', 2).hostIp);
});

test('bad prefixes and indexes are refused', () => {
  for (const prefix of ['', 'Ww', '1ab', 'abcdefghij', 'a-b', 'a b']) assert.throws(() => wardLinkPlan(prefix, 0), /netns prefix/);
  for (const index of [-1, 253, 1.5, Number.NaN]) assert.throws(() => wardLinkPlan('ww', index), /ward index/);
});

test('setup: namespace, veth with its peer inside, addresses, links and loopback up', () => {
  const p = wardLinkPlan('ww', 3);
  assert.deepEqual(
    setupCommands(p).map((c) => `${c.cmd} ${c.args.join(' ')}`),
    [
      'ip netns add ww-ward3',
      'ip link add ww3c type veth peer name ww3w netns ww-ward3',
      'ip addr add 10.77.3.1/30 dev ww3c',
      'ip link set ww3c up',
      'ip -n ww-ward3 addr add 10.77.3.2/30 dev ww3w',
      'ip -n ww-ward3 link set ww3w up',
      'ip -n ww-ward3 link set lo up',
      'ip route add unreachable 10.77.3.0/30 metric 4000',
    ],
  );
});

test('shaping: netem with delay, loss and rate on both ends; tbf carries the rate only', () => {
  const p = wardLinkPlan('ww', 3);
  assert.deepEqual(qdiscArgs(DEFAULT_SHAPE, 'netem'), ['netem', 'delay', '30ms', 'loss', '1%', 'rate', '20mbit']);
  assert.deepEqual(
    shapeCommands(p, { delayMs: 50, lossPct: 0.5, rateMbit: 8 }, 'netem').map((c) => `${c.cmd} ${c.args.join(' ')}`),
    ['tc -n ww-ward3 qdisc replace dev ww3w root netem delay 50ms loss 0.5% rate 8mbit', 'tc qdisc replace dev ww3c root netem delay 50ms loss 0.5% rate 8mbit'],
  );
  const tbf = qdiscArgs(DEFAULT_SHAPE, 'tbf');
  assert.deepEqual(tbf.slice(0, 3), ['tbf', 'rate', '20mbit']);
  assert.ok(Number(tbf[tbf.indexOf('burst') + 1]) >= 16 * 1024);
  assert.throws(() => qdiscArgs({ ...DEFAULT_SHAPE, rateMbit: 0 }, 'netem'), /rateMbit/);
  assert.throws(() => qdiscArgs({ ...DEFAULT_SHAPE, lossPct: 101 }, 'netem'), /lossPct/);
  assert.throws(() => qdiscArgs({ ...DEFAULT_SHAPE, delayMs: -1 }, 'netem'), /delayMs/);
});

test('cut, restore, teardown and exec act on this plan only', () => {
  const p = wardLinkPlan('ww', 4);
  assert.deepEqual(cutCommand(p).args, ['link', 'set', 'ww4c', 'down']);
  assert.deepEqual(restoreCommand(p).args, ['link', 'set', 'ww4c', 'up']);
  assert.deepEqual(teardownCommands(p).map((c) => c.args.join(' ')), ['netns del ww-ward4', 'link del ww4c', 'route del unreachable 10.77.4.0/30 metric 4000']);
  assert.deepEqual(execInArgs(p, 'gst-launch-1.0', ['-q', 'x']), { command: 'ip', args: ['netns', 'exec', 'ww-ward4', 'gst-launch-1.0', '-q', 'x'] });
});

test('cleanup finds only the namespaces of its own prefix', () => {
  const listing = 'ww-ward1 (id: 3)\nwwx-ward2 (id: 4)\nother\nww-ward10\nww-wardX\n ww-ward2 (id: 5)\n';
  assert.deepEqual(ownNamespaces(listing, 'ww'), ['ww-ward1', 'ww-ward10', 'ww-ward2']);
});

test('user-space delay: an NFQUEUE rule per end, queue numbers apart per ward in the root namespace', () => {
  const p = wardLinkPlan('ww', 7);
  assert.deepEqual(nfqueueRule(p, 'ward', '-A'), { cmd: 'ip', args: ['netns', 'exec', 'ww-ward7', 'iptables', '-t', 'mangle', '-A', 'POSTROUTING', '-o', 'ww7w', '-j', 'NFQUEUE', '--queue-num', '1', '--queue-bypass'] });
  assert.deepEqual(nfqueueRule(p, 'centre', '-D'), { cmd: 'iptables', args: ['-t', 'mangle', '-D', 'POSTROUTING', '-o', 'ww7c', '-j', 'NFQUEUE', '--queue-num', '7707', '--queue-bypass'] });
  assert.notEqual(nfqueueNumber(wardLinkPlan('ww', 1), 'centre'), nfqueueNumber(wardLinkPlan('ww', 2), 'centre'));
});
