/** PTZ pure parts and the ONVIF client against the loopback responder (no SFU). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OnvifClient, OnvifError, envelope, passwordDigest, soapBody, velocityXml } from '../src/ptz/onvif-client.js';
import { directionOf } from '../src/ptz/install.js';
import { startOnvifResponder } from '@wardwall/testing/onvif';

test('WS-Security password digest: the ONVIF programmers guide example', () => {
  assert.equal(passwordDigest(Buffer.from('LKqI6G/AikKCQrN0zqZFlg==', 'base64'), '2010-09-16T07:50:45Z', 'userpassword'), 'tuOSpGlFlIXsozq4HFNeeGeFLEI=');
});

test('envelope escapes the user name; velocities are clamped to [-1, 1]', () => {
  const x = envelope('<x/>', { user: 'a<b&"', password: 'p', created: '2026-01-01T00:00:00Z', nonce: Buffer.alloc(16) });
  assert.match(x, /<wsse:Username>a&lt;b&amp;&quot;<\/wsse:Username>/);
  assert.ok(!x.includes('>p<'), 'the password itself is never sent');
  assert.equal(velocityXml({ pan: 5, tilt: -7, zoom: Number.NaN }), '<tptz:Velocity><tt:PanTilt x="1.000" y="-1.000"/><tt:Zoom x="0.000"/></tptz:Velocity>');
});

test('direction names for the audit trail', () => {
  assert.equal(directionOf({ pan: 0.5, tilt: 0.2, zoom: 0 }), 'up+right');
  assert.equal(directionOf({ pan: -0.5, tilt: -0.5, zoom: 0.3 }), 'down+left+zoom-in');
  assert.equal(directionOf({ pan: 0.01, tilt: 0, zoom: 0 }), 'none');
});

test('SOAP faults: NotAuthorized is an auth error, others a fault, garbage a bad reply', () => {
  const fault = (sub: string) =>
    `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>${sub}</s:Value></s:Subcode></s:Code><s:Reason><s:Text>r</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`;
  assert.throws(() => soapBody(fault('ter:NotAuthorized')), (e: unknown) => e instanceof OnvifError && e.kind === 'auth');
  assert.throws(() => soapBody(fault('ter:NoToken')), (e: unknown) => e instanceof OnvifError && e.kind === 'fault');
  assert.throws(() => soapBody('<html>nope</html>'), (e: unknown) => e instanceof OnvifError && e.kind === 'bad_reply');
});

test('ONVIF client against the responder: moves, stops, presets; a camera reporting another host is still reached where configured; its clock offset is applied', async () => {
  const cam = await startOnvifResponder({ reportHost: '192.0.2.10:8899', clockOffsetMs: 3 * 3600_000 });
  try {
    const c = new OnvifClient({ url: cam.url, user: 'ptzadmin', password: 'ptz-secret' }, { timeoutMs: 2000 });
    await c.continuousMove({ pan: 0.5, tilt: -0.25, zoom: 0 }, 2);
    await c.stop();
    assert.deepEqual(await c.presets(), [
      { token: '1', name: 'Cổng chính' },
      { token: '2', name: 'Ngã tư' },
    ]);
    await c.gotoPreset('2');
    const mv = cam.ops('ContinuousMove')[0]!;
    assert.deepEqual([mv.profile, mv.pan, mv.tilt, mv.zoom, mv.timeout], ['prof-main', 0.5, -0.25, 0, 'PT2.0S'], 'the profile with a PTZ configuration is chosen');
    assert.equal(cam.ops('Stop').length, 1);
    assert.equal(cam.ops('GotoPreset')[0]!.preset, '2');
    assert.ok(cam.commands.every((x) => x.ok), JSON.stringify(cam.commands));
    await assert.rejects(c.gotoPreset('99'), (e: unknown) => e instanceof OnvifError && e.kind === 'fault');

    const wrong = new OnvifClient({ url: cam.url, user: 'ptzadmin', password: 'nope' }, { timeoutMs: 2000 });
    await assert.rejects(wrong.stop(), (e: unknown) => e instanceof OnvifError && e.kind === 'auth');
    assert.equal(cam.commands.at(-1)!.reason, 'wrong password digest');
  } finally {
    await cam.close();
  }
  const fixed = await startOnvifResponder({ noPtz: true });
  try {
    await assert.rejects(new OnvifClient({ url: fixed.url, user: 'ptzadmin', password: 'ptz-secret' }).stop(), (e: unknown) => e instanceof OnvifError && e.kind === 'no_ptz');
  } finally {
    await fixed.close();
  }
  await assert.rejects(new OnvifClient({ url: 'http://127.0.0.1:1/onvif/device_service', user: 'a', password: 'b' }, { timeoutMs: 1000 }).stop(), (e: unknown) => e instanceof OnvifError && e.kind === 'unreachable');
});
