/**
 * A camera outage is a gap, never fake video: unplug a demo camera while it is recorded, and the
 * review timeline shows its row split around the outage while the other camera's row is whole.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, PAGE_SHIM } from '@wardwall/testing/browser';
import { hcmDateInput, hcmTimeText } from '@wardwall/client/core/hcm-time';

let sys: TestSystem;
let browser: Browser;
let page: Page;

before(async () => {
  sys = await startTestSystem({ demoCount: 2, withSub: 0, workers: 1, recorder: true });
  await waitFor('cameras live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live'), 30000);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript(PAGE_SHIM);
});
after(async () => {
  await browser?.close();
  await sys?.close();
});

type Spans = { spans: { startMs: number; endMs: number }[] };
const spansOf = async (cam: string, from: number) => (await (await fetch(`${sys.sfu.url}api/recordings/${cam}/spans?from=${from}&to=${Date.now() + 1000}`)).json()) as Spans;

test('an unplugged camera leaves a gap in its spans and on the review timeline', async () => {
  const t0 = Date.now();
  await waitFor('8 s recorded', async () => (await spansOf('demo-2', t0 - 60_000)).spans.some((s) => s.endMs - s.startMs > 8000), 40000, 500);
  await sys.embedded.demo!.stop('demo-2');
  const unplugged = Date.now();
  await new Promise((r) => setTimeout(r, 8000));
  sys.embedded.demo!.start('demo-2');
  await waitFor('demo-2 recording again', async () => (await spansOf('demo-2', unplugged - 60_000)).spans.some((s) => s.startMs > unplugged + 2000), 40000, 500);
  const api = await spansOf('demo-2', unplugged - 60_000);
  const gap = api.spans.findIndex((s) => s.startMs > unplugged);
  assert.ok(gap >= 1, JSON.stringify(api.spans));
  assert.ok(api.spans[gap]!.startMs - api.spans[gap - 1]!.endMs >= 6000, 'the outage is a gap of about its length');

  await page.goto(sys.sfu.url);
  await page.locator('[data-mode="review"]').first().click();
  for (const c of ['demo-1', 'demo-2']) await page.locator(`[data-review-camera="${c}"]`).check();
  const at = unplugged - 3000;
  await page.locator('ww-review [data-field="date"]').fill(hcmDateInput(at));
  await page.locator('ww-review [data-field="time"]').fill(hcmTimeText(at));
  await page.locator('ww-review [data-action="open"]').click();
  await waitFor('demo-2 row split by the gap', async () => (await page.locator('ww-timeline [data-timeline-camera="demo-2"] .span').count()) >= 2, 15000, 200).catch(async (e) => {
    const counts = await page.locator('ww-timeline .span').count();
    throw new Error(`${(e as Error).message}; spans in the timeline: ${counts}`);
  });
  assert.equal(await page.locator('ww-timeline [data-timeline-camera="demo-1"] .span').count(), 1, 'demo-1 recorded without a gap');
});
