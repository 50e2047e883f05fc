/**
 * Watching the reference Janus's mountpoint from a page, over Janus's plain HTTP REST API (what
 * janus.js does, without downloading it): create a session, attach janus.plugin.streaming, "watch"
 * the mountpoint, answer the JSEP offer (after ICE gathering: half-trickle, then "completed"),
 * "start", long-poll the session's events (which also keeps it alive), show the stream in a <video>.
 * `watchJanus` resolves once the first frame is presented, with the time since the session's creation
 * (the counterpart of the wall's click → first live frame); `stopJanus` hangs up.
 */
import type { ElementHandle, Page } from 'playwright-core';

export interface JanusWatch {
  /** http://127.0.0.1:<port>/janus (the page is served from the same origin). */
  api: string;
  apiSecret: string;
  mountpoint: number;
  timeoutMs: number;
}

/** Serves an empty page at the API's origin (so its requests are same-origin) and opens it. */
export async function openJanusPage(page: Page, api: string): Promise<void> {
  const url = `${new URL(api).origin}/wardwall-bench.html`;
  await page.route(url, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>Janus reference</title><body style="margin:0"></body>' }));
  await page.goto(url);
}

/** Starts watching; resolves with ms from the session's creation to the first presented frame. */
export function watchJanus(page: Page, w: JanusWatch): Promise<number> {
  return page.evaluate(async (a) => {
    type Reply = { janus: string; sender?: number; data?: { id: number }; jsep?: RTCSessionDescriptionInit; error?: { code: number; reason: string }; plugindata?: { data?: { error?: string } } };
    let n = 0;
    const post = async (path: string, body: Record<string, unknown>): Promise<Reply> => {
      const r = await fetch(a.api + path, { method: 'POST', body: JSON.stringify({ ...body, transaction: `t${++n}`, apisecret: a.apiSecret }) });
      const j = (await r.json()) as Reply;
      if (j.janus === 'error') throw new Error(`janus: ${j.error?.code} ${j.error?.reason}`);
      return j;
    };
    const t0 = performance.now();
    const session = (await post('', { janus: 'create' })).data!.id;
    const handle = (await post(`/${session}`, { janus: 'attach', plugin: 'janus.plugin.streaming' })).data!.id;
    let stopped = false;
    let onJsep: ((j: RTCSessionDescriptionInit) => void) | null = null;
    let onFail: ((e: Error) => void) | null = null;
    const poll = async (): Promise<void> => {
      while (!stopped) {
        try {
          const r = await fetch(`${a.api}/${session}?maxev=1&rid=${Date.now()}&apisecret=${encodeURIComponent(a.apiSecret)}`);
          const e = (await r.json()) as Reply;
          if (e.plugindata?.data?.error) onFail?.(new Error(`janus streaming: ${e.plugindata.data.error}`));
          if (e.jsep && e.sender === handle) onJsep?.(e.jsep);
        } catch (e) {
          if (!stopped) onFail?.(e as Error);
          return;
        }
      }
    };
    const offer = new Promise<RTCSessionDescriptionInit>((resolve, reject) => {
      onJsep = resolve;
      onFail = reject;
    });
    void poll();
    await post(`/${session}/${handle}`, { janus: 'message', body: { request: 'watch', id: a.mountpoint } });
    const pc = new RTCPeerConnection();
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    video.style.width = '1280px';
    document.body.append(video);
    pc.ontrack = (e) => {
      video.srcObject = e.streams[0] ?? new MediaStream([e.track]);
    };
    const first = new Promise<number>((resolve) => video.requestVideoFrameCallback(() => resolve(performance.now() - t0)));
    await pc.setRemoteDescription(await offer);
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
      setTimeout(resolve, 1000); // loopback gathers at once; do not wait for absent interfaces
    });
    await post(`/${session}/${handle}`, { janus: 'message', body: { request: 'start' }, jsep: { type: 'answer', sdp: pc.localDescription!.sdp } });
    await post(`/${session}/${handle}`, { janus: 'trickle', candidate: { completed: true } });
    const keepalive = setInterval(() => void post(`/${session}`, { janus: 'keepalive' }).catch(() => undefined), 20000);
    (window as unknown as { __janus: unknown }).__janus = {
      video,
      stop: async () => {
        stopped = true;
        clearInterval(keepalive);
        pc.close();
        await post(`/${session}`, { janus: 'destroy' }).catch(() => undefined);
      },
    };
    const timeout = new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`Janus: no frame in ${a.timeoutMs} ms`)), a.timeoutMs));
    const failed = new Promise<number>((_, reject) => (onFail = reject));
    return Promise.race([first, timeout, failed]);
  }, w);
}

/** The <video> watchJanus created. */
export async function janusVideo(page: Page): Promise<ElementHandle<HTMLVideoElement>> {
  return (await page.evaluateHandle(() => (window as unknown as { __janus: { video: HTMLVideoElement } }).__janus.video)) as ElementHandle<HTMLVideoElement>;
}

/** Hangs up (closes the peer connection, destroys the session). */
export async function stopJanus(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as { __janus?: { stop: () => Promise<void> } }).__janus?.stop());
}
