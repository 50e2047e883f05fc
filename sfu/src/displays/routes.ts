/** REST routes of presets, tours and display rules (shared by the team, saved on the server). */
import { AppError, ErrorCode, displayRuleInputSchema, presetInputSchema, tourInputSchema, type DisplayRule, type Preset, type Tour } from '@wardwall/common';
import type { z } from 'zod';
import { ANONYMOUS_OPERATOR } from '@wardwall/accounts';
import { plainIssueError, readBody, type RequestContext, type Route } from '@wardwall/server-kit';
import type { DisplayStore } from './store.js';

/** The author of a change: the guard's principal, or the local operator while access is open. */
export function authorOf(principal: unknown): string {
  const name = (principal as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && name ? name : ANONYMOUS_OPERATOR.name;
}

async function parseBody<S extends z.ZodType>(ctx: RequestContext, schema: S): Promise<z.infer<S>> {
  return readBody(ctx.req, schema as z.ZodType<z.infer<S>>, { error: plainIssueError });
}

const ID = '(?<id>[a-z0-9-]{1,64})';
const notFound = (what: string) => new AppError(ErrorCode.NOT_FOUND, `no such ${what}`, 404);

export function displayRoutes(store: DisplayStore, deps: { now: () => number }): Route[] {
  const control = { permission: 'control' } as const;
  return [
    { method: 'GET', path: '/api/presets', access: 'session', handle: (): { presets: Preset[] } => ({ presets: store.presets() }) },
    {
      method: 'POST',
      path: '/api/presets',
      access: control,
      doc: { summary: 'Save a wall preset.', body: presetInputSchema },
      handle: async (ctx) => ({ preset: store.savePreset(await parseBody(ctx, presetInputSchema), authorOf(ctx.principal), null, deps.now()) }),
    },
    {
      method: 'PUT',
      path: new RegExp(`^/api/presets/${ID}$`),
      access: control,
      doc: { summary: 'Save a wall preset.', body: presetInputSchema },
      handle: async (ctx) => ({ preset: store.savePreset(await parseBody(ctx, presetInputSchema), authorOf(ctx.principal), ctx.params.id!, deps.now()) }),
    },
    {
      method: 'DELETE',
      path: new RegExp(`^/api/presets/${ID}$`),
      access: control,
      handle: (ctx) => {
        if (!store.deletePreset(ctx.params.id!)) throw notFound('preset');
        return { ok: true };
      },
    },
    { method: 'GET', path: '/api/tours', access: 'session', handle: (): { tours: Tour[] } => ({ tours: store.tours() }) },
    {
      method: 'POST',
      path: '/api/tours',
      access: control,
      doc: { summary: 'Save a tour.', body: tourInputSchema },
      handle: async (ctx) => ({ tour: store.saveTour(await parseBody(ctx, tourInputSchema), authorOf(ctx.principal), null, deps.now()) }),
    },
    {
      method: 'PUT',
      path: new RegExp(`^/api/tours/${ID}$`),
      access: control,
      doc: { summary: 'Save a tour.', body: tourInputSchema },
      handle: async (ctx) => ({ tour: store.saveTour(await parseBody(ctx, tourInputSchema), authorOf(ctx.principal), ctx.params.id!, deps.now()) }),
    },
    {
      method: 'DELETE',
      path: new RegExp(`^/api/tours/${ID}$`),
      access: control,
      handle: (ctx) => {
        // A display touring it stops at its next step (the service reads the tour at each step).
        if (!store.deleteTour(ctx.params.id!)) throw notFound('tour');
        return { ok: true };
      },
    },
    { method: 'GET', path: '/api/display-rules', access: control, handle: (): { rules: DisplayRule[] } => ({ rules: store.rules() }) },
    {
      method: 'POST',
      path: '/api/display-rules',
      access: control,
      doc: { summary: 'Add a display rule.', body: displayRuleInputSchema },
      handle: async (ctx) => ({ rule: store.addRule(await parseBody(ctx, displayRuleInputSchema), authorOf(ctx.principal)) }),
    },
    {
      method: 'DELETE',
      path: new RegExp(`^/api/display-rules/${ID}$`),
      access: control,
      handle: (ctx) => {
        if (!store.deleteRule(ctx.params.id!)) throw notFound('rule');
        return { ok: true };
      },
    },
  ];
}
