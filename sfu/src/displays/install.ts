/**
 * The displays feature: duty-room displays that follow pushes from any browser, shared presets and
 * server-side tours, and rules that push a camera on a health alert or an urgent bookmark.
 */
import type { Logger } from 'pino';
import type { ResponseData } from '@wardwall/common';
import type { AppDb } from '@wardwall/server-kit';
import type { Router } from '@wardwall/server-kit';
import type { SignalingServer } from '../signaling/ws-server.js';
import type { Session } from '../signaling/session.js';
import { ANONYMOUS_OPERATOR } from '@wardwall/accounts';
import { DisplayStore } from './store.js';
import { DisplayService } from './display-service.js';
import { displayRoutes } from './routes.js';
import { DisplayRuleEngine, type DisplayRuleEvents } from './rules.js';

export interface DisplaysDeps {
  db: AppDb;
  router: Router;
  signaling: SignalingServer;
  cameraExists: (id: string) => boolean;
  log: Logger;
}

export interface Displays {
  service: DisplayService;
  /** Other features report camera alerts and urgent bookmarks here. */
  rules: DisplayRuleEvents;
  close(): void;
}

const who = (session: Session): string => session.principal?.name ?? ANONYMOUS_OPERATOR.name;

export function installDisplays(deps: DisplaysDeps): Displays {
  const store = new DisplayStore(deps.db);
  const service = new DisplayService({ store, log: deps.log, cameraExists: deps.cameraExists });
  service.on('change', (display) => deps.signaling.broadcast({ type: 'displayState', display }));
  const rules = new DisplayRuleEngine({ rules: () => store.rules(), push: (d, cams, trigger) => service.pushByRule(d, cams, trigger) });
  deps.router.add(...displayRoutes(store, { now: Date.now }));

  // Which display each session shows (one per window), so closing the window marks it offline.
  const shown = new WeakMap<Session, string>();
  const { signaling } = deps;
  signaling.handle('displayRegister', (ctx, session, msg): ResponseData['displayRegister'] => {
    ctx.access.require(session.principal, 'live');
    const before = shown.get(session);
    if (before === msg.name) return { display: service.get(msg.name)! };
    const display = service.attach(msg.name);
    if (before !== undefined) service.detach(before);
    else session.ws.once('close', () => {
      const name = shown.get(session);
      if (name !== undefined) service.detach(name);
    });
    shown.set(session, msg.name);
    return { display };
  }, { permission: 'live' });
  signaling.handle('displayList', (ctx, session): ResponseData['displayList'] => {
    ctx.access.require(session.principal, 'live');
    return { displays: service.list() };
  }, { permission: 'live' });
  signaling.handle('displayPush', (ctx, session, msg): ResponseData['displayPush'] => {
    ctx.access.require(session.principal, 'control');
    if (msg.content.kind === 'camera') ctx.access.require(session.principal, 'live', msg.content.cameraId);
    if (msg.content.kind === 'incident') for (const c of msg.content.cameraIds) ctx.access.require(session.principal, 'live', c);
    return { display: service.push(msg.name, msg.content, who(session)) };
  }, { permission: 'control' });
  signaling.handle('displayTour', (ctx, session, msg): ResponseData['displayTour'] => {
    ctx.access.require(session.principal, 'control');
    return { display: service.tourAction(msg.name, msg.action, who(session)) };
  }, { permission: 'control' });
  return {
    service,
    rules,
    close: () => service.close(),
  };
}
