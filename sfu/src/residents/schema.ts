/**
 * What an administrator may send about a resident camera, parsed from `unknown` by zod, and how a
 * failed parse becomes one coded error naming the field. Pure.
 */
import { z } from 'zod';
import { AppError, CAMERA_ID, ErrorCode, RESIDENT_STATUSES, SHARING_MODES } from '@wardwall/common';
import { parseInput } from '@wardwall/server-kit';

export const LIMITS = { name: 120, ownerName: 120, ownerContact: 200, address: 300, note: 1000, url: 2048 } as const;

/** A camera's or home NVR's RTSP URL (may carry credentials; stays on the server). */
export const pullUrlSchema = z
  .string()
  .max(LIMITS.url)
  .refine((s) => /^rtsps?:\/\/[^\s/?#]+(\/[^\s]*)?$/i.test(s) && URL.canParse(s) && new URL(s).hostname !== '', { message: 'must be an rtsp:// or rtsps:// URL with a host' });

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const position = z
  .object({ x: z.number().min(0).max(1000), y: z.number().min(0).max(1000), heading: z.number().min(0).lt(360).optional() })
  .strict();
const consentDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'must be a real date');

const common = {
  name: text(LIMITS.name),
  ownerName: text(LIMITS.ownerName),
  ownerContact: text(LIMITS.ownerContact),
  address: text(LIMITS.address),
  position: position.nullable().optional(),
  consent: z.boolean(),
  consentDate: consentDate.nullable().optional(),
  sharing: z.enum(SHARING_MODES),
  retentionDays: z.number().min(0.001).max(3650).optional(),
  note: z.string().max(LIMITS.note).optional(),
};

export const createResidentSchema = z
  .object({
    id: z.string().regex(CAMERA_ID, 'lower-case letters, digits, "-" or "_", at most 64').optional(),
    ...common,
    source: z.discriminatedUnion('type', [z.object({ type: z.literal('pull'), url: pullUrlSchema }).strict(), z.object({ type: z.literal('push') }).strict()]),
  })
  .strict();
export type CreateResident = z.output<typeof createResidentSchema>;

export const updateResidentSchema = z
  .object({
    name: common.name.optional(),
    ownerName: common.ownerName.optional(),
    ownerContact: common.ownerContact.optional(),
    address: common.address.optional(),
    position: common.position,
    consent: common.consent.optional(),
    consentDate: common.consentDate,
    sharing: common.sharing.optional(),
    retentionDays: common.retentionDays,
    note: common.note,
    /** Pull cameras only: a new URL. */
    url: pullUrlSchema.optional(),
  })
  .strict();
export type UpdateResident = z.output<typeof updateResidentSchema>;

export const statusChangeSchema = z.object({ status: z.enum(RESIDENT_STATUSES) }).strict();

/** Parses `body` or throws one AppError whose code says what is wrong and whose message names the field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  return parseInput(schema as z.ZodType<z.output<S>>, body, { error: issueError });
}

export function issueError(issue: z.core.$ZodIssue): AppError {
  const field = issue.path.map(String).join('.') || '(body)';
  if (issue.code === 'unrecognized_keys') return new AppError(ErrorCode.INVALID_FIELD, `unknown field(s) ${issue.keys.join(', ')}`);
  if (issue.code === 'too_big' && issue.origin === 'string') return new AppError(ErrorCode.FIELD_TOO_LONG, `${field}: at most ${String(issue.maximum)} characters`);
  if (issue.path.at(-1) === 'url') return new AppError(ErrorCode.BAD_URL, `${field}: ${issue.message}`);
  return new AppError(ErrorCode.INVALID_FIELD, `${field}: ${issue.message}`);
}
